module github.com/sessionagg/sessionagg

go 1.23
