#!/usr/bin/env bash
# Runs every fuzz target in the module briefly: a -fuzztime each (default
# 100000x, an execution count; see the Makefile for why not a duration).
# A crasher fails the run and is left under the package's testdata/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-100000x}"
count=0
while IFS=: read -r file _ line; do
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
	pkg="./$(dirname "$file")"
	echo "fuzz: $pkg $name ($fuzztime)"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
	count=$((count + 1))
done < <(git grep -n -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' -- '*_test.go')
if [ "$count" -eq 0 ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
echo "fuzz: $count targets passed"
