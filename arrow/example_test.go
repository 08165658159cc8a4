package arrow_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sessionagg/sessionagg"
	sessionarrow "github.com/sessionagg/sessionagg/arrow"
)

// AddParquet reads a Parquet file of sessions, here one written in memory
// with times in milliseconds and the queue dictionary-encoded, and adds
// them to an Aggregator batch by batch. The file may have other columns:
// those that the query does not use are not read.
func ExampleAddParquet() {
	ts := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	queue := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "startTime", Type: ts},
		{Name: "endTime", Type: ts},
		{Name: "costInUsd", Type: arrow.PrimitiveTypes.Float64},
		{Name: "queueId", Type: queue},
		{Name: "comment", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []struct {
		from, to int // hours of the day
		cost     float64
		queue    string
	}{{9, 12, 4.5, "q-bake"}, {13, 21, 12, "q-render"}, {22, 25, 4.5, "q-bake"}} {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(day.Add(time.Duration(s.from) * time.Hour).UnixMilli()))
		b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(day.Add(time.Duration(s.to) * time.Hour).UnixMilli()))
		b.Field(2).(*array.Float64Builder).Append(s.cost)
		if err := b.Field(3).(*array.BinaryDictionaryBuilder).AppendString(s.queue); err != nil {
			panic(err)
		}
		b.Field(4).(*array.StringBuilder).Append("not read")
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var file bytes.Buffer
	if err := pqarrow.WriteTable(array.NewTableFromRecords(schema, []arrow.RecordBatch{rec}), &file, 1024, nil, pqarrow.DefaultWriterProps()); err != nil {
		panic(err)
	}

	a, err := sessionagg.NewAggregator(sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}})
	if err != nil {
		panic(err)
	}
	if err := sessionarrow.AddParquet(context.Background(), a, bytes.NewReader(file.Bytes())); err != nil {
		panic(err)
	}
	res, err := a.Result()
	if err != nil {
		panic(err)
	}
	for row := range res.Rows() {
		fmt.Printf("%s %-8s %d pieces %5.0f s %5.2f USD\n", row.Start.Format(time.DateOnly), row.QueueID,
			row.Count, row.RuntimeInSeconds.Sum(), row.CostInUSD.Sum())
	}
	// Output:
	// 2026-03-01 q-bake   2 pieces 18000 s  7.50 USD
	// 2026-03-01 q-render 1 pieces 28800 s 12.00 USD
	// 2026-03-02 q-bake   1 pieces  3600 s  1.50 USD
}

// AddRecordBatch takes a record batch as it is; a null, which a session
// cannot have, is an error that names the column and the row.
func ExampleAddRecordBatch() {
	ts := &arrow.TimestampType{Unit: arrow.Second}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "StartTime", Type: ts},
		{Name: "EndTime", Type: ts},
		{Name: "UserId", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	b.Field(0).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(day), arrow.Timestamp(day)}, nil)
	b.Field(1).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(day + 60), arrow.Timestamp(day + 90)}, nil)
	b.Field(2).(*array.StringBuilder).AppendValues([]string{"u-1", ""}, []bool{true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()

	a, err := sessionagg.NewAggregator(sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.UserID}})
	if err != nil {
		panic(err)
	}
	fmt.Println(sessionarrow.AddRecordBatch(a, rec))
	// Output:
	// row 1: sessionagg: UserId "null": invalid columns: a null, where every row needs a value
}
