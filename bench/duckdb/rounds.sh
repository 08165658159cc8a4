#!/bin/sh
# rounds.sh FILE.parquet [ROUNDS [RUNS]]: times sessionagg's AddParquet
# on 1 goroutine and AddParquetParallel on 2 (end to end: open, read,
# aggregate, read the rows) and DuckDB on 2 threads querying the same
# Parquet file, in alternating rounds (3 by default), each query the best
# of RUNS runs (3) in a round, and prints DuckDB's time over sessionagg's
# per query and round. Write the file
# first with `go run . -parquet FILE.parquet`, and `npm install
# --no-package-lock`.
set -eu
file=$1 rounds=${2:-3} runs=${3:-3}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$dir" && go build -o "$tmp/duckdbbench" .)
for r in $(seq "$rounds"); do
	"$tmp/duckdbbench" -time-parquet "$file" -runs "$runs" -goroutines 1 | grep AddParquet >"$tmp/go$r"
	"$tmp/duckdbbench" -time-parquet "$file" -runs "$runs" -goroutines 2 | grep AddParquet >>"$tmp/go$r"
	(cd "$dir" && node duckdb.mjs - "$file" "$runs" 2) | grep 'Parquet file' >"$tmp/db$r"
	cat "$tmp/go$r" "$tmp/db$r"
done
echo "DuckDB (2 threads) time / sessionagg time, per round:"
ms() { awk -v q="$1" -v how="$2" '$1 == q { for (i = 1; i < NF; i++) if ($i == "ms" && (how == "" || $(i-2) == how)) print $(i-1) }' "$3"; }
for q in Q1 Q2 Q3; do
	for g in 1 2; do
		printf '%s AddParquet/%s' "$q" "$g"
		for r in $(seq "$rounds"); do
			printf '  %.2fx' "$(echo "$(ms "$q" "" "$tmp/db$r") / $(ms "$q" "AddParquet/$g" "$tmp/go$r")" | bc -l)"
		done
		echo
	done
done
