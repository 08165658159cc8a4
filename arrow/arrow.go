// Package arrow feeds sessions held as Apache Arrow record batches, or in
// Parquet files, to a [sessionagg.Aggregator], column by column and
// without copying them.
//
// A batch's columns are found by name, the cloud API's names matched in
// any letter case, as sessionagg's command matches CSV headers:
//
//   - startTime and endTime (required): timestamps of any unit, the same
//     for both. With a zone or without, a timestamp is read as a count of
//     its unit since 1970-01-01T00:00:00Z: Arrow's zone only says how to
//     display the instant, and a timestamp without a zone, which Arrow
//     defines as a wall-clock reading in an unknown zone, is read as a
//     reading of UTC, as most writers mean it.
//   - costInUsd: float64; without it every session costs 0.
//   - queueId, fleetId, jobId, jobName, userId, usageType, licenseProduct,
//     instanceType: strings (utf8, large_utf8 or utf8_view), plain or
//     dictionary-encoded with any integer index. A label column that is
//     missing is the empty label for every session.
//
// Columns with other names are ignored, and so are the label columns that
// the Aggregator's query neither groups nor filters by. A null in a column
// that is read is an error that names the column and the row; a column of
// another type, or two columns whose names match the same field, are
// errors that name the columns.
//
// Timestamps, costs and dictionary codes of 32-bit integers are handed to
// [sessionagg.Aggregator.AddColumns] as the Arrow arrays hold them, and
// labels as strings that view the arrays' bytes, which AddColumns copies
// only for the few labels it keeps. Other dictionary index types are
// widened to 32 bits, a copy of the codes.
package arrow

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sessionagg/sessionagg"
)

// AddRecordBatch adds the sessions of rec to a, as
// [sessionagg.Aggregator.AddColumns] adds a batch of columns. rec must not
// be released before AddRecordBatch returns, and need not be kept after.
//
// A batch that lacks startTime or endTime, has them in different units,
// has a column of the wrong type, or a null or a dictionary index beyond
// int32 in a column that is read, is refused whole: the error wraps
// [sessionagg.ErrInvalidColumns], names the column (as rec names it) and,
// for a value, the row in a *[sessionagg.RowError], and none of rec is
// added. Otherwise the errors are AddColumns's: it stops at the first
// row that Add would refuse, or whose code lies outside its dictionary,
// after adding the rows before it.
func AddRecordBatch(a *sessionagg.Aggregator, rec arrow.RecordBatch) error {
	var b batcher
	return b.add(a, rec)
}

// The fields of a session, in the order of the columns of a batch.
const (
	startTime = iota
	endTime
	costInUSD
	firstLabel
)

// fieldNames are the names of the columns, in the cloud API's spelling.
var fieldNames = [...]string{
	startTime:      "startTime",
	endTime:        "endTime",
	costInUSD:      "costInUsd",
	firstLabel + 0: "queueId",
	firstLabel + 1: "fleetId",
	firstLabel + 2: "jobId",
	firstLabel + 3: "jobName",
	firstLabel + 4: "userId",
	firstLabel + 5: "usageType",
	firstLabel + 6: "licenseProduct",
	firstLabel + 7: "instanceType",
}

// labelsOf returns the label column of c for the field f (firstLabel or
// after).
func labelsOf(c *sessionagg.Columns, f int) *sessionagg.Labels {
	return [...]*sessionagg.Labels{
		&c.QueueID, &c.FleetID, &c.JobID, &c.JobName,
		&c.UserID, &c.UsageType, &c.LicenseProduct, &c.InstanceType,
	}[f-firstLabel]
}

// groupFields maps the query's Fields to the fields of a batch.
var groupFields = map[sessionagg.Field]int{
	sessionagg.QueueID:        firstLabel + 0,
	sessionagg.FleetID:        firstLabel + 1,
	sessionagg.JobID:          firstLabel + 2,
	sessionagg.UserID:         firstLabel + 4,
	sessionagg.UsageType:      firstLabel + 5,
	sessionagg.LicenseProduct: firstLabel + 6,
	sessionagg.InstanceType:   firstLabel + 7,
}

// needed reports, for each field, whether the query of a reads it: the
// times and the cost always, a label if the query groups or filters by it,
// and the job's name with the job.
func needed(q sessionagg.Query) [len(fieldNames)]bool {
	var need [len(fieldNames)]bool
	need[startTime], need[endTime], need[costInUSD] = true, true, true
	for _, f := range q.GroupBy {
		need[groupFields[f]] = true
		if f == sessionagg.JobID {
			need[firstLabel+3] = true
		}
	}
	if len(q.QueueIDs) > 0 {
		need[groupFields[sessionagg.QueueID]] = true
	}
	if len(q.FleetIDs) > 0 {
		need[groupFields[sessionagg.FleetID]] = true
	}
	return need
}

// match returns the field that the column name names, or -1.
func match(name string) int {
	name = strings.TrimSpace(name)
	for f, n := range fieldNames {
		if strings.EqualFold(name, n) {
			return f
		}
	}
	return -1
}

// columnsOf returns, for each field, the index of the column of schema
// that holds it, or -1.
func columnsOf(schema *arrow.Schema) ([len(fieldNames)]int, error) {
	var at [len(fieldNames)]int
	for f := range at {
		at[f] = -1
	}
	for i, field := range schema.Fields() {
		f := match(field.Name)
		if f < 0 {
			continue
		}
		if at[f] >= 0 {
			return at, fmt.Errorf("%w: columns %q and %q are both %s", sessionagg.ErrInvalidColumns, schema.Field(at[f]).Name, field.Name, fieldNames[f])
		}
		at[f] = i
	}
	for _, f := range [...]int{startTime, endTime} {
		if at[f] < 0 {
			return at, fmt.Errorf("%w: no column %s", sessionagg.ErrInvalidColumns, fieldNames[f])
		}
	}
	return at, nil
}

// A batcher turns record batches into sessionagg.Columns, keeping the
// slices it needs from batch to batch.
type batcher struct {
	values [len(fieldNames)][]string // labels and dictionaries
	codes  [len(fieldNames)][]int32  // widened dictionary codes
}

// add adds the sessions of rec to a.
func (b *batcher) add(a *sessionagg.Aggregator, rec arrow.RecordBatch) error {
	c, err := b.columns(rec, needed(a.Query()))
	if err != nil {
		return err
	}
	return a.AddColumns(c)
}

// columns returns the columns of rec that need marks, as a Columns batch.
func (b *batcher) columns(rec arrow.RecordBatch, need [len(fieldNames)]bool) (sessionagg.Columns, error) {
	var c sessionagg.Columns
	at, err := columnsOf(rec.Schema())
	if err != nil {
		return c, err
	}
	var units [2]arrow.TimeUnit
	for k, f := range [...]int{startTime, endTime} {
		col := rec.Column(at[f])
		ts, ok := col.(*array.Timestamp)
		if !ok {
			return c, typeError(rec, at[f], "a timestamp")
		}
		if err := noNulls(rec, at[f]); err != nil {
			return c, err
		}
		units[k] = ts.DataType().(*arrow.TimestampType).Unit
		v := ts.TimestampValues()
		// An arrow.Timestamp is an int64.
		counts := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
		if f == startTime {
			c.Start = counts
		} else {
			c.End = counts
		}
	}
	if units[0] != units[1] {
		return c, fmt.Errorf("%w: startTime %q is in %s and endTime %q in %s: want one unit",
			sessionagg.ErrInvalidColumns, rec.ColumnName(at[startTime]), units[0], rec.ColumnName(at[endTime]), units[1])
	}
	c.Unit = units[0].Multiplier()
	if i := at[costInUSD]; i >= 0 {
		cost, ok := rec.Column(i).(*array.Float64)
		if !ok {
			return c, typeError(rec, i, "float64")
		}
		if err := noNulls(rec, i); err != nil {
			return c, err
		}
		c.CostInUSD = cost.Float64Values()
	}
	for f := firstLabel; f < len(fieldNames); f++ {
		if i := at[f]; i >= 0 && need[f] {
			if err := b.labels(rec, i, f, labelsOf(&c, f)); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// A stringArray is an Arrow array of strings: utf8, large_utf8 or
// utf8_view. Value returns a view of the array's bytes.
type stringArray interface {
	arrow.Array
	Value(i int) string
}

// labels sets l to column i of rec, which holds field f.
func (b *batcher) labels(rec arrow.RecordBatch, i, f int, l *sessionagg.Labels) error {
	col := rec.Column(i)
	if err := noNulls(rec, i); err != nil {
		return err
	}
	if s, ok := col.(stringArray); ok && isString(col.DataType()) {
		l.Values = b.views(f, s)
		return nil
	}
	d, ok := col.(*array.Dictionary)
	if !ok || !isString(d.Dictionary().DataType()) {
		return typeError(rec, i, "strings, plain or dictionary-encoded")
	}
	dict := d.Dictionary().(stringArray)
	l.Dictionary = b.views(f, dict)
	codes, row, err := b.indices(f, d.Indices(), dict.Len())
	switch {
	case err != nil && row < 0:
		return &sessionagg.FieldError{Field: rec.ColumnName(i), Value: col.DataType().String(), Err: err}
	case err != nil:
		return &sessionagg.RowError{Row: row, Err: &sessionagg.FieldError{Field: rec.ColumnName(i), Value: d.Indices().ValueStr(row), Err: err}}
	}
	l.Codes = codes
	if dict.NullN() > 0 {
		// A code of a null value is a null label.
		for row, code := range codes {
			if uint32(code) < uint32(dict.Len()) && dict.IsNull(int(code)) {
				return nullError(rec, i, row)
			}
		}
	}
	return nil
}

func isString(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	}
	return false
}

// views returns the values of s as strings that view its bytes, in a
// slice kept for the field f.
func (b *batcher) views(f int, s stringArray) []string {
	v := b.values[f][:0]
	for i := range s.Len() {
		v = append(v, s.Value(i))
	}
	b.values[f] = v
	return v
}

// indices returns the dictionary indices idx as int32s: the array's own
// values if they are int32, else a copy in a slice kept for the field f.
// An index beyond int32 is outside any dictionary: its error names the
// row.
func (b *batcher) indices(f int, idx arrow.Array, dictLen int) ([]int32, int, error) {
	if v, ok := idx.(*array.Int32); ok {
		return v.Int32Values(), 0, nil
	}
	var at func(i int) int64
	switch v := idx.(type) {
	case *array.Int8:
		at = func(i int) int64 { return int64(v.Value(i)) }
	case *array.Uint8:
		at = func(i int) int64 { return int64(v.Value(i)) }
	case *array.Int16:
		at = func(i int) int64 { return int64(v.Value(i)) }
	case *array.Uint16:
		at = func(i int) int64 { return int64(v.Value(i)) }
	case *array.Uint32:
		at = func(i int) int64 { return int64(v.Value(i)) }
	case *array.Int64:
		at = v.Value
	case *array.Uint64:
		at = func(i int) int64 { return int64(min(v.Value(i), 1<<63-1)) }
	default:
		return nil, -1, fmt.Errorf("%w: want a dictionary with integer indices", sessionagg.ErrInvalidColumns)
	}
	c := b.codes[f][:0]
	for i := range idx.Len() {
		v := at(i)
		if int64(int32(v)) != v {
			return nil, i, fmt.Errorf("%w: a code outside the dictionary of %d values (%d)", sessionagg.ErrInvalidColumns, dictLen, v)
		}
		c = append(c, int32(v))
	}
	b.codes[f] = c
	return c, 0, nil
}

// noNulls returns an error naming the first null of column i of rec, if
// it has one.
func noNulls(rec arrow.RecordBatch, i int) error {
	col := rec.Column(i)
	if col.NullN() == 0 {
		return nil
	}
	for row := range col.Len() {
		if col.IsNull(row) {
			return nullError(rec, i, row)
		}
	}
	return nil
}

// errNull is the reason of a null's error.
var errNull = fmt.Errorf("%w: a null, where every row needs a value", sessionagg.ErrInvalidColumns)

func nullError(rec arrow.RecordBatch, i, row int) error {
	return &sessionagg.RowError{Row: row, Err: &sessionagg.FieldError{Field: rec.ColumnName(i), Value: "null", Err: errNull}}
}

func typeError(rec arrow.RecordBatch, i int, want string) error {
	return &sessionagg.FieldError{Field: rec.ColumnName(i), Value: rec.Column(i).DataType().String(),
		Err: fmt.Errorf("%w: want %s", sessionagg.ErrInvalidColumns, want)}
}
