package arrow

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sessionagg/sessionagg"
)

// A peakAllocator counts the bytes it holds, and the most it has held.
type peakAllocator struct {
	memory.GoAllocator
	mu        sync.Mutex
	cur, peak int
}

func (p *peakAllocator) count(delta int) {
	p.mu.Lock()
	p.cur += delta
	p.peak = max(p.peak, p.cur)
	p.mu.Unlock()
}

func (p *peakAllocator) Allocate(size int) []byte {
	p.count(size)
	return p.GoAllocator.Allocate(size)
}

func (p *peakAllocator) Reallocate(size int, b []byte) []byte {
	p.count(size - len(b))
	return p.GoAllocator.Reallocate(size, b)
}

func (p *peakAllocator) Free(b []byte) {
	p.count(-len(b))
	p.GoAllocator.Free(b)
}

// sessionsFile returns a Parquet file of n sessions in one row group, the
// hardest case for memory: a reader that took a row group at a time would
// hold all of them.
func sessionsFile(t *testing.T, n int) []byte {
	ts := &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}
	start, end := array.NewTimestampBuilder(memory.DefaultAllocator, ts), array.NewTimestampBuilder(memory.DefaultAllocator, ts)
	cost, queue := array.NewFloat64Builder(memory.DefaultAllocator), array.NewStringBuilder(memory.DefaultAllocator)
	for i := range n {
		s := arrow.Timestamp(1772323200 + 60*int64(i))
		start.Append(s)
		end.Append(s + 3600)
		cost.Append(float64(i % 7))
		queue.Append(fmt.Sprintf("queue-%02d", i%20))
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "startTime", Type: ts}, {Name: "endTime", Type: ts},
		{Name: "costInUsd", Type: arrow.PrimitiveTypes.Float64}, {Name: "queueId", Type: arrow.BinaryTypes.String}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{start.NewArray(), end.NewArray(), cost.NewArray(), queue.NewArray()}, int64(n))
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(schema, &buf, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(n))), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAddParquetBoundedMemory checks that the Arrow memory that AddParquet
// holds at once does not grow with the file: a file four times as long,
// in one row group, takes no more than a batch more.
func TestAddParquetBoundedMemory(t *testing.T) {
	defer func(a memory.Allocator) { allocator = a }(allocator)
	peak := func(n int) int {
		file := sessionsFile(t, n)
		p := &peakAllocator{}
		allocator = p
		a, err := sessionagg.NewAggregator(sessionagg.Query{Period: sessionagg.Hourly, GroupBy: []sessionagg.Field{sessionagg.QueueID}})
		if err != nil {
			t.Fatal(err)
		}
		if err := AddParquet(context.Background(), a, bytes.NewReader(file)); err != nil {
			t.Fatalf("AddParquet(%d rows) = %v", n, err)
		}
		return p.peak
	}
	small, large := peak(2*BatchRows), peak(8*BatchRows)
	if large > small*3/2 {
		t.Errorf("AddParquet held %d bytes of Arrow memory at most for %d rows, %d for %d rows: want about the same",
			small, 2*BatchRows, large, 8*BatchRows)
	}
	t.Logf("peak Arrow memory: %d bytes for %d rows, %d for %d", small, 2*BatchRows, large, 8*BatchRows)
}
