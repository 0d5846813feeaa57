#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Golden traces: every traces/golden/<scenario>.<variant>.seed<N>.txt must be
# reproduced byte for byte by `hvsim run` with that scenario, variant and
# seed. Prints TAP. Regenerate with traces/regenerate.sh.
set -u
hvsim=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t files < <(ls "$root"/traces/golden/*.txt 2>/dev/null | sort)
echo "TAP version 13"
echo "1..$(( ${#files[@]} > 0 ? ${#files[@]} : 1 ))"
if [ ${#files[@]} -eq 0 ]; then
	echo "not ok 1 - no golden trace under traces/golden"
	exit 0
fi
i=0
for f in "${files[@]}"; do
	i=$((i + 1))
	b=$(basename "$f" .txt)		# scn.variant.seedN
	seed=${b##*.seed}
	rest=${b%.seed*}
	variant=${rest##*.}
	scn=${rest%.*}
	"$hvsim" run "$root/scenarios/$scn.scn" --variant "$variant" \
		--seed "$seed" --trace "$tmp/$b.txt" --quiet >/dev/null 2>"$tmp/err"
	if cmp -s "$f" "$tmp/$b.txt"; then
		echo "ok $i - $scn $variant seed $seed matches its golden trace"
	else
		echo "not ok $i - $scn $variant seed $seed differs from $f"
		diff -u "$f" "$tmp/$b.txt" 2>&1 | head -40 | sed 's/^/# /'
		sed 's/^/# /' "$tmp/err"
	fi
done
