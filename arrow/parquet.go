package arrow

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sessionagg/sessionagg"
)

// allocator holds the Arrow arrays that AddParquet reads; tests count
// what it holds.
var allocator memory.Allocator = memory.DefaultAllocator

// BatchRows is the number of rows that [AddParquet] reads at a time.
const BatchRows = 64 << 10

// AddParquet adds the sessions of the Parquet file r to a, reading
// [BatchRows] rows at a time and only the columns that a's query needs, in
// memory that holds a batch and the pages it is read from, however large
// the file. Its columns are found and read as [AddRecordBatch] finds and
// reads those of a record batch; label columns are read as dictionaries,
// which is how Parquet usually stores them.
//
// AddParquet stops at the first error: of reading the file (wrapping
// r's), or of a row, a *[sessionagg.RowError] that counts the row from
// the first of the file. The rows before it are added. It stops too when
// ctx is done, with ctx's error.
func AddParquet(ctx context.Context, a *sessionagg.Aggregator, r parquet.ReaderAtSeeker) error {
	mem := allocator
	props := parquet.NewReaderProperties(mem)
	// Read the pages of a column chunk as they are needed, not the whole
	// chunk at once: a row group may hold millions of rows.
	props.BufferedStreamEnabled = true
	pf, err := file.NewParquetReader(r, file.WithReadProps(props))
	if err != nil {
		return fmt.Errorf("sessionagg/arrow: reading Parquet: %w", err)
	}
	defer pf.Close()

	need := needed(a.Query())
	var cols []int
	readProps := pqarrow.ArrowReadProperties{BatchSize: BatchRows}
	seen := make(map[int]string)
	sc := pf.MetaData().Schema
	for i := range sc.NumColumns() {
		col := sc.Column(i)
		f := match(col.Name())
		if f < 0 || len(col.ColumnPath()) != 1 {
			continue // not a top-level column of a session
		}
		if other, ok := seen[f]; ok {
			return fmt.Errorf("%w: columns %q and %q are both %s", sessionagg.ErrInvalidColumns, other, col.Name(), fieldNames[f])
		}
		seen[f] = col.Name()
		if !need[f] {
			continue
		}
		cols = append(cols, i)
		if f >= firstLabel && col.PhysicalType() == parquet.Types.ByteArray {
			readProps.SetReadDict(i, true)
		}
	}
	for _, f := range [...]int{startTime, endTime} {
		if _, ok := seen[f]; !ok {
			return fmt.Errorf("%w: no column %s", sessionagg.ErrInvalidColumns, fieldNames[f])
		}
	}
	fr, err := pqarrow.NewFileReader(pf, readProps, mem)
	if err != nil {
		return fmt.Errorf("sessionagg/arrow: reading Parquet: %w", err)
	}
	rr, err := fr.GetRecordReader(ctx, cols, nil)
	if err != nil {
		return fmt.Errorf("sessionagg/arrow: reading Parquet: %w", err)
	}
	defer rr.Release()

	var b batcher
	first := 0
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := rr.RecordBatch()
		if err := b.add(a, rec); err != nil {
			var re *sessionagg.RowError
			if errors.As(err, &re) {
				return &sessionagg.RowError{Row: first + re.Row, Err: re.Err}
			}
			return err
		}
		first += int(rec.NumRows())
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("sessionagg/arrow: reading Parquet: %w", err)
	}
	return nil
}
