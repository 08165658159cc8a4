#!/bin/sh
# rounds.sh FILE.parquet [ROUNDS [RUNS]]: times sessionagg's AddParquet
# (end to end: open, read, aggregate, read the rows) and DuckDB on 2
# threads querying the same Parquet file, in alternating rounds (3 by
# default), each query the best of RUNS runs (3) in a round, and prints
# DuckDB's time over sessionagg's per query and round. Write the file
# first with `go run . -parquet FILE.parquet`, and `npm install
# --no-package-lock`.
set -eu
file=$1 rounds=${2:-3} runs=${3:-3}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$dir" && go build -o "$tmp/duckdbbench" .)
for r in $(seq "$rounds"); do
	"$tmp/duckdbbench" -time-parquet "$file" -runs "$runs" | grep AddParquet >"$tmp/go$r"
	(cd "$dir" && node duckdb.mjs - "$file" "$runs" 2) | grep 'Parquet file' >"$tmp/db$r"
	cat "$tmp/go$r" "$tmp/db$r"
done
echo "DuckDB (2 threads) time / sessionagg AddParquet time, per round:"
for q in Q1 Q2 Q3; do
	printf '%s' "$q"
	for r in $(seq "$rounds"); do
		g=$(awk -v q="$q" '$1 == q { for (i = 1; i <= NF; i++) if ($i == "ms") print $(i-1) }' "$tmp/go$r")
		d=$(awk -v q="$q" '$1 == q { for (i = 1; i <= NF; i++) if ($i == "ms") print $(i-1) }' "$tmp/db$r")
		printf '  %.2fx' "$(echo "$d / $g" | bc -l)"
	done
	echo
done
