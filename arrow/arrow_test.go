package arrow_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York, whatever the host has

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
	sessionarrow "github.com/sessionagg/sessionagg/arrow"
)

// The tests build record batches of sessions in every layout the adapter
// takes, and Parquet files of them, and compare what the adapter
// aggregates with what Aggregate makes of the same sessions.

// labelNames are the label columns' names, in the order of labelOf.
var labelNames = []string{"queueId", "fleetId", "jobId", "jobName", "userId", "usageType", "licenseProduct", "instanceType"}

// labelOf returns the label i (in the order of labelNames) of s.
func labelOf(s *sessionagg.Session, i int) *string {
	return [...]*string{&s.QueueID, &s.FleetID, &s.JobID, &s.JobName, &s.UserID, &s.UsageType, &s.LicenseProduct, &s.InstanceType}[i]
}

// A label column's encoding in a record batch.
type encoding int

const (
	missing    encoding = iota // no column: the empty label
	plain                      // utf8
	large                      // large_utf8
	view                       // utf8_view
	dictInt32                  // dictionary<values=utf8, indices=int32>
	dictInt8                   // dictionary<values=large_utf8, indices=int8>
	dictUint16                 // dictionary<values=utf8, indices=uint16>
	dictInt64                  // dictionary<values=utf8, indices=int64>
)

// A layout says how a record batch holds sessions.
type layout struct {
	unit   arrow.TimeUnit
	zone   string // of the timestamp type: "" for none
	names  map[string]string
	cost   bool
	labels [8]encoding
}

// name returns the column name of the field called canonical in l.
func (l *layout) name(canonical string) string {
	if n, ok := l.names[canonical]; ok {
		return n
	}
	return canonical
}

var mem = memory.DefaultAllocator

// tb is the part of testing.TB that *rapid.T has too.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

// record returns the sessions as a record batch in layout l. The times of
// the sessions are whole counts of l's unit.
func record(t tb, sessions []sessionagg.Session, l layout) arrow.RecordBatch {
	t.Helper()
	var fields []arrow.Field
	var cols []arrow.Array
	ts := &arrow.TimestampType{Unit: l.unit, TimeZone: l.zone}
	for _, name := range []string{"startTime", "endTime"} {
		b := array.NewTimestampBuilder(mem, ts)
		for _, s := range sessions {
			t := s.Start
			if name == "endTime" {
				t = s.End
			}
			v, err := arrow.TimestampFromTime(t, l.unit)
			if err != nil {
				panic(err)
			}
			b.Append(v)
		}
		fields = append(fields, arrow.Field{Name: l.name(name), Type: ts})
		cols = append(cols, b.NewArray())
	}
	if l.cost {
		b := array.NewFloat64Builder(mem)
		for _, s := range sessions {
			b.Append(s.CostInUSD)
		}
		fields = append(fields, arrow.Field{Name: l.name("costInUsd"), Type: arrow.PrimitiveTypes.Float64})
		cols = append(cols, b.NewArray())
	}
	for i, enc := range l.labels {
		if enc == missing {
			continue
		}
		values := make([]string, len(sessions))
		for j := range sessions {
			values[j] = *labelOf(&sessions[j], i)
		}
		col := labelArray(values, enc)
		fields = append(fields, arrow.Field{Name: l.name(labelNames[i]), Type: col.DataType()})
		cols = append(cols, col)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(len(sessions)))
}

// labelArray returns values as an array in the encoding enc.
func labelArray(values []string, enc encoding) arrow.Array {
	strs := func(dt arrow.DataType, values []string) arrow.Array {
		b := array.NewBuilder(mem, dt)
		for _, v := range values {
			switch b := b.(type) {
			case *array.StringBuilder:
				b.Append(v)
			case *array.LargeStringBuilder:
				b.Append(v)
			case *array.StringViewBuilder:
				b.Append(v)
			}
		}
		return b.NewArray()
	}
	switch enc {
	case plain:
		return strs(arrow.BinaryTypes.String, values)
	case large:
		return strs(arrow.BinaryTypes.LargeString, values)
	case view:
		return strs(arrow.BinaryTypes.StringView, values)
	}
	// A dictionary in reverse order of first appearance, with a value no
	// row uses at its start.
	dict := []string{"unused"}
	code := map[string]int64{}
	for _, v := range slices.Backward(values) {
		if _, ok := code[v]; !ok {
			code[v] = int64(len(dict))
			dict = append(dict, v)
		}
	}
	idx := map[encoding]arrow.DataType{dictInt32: arrow.PrimitiveTypes.Int32, dictInt8: arrow.PrimitiveTypes.Int8,
		dictUint16: arrow.PrimitiveTypes.Uint16, dictInt64: arrow.PrimitiveTypes.Int64}[enc]
	b := array.NewBuilder(mem, idx)
	for _, v := range values {
		switch b := b.(type) {
		case *array.Int32Builder:
			b.Append(int32(code[v]))
		case *array.Int8Builder:
			b.Append(int8(code[v]))
		case *array.Uint16Builder:
			b.Append(uint16(code[v]))
		case *array.Int64Builder:
			b.Append(code[v])
		}
	}
	valueType := arrow.BinaryTypes.String
	if enc == dictInt8 {
		valueType = arrow.BinaryTypes.LargeString
	}
	return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: idx, ValueType: valueType}, b.NewArray(), strs(valueType, dict))
}

// writeParquet returns rec as a Parquet file with row groups of at most
// rowGroup rows, its schema stored, so that dictionaries read back as
// such, or not, so that they read back as strings.
func writeParquet(t tb, rowGroup int64, storeSchema bool, recs ...arrow.RecordBatch) []byte {
	t.Helper()
	var buf bytes.Buffer
	var opts []pqarrow.WriterOption
	if storeSchema {
		opts = append(opts, pqarrow.WithStoreSchema())
	}
	w, err := pqarrow.NewFileWriter(recs[0].Schema(), &buf,
		parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(rowGroup), parquet.WithDictionaryDefault(true)),
		pqarrow.NewArrowWriterProperties(opts...))
	if err != nil {
		t.Fatalf("pqarrow.NewFileWriter = %v", err)
	}
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			t.Fatalf("Write = %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	return buf.Bytes()
}

// A row is a sessionagg.Row in a form cmp compares.
type row struct {
	Start, End    string
	Labels        [8]string
	Count         int64
	Runtime, Cost [5]float64
}

func rows(t tb, a *sessionagg.Aggregator) []row {
	t.Helper()
	res, err := a.Result()
	if err != nil {
		t.Fatalf("Result = %v", err)
	}
	var out []row
	for r := range res.Rows() {
		x := row{Start: r.Start.Format(time.RFC3339Nano), End: r.End.Format(time.RFC3339Nano), Count: r.Count}
		s := sessionagg.Session{QueueID: r.QueueID, FleetID: r.FleetID, JobID: r.JobID, JobName: r.JobName,
			UserID: r.UserID, UsageType: r.UsageType, LicenseProduct: r.LicenseProduct, InstanceType: r.InstanceType}
		for i := range x.Labels {
			x.Labels[i] = *labelOf(&s, i)
		}
		for i, st := range []sessionagg.Stats{r.RuntimeInSeconds, r.CostInUSD} {
			v := [5]float64{float64(st.Count()), st.Sum(), st.Min(), st.Max(), st.Avg()}
			if i == 0 {
				x.Runtime = v
			} else {
				x.Cost = v
			}
		}
		out = append(out, x)
	}
	return out
}

func newAggregator(t tb, q sessionagg.Query) *sessionagg.Aggregator {
	t.Helper()
	a, err := sessionagg.NewAggregator(q)
	if err != nil {
		t.Fatalf("NewAggregator = %v", err)
	}
	return a
}

// reference returns the rows of Add over the sessions, and the error of
// the first it refuses, numbered.
func reference(t tb, q sessionagg.Query, sessions []sessionagg.Session) ([]row, error) {
	a := newAggregator(t, q)
	for i := range sessions {
		if err := a.Add(sessions[i]); err != nil {
			return nil, &sessionagg.RowError{Row: i, Err: err}
		}
	}
	return rows(t, a), nil
}

var (
	units   = []arrow.TimeUnit{arrow.Second, arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond}
	values  = [][]string{{"q-1", "q-2", ""}, {"f-1", ""}, {"j-1", "j-2"}, {"", "render", "bake"}, {"u-a", "ü", ""}, {"COMPUTE"}, {"", "maya"}, {"m5.large", "c6i"}}
	periods = []sessionagg.Period{sessionagg.Hourly, sessionagg.Daily, sessionagg.Weekly, sessionagg.Monthly}
	fields  = []sessionagg.Field{sessionagg.QueueID, sessionagg.FleetID, sessionagg.JobID, sessionagg.UserID, sessionagg.UsageType, sessionagg.LicenseProduct, sessionagg.InstanceType}
)

// draw draws a query, sessions and a layout for them.
func draw(t *rapid.T, encodings []encoding) (sessionagg.Query, []sessionagg.Session, layout) {
	zone := rapid.SampledFrom([]string{"UTC", "UTC+8", "America/New_York"}).Draw(t, "zone")
	loc, err := sessionagg.ParseTimezone(zone)
	if err != nil {
		loc, _ = time.LoadLocation(zone)
	}
	q := sessionagg.Query{Period: rapid.SampledFrom(periods).Draw(t, "period"), Location: loc}
	q.GroupBy = rapid.Permutation(fields).Draw(t, "fields")[:rapid.IntRange(0, 3).Draw(t, "groups")]
	if rapid.IntRange(0, 4).Draw(t, "filter") == 0 {
		q.QueueIDs = []string{"q-1"}
	}
	l := layout{
		unit:  rapid.SampledFrom(units).Draw(t, "unit"),
		zone:  rapid.SampledFrom([]string{"", "UTC", "Asia/Tokyo"}).Draw(t, "timestampZone"),
		cost:  rapid.Bool().Draw(t, "cost"),
		names: map[string]string{"startTime": rapid.SampledFrom([]string{"startTime", "StartTime", "STARTTIME"}).Draw(t, "startName")},
	}
	// Around New York's spring DST change, and before 1970 now and then,
	// whole counts of the unit.
	base := time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)
	if rapid.IntRange(0, 4).Draw(t, "old") == 0 {
		base = time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)
	}
	d := l.unit.Multiplier()
	sessions := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) sessionagg.Session {
		start := base.Add(time.Duration(rapid.Int64Range(-int64(72*time.Hour/d), int64(72*time.Hour/d)).Draw(t, "start")) * d)
		s := sessionagg.Session{Start: start, End: start.Add(time.Duration(rapid.Int64Range(0, int64(50*time.Hour/d)).Draw(t, "length")) * d)}
		if l.cost {
			s.CostInUSD = rapid.Float64Range(0, 100).Draw(t, "costInUsd")
		}
		for i := range values {
			*labelOf(&s, i) = rapid.SampledFrom(values[i]).Draw(t, labelNames[i])
		}
		return s
	}), 0, 50).Draw(t, "sessions")
	for i := range l.labels {
		l.labels[i] = rapid.SampledFrom(encodings).Draw(t, labelNames[i]+"Encoding")
		if l.labels[i] == missing {
			for j := range sessions {
				*labelOf(&sessions[j], i) = ""
			}
		}
	}
	return q, sessions, l
}

var allEncodings = []encoding{missing, plain, large, view, dictInt32, dictInt8, dictUint16, dictInt64}

// TestAddRecordBatchIsAdd checks that a record batch of sessions, in any
// unit, zone, column-name case and encoding of labels, aggregates as Add
// aggregates the sessions.
func TestAddRecordBatchIsAdd(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions, l := draw(t, allEncodings)
		want, _ := reference(t, q, sessions)
		a := newAggregator(t, q)
		rec := record(t, sessions, l)
		defer rec.Release()
		if err := sessionarrow.AddRecordBatch(a, rec); err != nil {
			t.Fatalf("AddRecordBatch = %v", err)
		}
		if diff := cmp.Diff(want, rows(t, a)); diff != "" {
			t.Fatalf("%v in %v, layout %+v (-want +got):\n%s", q.Period, q.Location, l, diff)
		}
	})
}

// TestAddParquetIsAdd checks that a Parquet file of sessions, in row
// groups of any size, with its Arrow schema or without, aggregates as Add
// aggregates the sessions.
func TestAddParquetIsAdd(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Parquet stores labels as byte arrays: plain or dictionary pages
		// whichever the Arrow type.
		q, sessions, l := draw(t, []encoding{missing, plain, large, dictInt32, dictInt8})
		if len(sessions) == 0 {
			return // a record batch of no rows writes no schema to check
		}
		want, _ := reference(t, q, sessions)
		rec := record(t, sessions, l)
		defer rec.Release()
		file := writeParquet(t, int64(rapid.IntRange(1, 60).Draw(t, "rowGroup")), rapid.Bool().Draw(t, "storeSchema"), rec)
		a := newAggregator(t, q)
		if err := sessionarrow.AddParquet(context.Background(), a, bytes.NewReader(file)); err != nil {
			t.Fatalf("AddParquet = %v", err)
		}
		if diff := cmp.Diff(want, rows(t, a)); diff != "" {
			t.Fatalf("%v in %v, layout %+v (-want +got):\n%s", q.Period, q.Location, l, diff)
		}
	})
}

// TestAddRecordBatchErrors checks the errors of batches the adapter
// refuses, and that it adds none of their rows, but for the rows before
// a bad row.
func TestAddRecordBatchErrors(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	sessions := []sessionagg.Session{
		{Start: day, End: day.Add(time.Hour), CostInUSD: 1, QueueID: "q-1"},
		{Start: day.Add(time.Hour), End: day.Add(2 * time.Hour), CostInUSD: 2, QueueID: "q-2"},
	}
	ok := layout{unit: arrow.Second, cost: true, labels: [8]encoding{plain}}
	// with returns rec with column i replaced by col, named name.
	with := func(rec arrow.RecordBatch, i int, name string, col arrow.Array) arrow.RecordBatch {
		fields := slices.Clone(rec.Schema().Fields())
		cols := slices.Clone(rec.Columns())
		f := arrow.Field{Name: name, Type: col.DataType(), Nullable: true}
		if i == len(cols) {
			fields, cols = append(fields, f), append(cols, col)
		} else {
			fields[i], cols[i] = f, col
		}
		return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	}
	nullAt := func(dt arrow.DataType, row int) arrow.Array {
		b := array.NewBuilder(mem, dt)
		for i := range 2 {
			if i == row {
				b.AppendNull()
				continue
			}
			switch b := b.(type) {
			case *array.TimestampBuilder:
				b.Append(arrow.Timestamp(day.Unix()))
			case *array.Float64Builder:
				b.Append(1)
			case *array.StringBuilder:
				b.Append("q")
			}
		}
		return b.NewArray()
	}
	// dict returns a queueId column of the indices idx (of a builder's
	// type, nulls where valid is false) into the values dict.
	dict := func(idx array.Builder, values arrow.Array, valid []bool, codes ...int64) arrow.RecordBatch {
		for i, c := range codes {
			if valid != nil && !valid[i] {
				idx.AppendNull()
				continue
			}
			switch b := idx.(type) {
			case *array.Int8Builder:
				b.Append(int8(c))
			case *array.Int32Builder:
				b.Append(int32(c))
			case *array.Int64Builder:
				b.Append(c)
			}
		}
		a := idx.NewArray()
		d := array.NewDictionaryArray(&arrow.DictionaryType{IndexType: a.DataType(), ValueType: values.DataType()}, a, values)
		return with(record(t, sessions, ok), 3, "queueId", d)
	}
	base := func() arrow.RecordBatch { return record(t, sessions, ok) }
	for _, tc := range []struct {
		reason string
		rec    func() arrow.RecordBatch
		want   string
		rows   int64
	}{{
		reason: "the start is required",
		rec: func() arrow.RecordBatch {
			r := base()
			return array.NewRecordBatch(arrow.NewSchema(r.Schema().Fields()[1:], nil), r.Columns()[1:], r.NumRows())
		},
		want: `sessionagg: invalid columns: no column startTime`,
	}, {
		reason: "times are timestamps: a count of unknown unit would be a guess",
		rec: func() arrow.RecordBatch {
			b := array.NewInt64Builder(mem)
			b.AppendValues([]int64{1, 2}, nil)
			return with(base(), 1, "endTime", b.NewArray())
		},
		want: `sessionagg: endTime "int64": invalid columns: want a timestamp`,
	}, {
		reason: "a start and an end in different units are a mistake, not a conversion",
		rec: func() arrow.RecordBatch {
			r := base()
			ms := &arrow.TimestampType{Unit: arrow.Millisecond}
			b := array.NewTimestampBuilder(mem, ms)
			b.AppendValues([]arrow.Timestamp{1, 2}, nil)
			return with(r, 1, "endTime", b.NewArray())
		},
		want: `sessionagg: invalid columns: startTime "startTime" is in s and endTime "endTime" in ms: want one unit`,
	}, {
		reason: "two columns that both match a field, in any case, are ambiguous",
		rec: func() arrow.RecordBatch {
			r := base()
			return with(r, int(r.NumCols()), "QueueID", r.Column(3))
		},
		want: `sessionagg: invalid columns: columns "queueId" and "QueueID" are both queueId`,
	}, {
		reason: "a cost is a float64",
		rec: func() arrow.RecordBatch {
			b := array.NewStringBuilder(mem)
			b.AppendValues([]string{"1", "2"}, nil)
			return with(base(), 2, "costInUsd", b.NewArray())
		},
		want: `sessionagg: costInUsd "utf8": invalid columns: want float64`,
	}, {
		reason: "a label is a string",
		rec: func() arrow.RecordBatch {
			b := array.NewInt64Builder(mem)
			b.AppendValues([]int64{1, 2}, nil)
			return with(base(), 3, "queueId", b.NewArray())
		},
		want: `sessionagg: queueId "int64": invalid columns: want strings, plain or dictionary-encoded`,
	}, {
		reason: "a null time is refused with its row, and nothing is added",
		rec: func() arrow.RecordBatch {
			return with(base(), 1, "endTime", nullAt(&arrow.TimestampType{Unit: arrow.Second}, 1))
		},
		want: `row 1: sessionagg: endTime "null": invalid columns: a null, where every row needs a value`,
	}, {
		reason: "a null cost too, not a cost of 0",
		rec: func() arrow.RecordBatch {
			return with(base(), 2, "CostInUSD", nullAt(arrow.PrimitiveTypes.Float64, 0))
		},
		want: `row 0: sessionagg: CostInUSD "null": invalid columns: a null, where every row needs a value`,
	}, {
		reason: "a null label too, not an empty one",
		rec: func() arrow.RecordBatch {
			return with(base(), 3, "queueId", nullAt(arrow.BinaryTypes.String, 1))
		},
		want: `row 1: sessionagg: queueId "null": invalid columns: a null, where every row needs a value`,
	}, {
		reason: "a null dictionary index",
		rec: func() arrow.RecordBatch {
			return dict(array.NewInt32Builder(mem), labelArray([]string{"q"}, plain), []bool{true, false}, 0, 0)
		},
		want: `row 1: sessionagg: queueId "null": invalid columns: a null, where every row needs a value`,
	}, {
		reason: "an index of a null dictionary value",
		rec: func() arrow.RecordBatch {
			return dict(array.NewInt8Builder(mem), nullAt(arrow.BinaryTypes.String, 1), nil, 0, 1)
		},
		want: `row 1: sessionagg: queueId "null": invalid columns: a null, where every row needs a value`,
	}, {
		reason: "an index outside the dictionary stops at its row, after the rows before it",
		rec: func() arrow.RecordBatch {
			return dict(array.NewInt32Builder(mem), labelArray([]string{"q"}, plain), nil, 0, 1)
		},
		want: `row 1: sessionagg: invalid columns: queueId "1": a code outside the dictionary of 1 values`,
		rows: 1,
	}, {
		reason: "an int64 index beyond int32 is outside any dictionary",
		rec: func() arrow.RecordBatch {
			return dict(array.NewInt64Builder(mem), labelArray([]string{"q"}, plain), nil, 0, 1<<40)
		},
		want: `row 1: sessionagg: queueId "1099511627776": invalid columns: a code outside the dictionary of 1 values (1099511627776)`,
	}, {
		reason: "an invalid session is Add's error, with its row",
		rec: func() arrow.RecordBatch {
			b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Second})
			b.AppendValues([]arrow.Timestamp{arrow.Timestamp(day.Add(time.Hour).Unix()), arrow.Timestamp(day.Unix())}, nil)
			return with(base(), 1, "endTime", b.NewArray())
		},
		want: `row 1: sessionagg: invalid session: endTime "2026-03-01T00:00:00Z": before startTime 2026-03-01T01:00:00Z`,
		rows: 1,
	}} {
		a := newAggregator(t, sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}})
		rec := tc.rec()
		err := sessionarrow.AddRecordBatch(a, rec)
		rec.Release()
		if err == nil || err.Error() != tc.want || !errors.Is(err, sessionagg.ErrInvalidColumns) && !errors.Is(err, sessionagg.ErrInvalidSession) {
			t.Errorf("%s:\nAddRecordBatch = %v\nwant %v", tc.reason, err, tc.want)
		}
		var n int64
		for _, r := range rows(t, a) {
			n += r.Count
		}
		if n != tc.rows {
			t.Errorf("%s: %d rows added, want %d", tc.reason, n, tc.rows)
		}
	}
}

// TestAddParquetCountsRowsInTheFile checks that the row of an error is
// counted from the start of the file, across batches, and that the rows
// of the batches before it are added.
func TestAddParquetCountsRowsInTheFile(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	n := sessionarrow.BatchRows + 10
	sessions := make([]sessionagg.Session, n)
	for i := range sessions {
		sessions[i] = sessionagg.Session{Start: day, End: day.Add(time.Minute), QueueID: "q"}
	}
	bad := sessionarrow.BatchRows + 3
	sessions[bad].CostInUSD = -1
	rec := record(t, sessions, layout{unit: arrow.Millisecond, cost: true, labels: [8]encoding{dictInt32}})
	defer rec.Release()
	file := writeParquet(t, 1000, true, rec)
	a := newAggregator(t, sessionagg.Query{})
	err := sessionarrow.AddParquet(context.Background(), a, bytes.NewReader(file))
	want := fmt.Sprintf(`row %d: sessionagg: invalid session: costInUsd "-1": want a finite number, zero or more and at most 1.9e+289`, bad)
	if err == nil || err.Error() != want {
		t.Fatalf("AddParquet = %v, want %v", err, want)
	}
	if got := rows(t, a); len(got) != 1 || got[0].Count != int64(bad) {
		t.Errorf("AddParquet added %v, want one row of %d sessions", got, bad)
	}
}

// TestAddParquetErrors checks the errors of files that are no sessions.
func TestAddParquetErrors(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	rec := record(t, []sessionagg.Session{{Start: day, End: day}}, layout{unit: arrow.Second})
	defer rec.Release()
	noEnd := array.NewRecordBatch(arrow.NewSchema(rec.Schema().Fields()[:1], nil), rec.Columns()[:1], 1)
	defer noEnd.Release()
	for _, tc := range []struct {
		reason string
		file   []byte
		want   string
	}{
		{"the end is required", writeParquet(t, 10, true, noEnd), "sessionagg: invalid columns: no column endTime"},
		{"not a Parquet file", []byte(strings.Repeat("startTime,endTime\n", 10)), "sessionagg/arrow: reading Parquet: "},
	} {
		err := sessionarrow.AddParquet(context.Background(), newAggregator(t, sessionagg.Query{}), bytes.NewReader(tc.file))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: AddParquet = %v, want %s...", tc.reason, err, tc.want)
		}
	}
}

// TestAddParquetParallelIsAddParquet checks that reading the row groups
// of a file on several goroutines and merging gives the rows of reading
// it on one, and, for a file with a bad row, the same error, with a left
// unchanged when there are row groups to share.
func TestAddParquetParallelIsAddParquet(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions, l := draw(t, []encoding{missing, plain, dictInt32})
		if len(sessions) == 0 {
			return
		}
		bad := -1
		if rapid.IntRange(0, 4).Draw(t, "hasBad") == 0 {
			bad = rapid.IntRange(0, len(sessions)-1).Draw(t, "bad")
			l.cost = true
			sessions[bad].CostInUSD = -1
		}
		rec := record(t, sessions, l)
		defer rec.Release()
		rowGroup := rapid.IntRange(1, 20).Draw(t, "rowGroup")
		file := writeParquet(t, int64(rowGroup), true, rec)
		n := rapid.IntRange(2, 5).Draw(t, "goroutines")
		groups := (len(sessions) + rowGroup - 1) / rowGroup

		seq := newAggregator(t, q)
		wantErr := sessionarrow.AddParquet(context.Background(), seq, bytes.NewReader(file))
		par := newAggregator(t, q)
		err := sessionarrow.AddParquetParallel(context.Background(), par, bytes.NewReader(file), n)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("AddParquetParallel(%d) = %v, want AddParquet's %v", n, err, wantErr)
		}
		if err != nil {
			if got := rows(t, par); len(got) != 0 && groups > 1 {
				t.Fatalf("AddParquetParallel(%d) over %d row groups = %v, and added %v", n, groups, err, got)
			}
			return
		}
		if diff := cmp.Diff(rows(t, seq), rows(t, par), cmpopts.EquateApprox(1e-12, 1e-12)); diff != "" {
			t.Fatalf("%v in %v, %d goroutines (-AddParquet +AddParquetParallel):\n%s", q.Period, q.Location, n, diff)
		}
	})
}
