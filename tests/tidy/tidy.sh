#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The tidy test: the engine (sim/) and the models (models/) must not read
# the wall clock, use libc or GLib randomness, start real threads, or order
# anything by hash-table iteration. A line may opt out only with a comment
# "tidy: allow <reason>" on that line (the CLI's --time budget is the one
# expected user).
#
# Usage: tidy.sh SOURCE_ROOT            check the tree, print TAP
#        tidy.sh --check FILE...        check the given files, exit 1 on a hit
set -u

patterns=(
	'wall clock|\b(time|gettimeofday|clock_gettime|clock|ftime|localtime|gmtime)[[:space:]]*\('
	'wall clock|\bg_get_(real|monotonic)_time[[:space:]]*\('
	'wall clock|\bg_(timer|date_time)_[a-z_]*[[:space:]]*\('
	'libc randomness|\b(s?rand|s?random|rand_r|drand48|lrand48|arc4random|getrandom)[[:space:]]*\('
	'GLib randomness|\bg_rand(om)?_[a-z_]*[[:space:]]*\('
	'real threads|\bpthread_[a-z_]+[[:space:]]*\(|\bthrd_create\b|\bg_thread_[a-z_]+[[:space:]]*\('
	'hash-table iteration|\bg_hash_table_(foreach[a-z_]*|get_keys|get_values|iter_[a-z_]+)\b|\bGHashTableIter\b'
)

# The file with the contents of string literals removed, so messages that
# mention "time (" or "random (" are not calls.
strip_strings() {
	sed -E 's/"([^"\\]|\\.)*"/""/g' "$1"
}

check_files() {
	local hits=0 f p what re
	for f in "$@"; do
		for p in "${patterns[@]}"; do
			what=${p%%|*}
			re=${p#*|}
			while IFS= read -r line; do
				case "$line" in *"tidy: allow"*) continue ;; esac
				echo "# $f: $what: $line"
				hits=$((hits + 1))
			done < <(strip_strings "$f" | grep -nE "$re" |
				grep -vE '^[0-9]+:[[:space:]]*(\*|/\*|//)')
		done
	done
	return $((hits > 0))
}

if [ "${1:-}" = "--check" ]; then
	shift
	check_files "$@"
	exit $?
fi

root=${1:?source root}
fixture="$root/tests/tidy/fixtures/violations.c"
echo "TAP version 13"
echo "1..3"

mapfile -t files < <(cd "$root" && find sim models -name '*.[ch]' | sort)
if (cd "$root" && check_files "${files[@]}"); then
	echo "ok 1 - sim/ and models/ read no wall clock, no randomness, start no threads, iterate no hash table"
else
	echo "not ok 1 - sim/ and models/ are tidy"
fi

# The checker must catch each banned kind in the fixture, or test 1 means
# nothing.
out=$(check_files "$fixture")
n=$(printf '%s\n' "$out" | grep -c '^# ')
if [ "$n" -ge 6 ]; then
	echo "ok 2 - the checker flags every banned call in the fixture ($n hits)"
else
	echo "not ok 2 - the checker flags only $n banned calls in the fixture"
	printf '%s\n' "$out"
fi

if check_files "$root/tests/tidy/fixtures/allowed.c" >/dev/null; then
	echo "ok 3 - a line marked 'tidy: allow' and comments pass"
else
	echo "not ok 3 - the opt-out marker is not honoured"
fi
