module github.com/sessionagg/sessionagg/bench/duckdb

go 1.23

require github.com/sessionagg/sessionagg v0.0.0

replace github.com/sessionagg/sessionagg => ../..
