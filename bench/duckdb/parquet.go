package main

import (
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// rowGroupRows is the rows of a row group: DuckDB's own default, so that
// it reads the file with as many threads as it would its own.
const rowGroupRows = 122880

// writeParquet writes the sessions as Parquet with the cloud API's column
// names: times as UTC timestamps in milliseconds, the labels as strings,
// which Parquet stores dictionary-encoded, and Snappy compression, as
// DuckDB and most writers do by default.
func writeParquet(path string, records []record) error {
	ts := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "startTime", Type: ts},
		{Name: "endTime", Type: ts},
		{Name: "queueId", Type: arrow.BinaryTypes.String},
		{Name: "userId", Type: arrow.BinaryTypes.String},
		{Name: "instanceType", Type: arrow.BinaryTypes.String},
		{Name: "costInUsd", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(
		parquet.WithMaxRowGroupLength(rowGroupRows), parquet.WithCompression(compress.Codecs.Snappy)),
		pqarrow.DefaultWriterProps())
	if err != nil {
		f.Close()
		return err
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for lo := 0; lo < len(records); lo += rowGroupRows {
		for _, r := range records[lo:min(lo+rowGroupRows, len(records))] {
			b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(r.start * 1000))
			b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(r.end * 1000))
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("queue-%03d", r.queue))
			b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("user-%03d", r.user))
			b.Field(4).(*array.StringBuilder).Append(fmt.Sprintf("type-%03d", r.itype))
			b.Field(5).(*array.Float64Builder).Append(r.cost)
		}
		rec := b.NewRecordBatch()
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			w.Close()
			return err
		}
	}
	return w.Close() // which closes f
}
