package sessionbeam

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/sessionagg/sessionagg"
)

// Rows are rows of a query, as Aggregate and AggregateSharded produce
// them: all of them, or those of one bucket and one shard of the groups.
// Its Beam coder carries the query (in the form that travels to workers)
// and the library's Aggregator.MarshalBinary, so a Rows can go through any
// transform and still give its Result. The zero Rows is not valid.
type Rows struct {
	spec  spec
	w     window
	shard int
	data  []byte
}

// Result returns the rows as a sessionagg.Result, in the query's order
// (by bucket start, then by the group's labels), with times in the query's
// zone.
func (r Rows) Result() (*sessionagg.Result, error) {
	q, err := r.spec.query()
	if err != nil {
		return nil, err
	}
	p := Partial{w: r.w, data: r.data}
	if err := p.load(&q); err != nil {
		return nil, err
	}
	return p.agg.Result()
}

// JSONLines returns the rows as JSON objects in the cloud API's row shape,
// as the "statistics" of sessionagg.Result.MarshalJSON, one a line without
// the newline, in order.
func (r Rows) JSONLines() iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		res, err := r.Result()
		if err != nil {
			yield(nil, err)
			return
		}
		for line, err := range resultLines(res) {
			if !yield(line, err) || err != nil {
				return
			}
		}
	}
}

// resultLines cuts the library's JSON of res, {"statistics":[ROW,...],
// ...}, into its rows, byte for byte as the library writes them.
func resultLines(res *sessionagg.Result) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		b, err := res.MarshalJSON()
		if err != nil {
			yield(nil, err)
			return
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		for _, want := range []any{json.Delim('{'), "statistics", json.Delim('[')} {
			if tok, err := dec.Token(); err != nil || tok != want {
				yield(nil, fmt.Errorf("sessionbeam: unexpected JSON from sessionagg.Result at %v", tok))
				return
			}
		}
		for dec.More() {
			var row json.RawMessage
			if err := dec.Decode(&row); err != nil {
				yield(nil, err)
				return
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

const rowsVersion = 1

// EncodeRows returns the binary form of r: a byte of version, the query
// as JSON (a uvarint length, then the bytes), the bucket r is narrowed to
// if any, and the Aggregator's binary form. It is r's registered Beam
// coder.
func EncodeRows(r Rows) ([]byte, error) {
	js, err := json.Marshal(&r.spec)
	if err != nil {
		return nil, err
	}
	b := []byte{rowsVersion}
	b = appendString(b, string(js))
	b = appendWindow(b, r.w)
	b = binary.AppendUvarint(b, uint64(r.shard))
	return append(b, r.data...), nil
}

// DecodeRows returns the Rows that EncodeRows encoded in data. Data that
// is truncated, corrupted or of another version is an error wrapping
// ErrInvalidData; the Aggregator's bytes are checked by Rows.Result.
func DecodeRows(data []byte) (Rows, error) {
	d := decoder{data: data}
	if v := d.byte(); v != rowsVersion && d.err == nil {
		return Rows{}, fmt.Errorf("%w: Rows version %d, want %d", ErrInvalidData, v, rowsVersion)
	}
	js := d.bytes()
	w := d.window()
	shard := d.uvarint()
	if d.err != nil {
		return Rows{}, d.err
	}
	var r Rows
	if err := json.Unmarshal(js, &r.spec); err != nil {
		return Rows{}, fmt.Errorf("%w: Rows query: %v", ErrInvalidData, err)
	}
	r.w, r.shard, r.data = w, int(shard), d.data
	return r, nil
}
