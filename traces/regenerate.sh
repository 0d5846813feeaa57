#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Regenerates the example traces in traces/ (text, Chrome JSON, and the
# Graphviz pictures: DOT and SVG) and the golden traces in traces/golden/
# from the scenarios, with the hvsim binary of a build directory. Golden
# traces are compared byte for byte by tests/scenarios/golden.sh;
# regenerate them only when a change to the engine, shim or drivers is
# meant to change what an execution does, and say so in the commit
# message.
#
# Usage: traces/regenerate.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hvsim=${1:-$root/build}/hvsim

# scenario variant seed. vmbus-rescind-open-deadlock pre-fix is left out:
# its livelock is only declared after 10 virtual seconds of 1 ms polling,
# a 30 MB trace; tests/drivers/test-vmbus-offer.c covers it.
golden=(
	"canary-abba-deadlock pre-fix 1"
	"storvsc-subchannel-race pre-fix 1"
	"storvsc-subchannel-race post-fix 1"
	"vmbus-rescind-open-deadlock post-fix 1"
	"netvsc-multi-nic-rtnl-deadlock pre-fix 1"
	"netvsc-multi-nic-rtnl-deadlock post-fix 1"
	"nvme-a2-vs-b3 pre-fix 1"
	"nvme-a2-vs-b3 post-fix 1"
	"nvme-online-queues-lost-update pre-fix 1"
)

# Pictures only: a long trace's .dot and .svg draw its tail, so they stay
# small where the text would not.
pictures=(
	"vmbus-rescind-open-deadlock pre-fix 1"
)

for g in "${golden[@]}"; do
	read -r scn variant seed <<<"$g"
	for ext in txt json dot svg; do
		out=$root/traces/$scn.$variant.$ext
		"$hvsim" run "$root/scenarios/$scn.scn" --variant "$variant" \
			--seed "$seed" --trace "$out" --quiet >/dev/null || true
	done
	cp "$root/traces/$scn.$variant.txt" \
		"$root/traces/golden/$scn.$variant.seed$seed.txt"
done
for g in "${pictures[@]}"; do
	read -r scn variant seed <<<"$g"
	for ext in dot svg; do
		out=$root/traces/$scn.$variant.$ext
		"$hvsim" run "$root/scenarios/$scn.scn" --variant "$variant" \
			--seed "$seed" --trace "$out" --quiet >/dev/null || true
	done
done
echo "traces regenerated with $hvsim"
