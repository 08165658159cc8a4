package arrow

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
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
	_, fr, cols, err := openParquet(a, r, nil)
	if err != nil {
		return err
	}
	return addRowGroups(ctx, a, fr, cols, nil, 0)
}

// AddParquetParallel is [AddParquet] on n goroutines: it shares the row
// groups of the file r among them in runs of consecutive groups, each
// goroutine adding its run to an Aggregator of a's query, and merges
// them into a, in file order, once every goroutine is done. Its memory
// holds n batches. If n <= 1 or the file has one row group, it is
// AddParquet, errors included.
//
// Its errors are AddParquet's, a *[sessionagg.RowError] counting the row
// from the first of the file, and a's Merge's; of rows refused in more
// than one run, the error is the first in the file. On error a is
// unchanged (but for AddParquet's case), unless Merge failed, which leaves a unusable (see
// [sessionagg.Aggregator.Merge]). r must allow concurrent ReadAt calls,
// as an *os.File does.
func AddParquetParallel(ctx context.Context, a *sessionagg.Aggregator, r parquet.ReaderAtSeeker, n int) error {
	if n <= 1 {
		return AddParquet(ctx, a, r)
	}
	pf, _, _, err := openParquet(a, r, nil)
	if err != nil {
		return err
	}
	md := pf.MetaData()
	groups := md.NumRowGroups()
	n = min(n, groups)
	if n <= 1 {
		return AddParquet(ctx, a, r)
	}
	// Runs of consecutive groups of about the same number of rows, and
	// the number of the first row of each.
	var total int64
	for g := range groups {
		total += md.RowGroup(g).NumRows()
	}
	runs := make([][]int, n)
	firsts := make([]int, n)
	var seen int64
	for g := range groups {
		k := int(seen * int64(n) / max(total, 1))
		if len(runs[k]) == 0 {
			firsts[k] = int(seen)
		}
		runs[k] = append(runs[k], g)
		seen += md.RowGroup(g).NumRows()
	}
	parts := make([]*sessionagg.Aggregator, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		if len(runs[k]) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			part, err := sessionagg.NewAggregator(a.Query())
			if err != nil {
				errs[k] = err
				return
			}
			_, fr, cols, err := openParquet(part, r, md)
			if err != nil {
				errs[k] = err
				return
			}
			parts[k], errs[k] = part, addRowGroups(ctx, part, fr, cols, runs[k], firsts[k])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, part := range parts {
		if err := a.Merge(part); err != nil {
			return err
		}
	}
	return nil
}

// openParquet opens the Parquet file r, whose metadata is md if it has
// been read already, and returns a reader of it, of it as Arrow, and the
// columns that a's query needs. With md, it reads r with ReadAt alone.
func openParquet(a *sessionagg.Aggregator, r parquet.ReaderAtSeeker, md *metadata.FileMetaData) (*file.Reader, *pqarrow.FileReader, []int, error) {
	mem := allocator
	props := parquet.NewReaderProperties(mem)
	// Read the pages of a column chunk as they are needed, not the whole
	// chunk at once: a row group may hold millions of rows.
	props.BufferedStreamEnabled = true
	opts := []file.ReadOption{file.WithReadProps(props)}
	if md != nil {
		opts = append(opts, file.WithMetadata(md))
	}
	// The caller's r stays open: file.Reader's Close would close it.
	pf, err := file.NewParquetReader(noClose{r}, opts...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sessionagg/arrow: reading Parquet: %w", err)
	}
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
			return nil, nil, nil, fmt.Errorf("%w: columns %q and %q are both %s", sessionagg.ErrInvalidColumns, other, col.Name(), fieldNames[f])
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
			return nil, nil, nil, fmt.Errorf("%w: no column %s", sessionagg.ErrInvalidColumns, fieldNames[f])
		}
	}
	fr, err := pqarrow.NewFileReader(pf, readProps, mem)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sessionagg/arrow: reading Parquet: %w", err)
	}
	return pf, fr, cols, nil
}

// noClose is a ReaderAtSeeker without the Close method of the one it
// holds.
type noClose struct{ parquet.ReaderAtSeeker }

// addRowGroups adds the columns cols of the row groups groups of fr (all
// of them if groups is nil) to a, batch by batch; first is the number of
// the first row in the file, for errors.
func addRowGroups(ctx context.Context, a *sessionagg.Aggregator, fr *pqarrow.FileReader, cols, groups []int, first int) error {
	rr, err := fr.GetRecordReader(ctx, cols, groups)
	if err != nil {
		return fmt.Errorf("sessionagg/arrow: reading Parquet: %w", err)
	}
	defer rr.Release()

	var b batcher
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
