package sessionagg_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// binaryQuery is the query of the binary tests: hourly in UTC+05:45, grouped
// by queue and job, so that rows carry job names.
func binaryQuery(t testing.TB) sessionagg.Query {
	loc, err := sessionagg.ParseTimezone("UTC+5:45")
	if err != nil {
		t.Fatal(err)
	}
	return sessionagg.Query{
		Start:    time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		End:      time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
		Period:   sessionagg.Hourly,
		Location: loc,
		GroupBy:  []sessionagg.Field{sessionagg.QueueID, sessionagg.JobID},
	}
}

// genSession draws a session around the window of binaryQuery.
func genSession(t *rapid.T) sessionagg.Session {
	base := time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)
	start := base.Add(time.Duration(rapid.Int64Range(0, 5*24*3600).Draw(t, "start")) * time.Second)
	return sessionagg.Session{
		Start:     start,
		End:       start.Add(time.Duration(rapid.Int64Range(0, 30*3600*1e3).Draw(t, "ms")) * time.Millisecond),
		CostInUSD: rapid.Float64Range(0, 100).Draw(t, "cost"),
		QueueID:   rapid.SampledFrom([]string{"q-1", "q-2", ""}).Draw(t, "queue"),
		JobID:     rapid.SampledFrom([]string{"j-1", "j-2"}).Draw(t, "job"),
		JobName:   rapid.SampledFrom([]string{"", "render", "bake"}).Draw(t, "name"),
	}
}

// tb is the part of testing.TB that rapid.T has too.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func rows(t tb, a *sessionagg.Aggregator) []sessionagg.Row {
	t.Helper()
	r, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	return slices.Collect(r.Rows())
}

var statsCmp = cmp.AllowUnexported(sessionagg.Stats{})

// TestBinaryRoundTrip checks that what MarshalBinary writes, UnmarshalBinary
// reads back into the same rows, and that merging decoded shards equals
// aggregating everything in one Aggregator.
func TestBinaryRoundTrip(t *testing.T) {
	q := binaryQuery(t)
	rapid.Check(t, func(t *rapid.T) {
		sessions := rapid.SliceOfN(rapid.Custom(genSession), 0, 40).Draw(t, "sessions")
		cut := rapid.IntRange(0, len(sessions)).Draw(t, "cut")
		all, _ := sessionagg.NewAggregator(q)
		shard1, _ := sessionagg.NewAggregator(q)
		shard2, _ := sessionagg.NewAggregator(q)
		for i, s := range sessions {
			all.Add(s)
			if i < cut {
				shard1.Add(s)
			} else {
				shard2.Add(s)
			}
		}
		data, err := all.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, _ := sessionagg.NewAggregator(q)
		if err := back.UnmarshalBinary(data); err != nil {
			t.Fatalf("UnmarshalBinary(MarshalBinary()) = %v", err)
		}
		if diff := cmp.Diff(rows(t, all), rows(t, back), statsCmp); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		again, _ := back.AppendBinary([]byte("prefix"))
		if !slices.Equal(again[len("prefix"):], data) {
			t.Fatalf("AppendBinary after a round trip differs from MarshalBinary")
		}

		// Ship shard 2 as bytes and merge it into shard 1.
		b2, _ := shard2.MarshalBinary()
		remote, _ := sessionagg.NewAggregator(q)
		if err := remote.UnmarshalBinary(b2); err != nil {
			t.Fatal(err)
		}
		if err := shard1.Merge(remote); err != nil {
			t.Fatal(err)
		}
		want, got := rows(t, all), rows(t, shard1)
		if diff := cmp.Diff(want, got, statsCmp, approxStats()); diff != "" {
			t.Fatalf("merged shards (-want +got):\n%s", diff)
		}
	})
}

// approxStats compares Stats by value, with sums equal to a relative 1e-9.
func approxStats() cmp.Option {
	return cmp.Comparer(func(x, y sessionagg.Stats) bool {
		near := func(a, b float64) bool {
			d := a - b
			if d < 0 {
				d = -d
			}
			m := max(a, b, -a, -b)
			return d <= 1e-9*m || d < 1e-12
		}
		return x.Count() == y.Count() && x.Min() == y.Min() && x.Max() == y.Max() && near(x.Sum(), y.Sum())
	})
}

// TestUnmarshalBinaryErrors checks the errors of UnmarshalBinary, and that
// the receiver is unchanged after each.
func TestUnmarshalBinaryErrors(t *testing.T) {
	q := binaryQuery(t)
	a, _ := sessionagg.NewAggregator(q)
	a.Add(sessionagg.Session{Start: q.Start, End: q.Start.Add(90 * time.Minute), CostInUSD: 3, QueueID: "q", JobID: "j", JobName: "n"})
	good, _ := a.MarshalBinary()

	other := q
	other.Period = sessionagg.Daily
	o, _ := sessionagg.NewAggregator(other)
	o.Add(sessionagg.Session{Start: q.Start, End: q.Start.Add(time.Hour)})
	otherData, _ := o.MarshalBinary()

	tests := []struct {
		reason string
		data   []byte
		want   error
	}{
		{"empty", nil, sessionagg.ErrInvalidData},
		{"bad magic", []byte("XAGG\x01"), sessionagg.ErrInvalidData},
		{"future version", append([]byte("SAGG"), 3), sessionagg.ErrInvalidData},
		{"version 1", reseal(append(append([]byte("SAGG\x01"), good[5:]...), 0, 0, 0, 0)), sessionagg.ErrInvalidData},
		{"truncated", good[:len(good)-1], sessionagg.ErrInvalidData},
		{"trailing byte", append(slices.Clone(good), 0), sessionagg.ErrInvalidData},
		{"another query", otherData, sessionagg.ErrMismatch},
	}
	for _, tt := range tests {
		before := rows(t, a)
		err := a.UnmarshalBinary(tt.data)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: UnmarshalBinary = %v, want %v", tt.reason, err, tt.want)
		}
		if diff := cmp.Diff(before, rows(t, a), statsCmp); diff != "" {
			t.Errorf("%s: receiver changed on error (-before +after):\n%s", tt.reason, diff)
		}
	}
}

// FuzzUnmarshalBinary checks that any bytes either decode into rows that
// an aggregation could have made, and encode back to the same bytes, or
// fail with one of the documented errors, leaving the receiver unchanged;
// never a panic. Each input is tried as it is and with its checksum
// recomputed, so that the fuzzer reaches past the checksum.
func FuzzUnmarshalBinary(f *testing.F) {
	q := binaryQuery(f)
	a, _ := sessionagg.NewAggregator(q)
	for _, d := range []int{0, 30, 200, 5000} {
		start := q.Start.Add(time.Duration(d) * time.Minute)
		a.Add(sessionagg.Session{Start: start, End: start.Add(100 * time.Minute), CostInUSD: 2, QueueID: "q", JobID: "j", JobName: "x"})
		a.Add(sessionagg.Session{Start: start, End: start.Add(10 * time.Minute), CostInUSD: 1, QueueID: "p", JobID: "j"})
		data, _ := a.MarshalBinary()
		f.Add(data)
	}
	f.Add([]byte("SAGG\x02"))
	receiver, _ := sessionagg.NewAggregator(q)
	receiver.Add(sessionagg.Session{Start: q.Start, End: q.Start.Add(time.Hour), CostInUSD: 1, QueueID: "r"})
	before := rows(f, receiver)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, data := range [][]byte{data, reseal(data)} {
			a := receiver
			err := a.UnmarshalBinary(data)
			if err != nil {
				if !errors.Is(err, sessionagg.ErrInvalidData) && !errors.Is(err, sessionagg.ErrMismatch) && !errors.Is(err, sessionagg.ErrTooLarge) {
					t.Fatalf("UnmarshalBinary = %v, want an error wrapping ErrInvalidData, ErrMismatch or ErrTooLarge", err)
				}
				if diff := cmp.Diff(before, rows(t, a), statsCmp); diff != "" {
					t.Fatalf("receiver changed on error %v (-before +after):\n%s", err, diff)
				}
				continue
			}
			again, err := a.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, data) {
				t.Fatalf("decoded data encodes to other bytes:\n%x\nwant\n%x", again, data)
			}
			checkRows(t, q, rows(t, a))
			r, _ := a.Result()
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("json.Marshal of decoded rows: %v", err)
			}
			receiver, _ = sessionagg.NewAggregator(q)
			receiver.Add(sessionagg.Session{Start: q.Start, End: q.Start.Add(time.Hour), CostInUSD: 1, QueueID: "r"})
		}
	})
}

// reseal returns data with its last four bytes replaced by the CRC-32
// (Castagnoli) of the bytes before them, as the binary form ends.
func reseal(data []byte) []byte {
	if len(data) < 4 {
		return data
	}
	n := len(data) - 4
	return binary.LittleEndian.AppendUint32(slices.Clone(data[:n]), crc32.Checksum(data[:n], crc32.MakeTable(crc32.Castagnoli)))
}

// checkRows fails t unless rows could come out of an aggregation by q:
// in order, each once, with a count of at least one, finite sums, means
// between minimums and maximums, runtimes within the row's bucket and
// costs within MaxCostInUSD.
func checkRows(t tb, q sessionagg.Query, rows []sessionagg.Row) {
	t.Helper()
	for i, r := range rows {
		if i > 0 {
			p := rows[i-1]
			if c := p.Start.Compare(r.Start); c > 0 || c == 0 && slices.Compare(groupOf(q, p), groupOf(q, r)) >= 0 {
				t.Fatalf("row %d is out of order or repeated: %+v after %+v", i, r, p)
			}
		}
		if r.Count < 1 || !r.Start.Before(r.End) {
			t.Fatalf("row %d: count %d, [%v, %v)", i, r.Count, r.Start, r.End)
		}
		for _, s := range []struct {
			name string
			s    sessionagg.Stats
			most float64
		}{{"runtime", r.RuntimeInSeconds, r.End.Sub(r.Start).Seconds()}, {"cost", r.CostInUSD, sessionagg.MaxCostInUSD}} {
			st := s.s
			if st.Count() != r.Count || math.IsInf(st.Sum(), 0) || math.IsNaN(st.Sum()) || st.Sum() < 0 ||
				!(0 <= st.Min() && st.Min() <= st.Avg() && st.Avg() <= st.Max() && st.Max() <= s.most) ||
				math.Abs(st.Sum()/float64(st.Count())-st.Avg()) > 1e-9*st.Max() {
				t.Fatalf("row %d: %s count %d, sum %v, min %v, avg %v, max %v: inconsistent (at most %v)", i, s.name, st.Count(), st.Sum(), st.Min(), st.Avg(), st.Max(), s.most)
			}
		}
	}
}

func groupOf(q sessionagg.Query, r sessionagg.Row) []string {
	var g []string
	for _, f := range q.GroupBy {
		g = append(g, r.Label(f))
	}
	return g
}

// TestUnmarshalBinaryCorruption checks that changing any one byte of an
// encoded Aggregator, or cutting it short anywhere, is an error. Before
// the checksum, a count of 5 decoded as 90, and "alice" as "aZice".
func TestUnmarshalBinaryCorruption(t *testing.T) {
	q := binaryQuery(t)
	a, _ := sessionagg.NewAggregator(q)
	for i := range 5 {
		start := q.Start.Add(time.Duration(i) * 37 * time.Minute)
		a.Add(sessionagg.Session{Start: start, End: start.Add(20 * time.Minute), CostInUSD: 1.5, QueueID: "alice", JobID: "j-1", JobName: "render"})
	}
	good, _ := a.MarshalBinary()
	for off := range good {
		for _, mask := range []byte{0x01, 0x10, 0x80, 0xff, 0x5a} {
			data := slices.Clone(good)
			data[off] ^= mask
			b, _ := sessionagg.NewAggregator(q)
			if err := b.UnmarshalBinary(data); err == nil {
				t.Errorf("byte %d ^ %#x: UnmarshalBinary accepted corrupt data", off, mask)
			}
		}
	}
	for n := range len(good) {
		b, _ := sessionagg.NewAggregator(q)
		if err := b.UnmarshalBinary(good[:n]); !errors.Is(err, sessionagg.ErrInvalidData) {
			t.Errorf("first %d of %d bytes: UnmarshalBinary = %v, want ErrInvalidData", n, len(good), err)
		}
	}
}

// A rawCell is a cell of the binary form, written by encodeRaw as its
// documentation says, to craft data that MarshalBinary would not write.
type rawCell struct {
	group  uint64
	labels []string // written after the group number when not nil
	start  int64
	end    int64
	count  uint64
	f      [8]float64 // runtime sum, compensation, min, max; then cost's
	job    string
	raw    []byte // if set, the cell's bytes, written instead
}

// encodeRaw writes the binary form of cells for the query whose empty
// Aggregator's binary form is empty: its header, the cells, a checksum.
func encodeRaw(empty []byte, cells []rawCell) []byte {
	b := slices.Clone(empty[:len(empty)-6]) // less the stream byte (0), the cell count (0) and the checksum
	// The stream: not closed; the range of the cells' buckets, if any.
	lo, hi, ever := int64(math.MaxInt64), int64(math.MinInt64), false
	for _, c := range cells {
		if c.raw == nil {
			lo, hi, ever = min(lo, c.start), max(hi, c.end), true
		}
	}
	if ever {
		b = append(b, 2)
		b = binary.AppendVarint(b, lo)
		b = binary.AppendVarint(b, hi)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(cells)))
	str := func(s string) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	for _, c := range cells {
		if c.raw != nil {
			b = append(b, c.raw...)
			continue
		}
		b = binary.AppendUvarint(b, c.group)
		for _, l := range c.labels {
			str(l)
		}
		b = binary.AppendVarint(b, c.start)
		b = binary.AppendVarint(b, c.end)
		b = binary.AppendUvarint(b, c.count)
		for _, f := range c.f {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
		}
		str(c.job)
	}
	return reseal(append(b, 0, 0, 0, 0))
}

// TestUnmarshalBinaryInvariants checks that UnmarshalBinary refuses, with
// ErrInvalidData, cells that no aggregation can produce, even with a
// correct checksum; and that the documented layout is the one
// MarshalBinary writes.
func TestUnmarshalBinaryInvariants(t *testing.T) {
	q := binaryQuery(t) // hourly in UTC+05:45: buckets start at a quarter past
	empty, _ := sessionagg.NewAggregator(q)
	head, _ := empty.MarshalBinary()
	h := q.Start.Add(15 * time.Minute).Unix() // a bucket [h, h+3600) of the window
	// One session of 30 minutes costing 2, in two groups.
	a, _ := sessionagg.NewAggregator(q)
	s := sessionagg.Session{Start: time.Unix(h, 0), End: time.Unix(h+1800, 0), CostInUSD: 2, QueueID: "q", JobID: "j", JobName: "n"}
	a.Add(s)
	s.QueueID, s.JobName = "r", ""
	a.Add(s)
	want, _ := a.MarshalBinary()
	ok := func() []rawCell {
		return []rawCell{
			{group: 0, labels: []string{"q", "j"}, start: h, end: h + 3600, count: 1, f: [8]float64{1800, 0, 1800, 1800, 2, 0, 2, 2}, job: "n"},
			{group: 1, labels: []string{"r", "j"}, start: h, end: h + 3600, count: 1, f: [8]float64{1800, 0, 1800, 1800, 2, 0, 2, 2}},
		}
	}
	if got := encodeRaw(head, ok()); !bytes.Equal(got, want) {
		t.Fatalf("the documented layout:\n%x\nMarshalBinary:\n%x", got, want)
	}
	tests := []struct {
		reason string
		change func(c []rawCell) []rawCell
	}{
		{"a count of zero", func(c []rawCell) []rawCell { c[0].count = 0; return c }},
		{"a count above MaxInt64", func(c []rawCell) []rawCell { c[0].count = 1 << 63; return c }},
		{"a sum that is infinite", func(c []rawCell) []rawCell { c[0].f[4] = math.Inf(1); return c }},
		{"a NaN", func(c []rawCell) []rawCell { c[0].f[5] = math.NaN(); return c }},
		{"a sum of 1e300 with a max of 0", func(c []rawCell) []rawCell { c[0].f[4], c[0].f[6], c[0].f[7] = 1e300, 0, 0; return c }},
		{"a min above the max", func(c []rawCell) []rawCell { c[0].f[2] = 1801; return c }},
		{"a negative min", func(c []rawCell) []rawCell { c[0].f[6] = -1; return c }},
		{"a mean below the min", func(c []rawCell) []rawCell { c[0].count = 2; return c }},
		{"a compensation larger than the sum", func(c []rawCell) []rawCell { c[0].f[0], c[0].f[1] = 1, 1799; return c }},
		{"a compensation larger than rounding can make", func(c []rawCell) []rawCell { c[0].f[4], c[0].f[5] = 1.5, 0.5; return c }},
		{"more runtime than the bucket holds", func(c []rawCell) []rawCell {
			c[0].f = [8]float64{3601, 0, 3601, 3601, 2, 0, 2, 2}
			return c
		}},
		{"more runtime than the window leaves of the bucket", func(c []rawCell) []rawCell {
			first := q.Start.Add(-45 * time.Minute).Unix() // [23:15, 00:15), clipped to 15 minutes
			c[0].start, c[0].end, c[0].f = first, first+3600, [8]float64{901, 0, 901, 901, 2, 0, 2, 2}
			c[1].start, c[1].end = first, first+3600
			return c
		}},
		{"a cost above MaxCostInUSD", func(c []rawCell) []rawCell {
			m := 2 * sessionagg.MaxCostInUSD
			c[0].f[4], c[0].f[6], c[0].f[7] = m, m, m
			return c
		}},
		{"a bucket that is not the query's", func(c []rawCell) []rawCell { c[0].start, c[0].end = h+60, h+3660; return c }},
		{"a bucket outside the window", func(c []rawCell) []rawCell {
			c[0].start, c[0].end = h-7*86400, h-7*86400+3600
			return c
		}},
		{"the same row twice", func(c []rawCell) []rawCell {
			return append(c, rawCell{group: 0, start: h, end: h + 3600, count: 1, f: c[0].f})
		}},
		{"rows out of order", func(c []rawCell) []rawCell { c[0].labels, c[1].labels = c[1].labels, c[0].labels; return c }},
		{"a later bucket first", func(c []rawCell) []rawCell {
			c[0].start, c[0].end = h+3600, h+7200
			return c
		}},
		{"two groups with the same labels", func(c []rawCell) []rawCell {
			c[1].labels = c[0].labels
			c[1].start, c[1].end = h+3600, h+7200
			return c
		}},
		{"a group number that skips one", func(c []rawCell) []rawCell { c[1].group = 2; return c }},
		{"a new group without its labels", func(c []rawCell) []rawCell {
			c[1].labels = nil
			return c
		}},
		{"a cost of -0, which aggregation writes as 0", func(c []rawCell) []rawCell {
			negZero := math.Copysign(0, -1)
			c[0].f[4], c[0].f[6], c[0].f[7] = negZero, negZero, negZero
			return c
		}},
		{"a job name in a query not grouped by job", nil},
		{"a count that is not in its shortest encoding", func(c []rawCell) []rawCell {
			var b []byte
			b = append(b, 0, 1, 'q', 1, 'j')
			b = binary.AppendVarint(b, h)
			b = binary.AppendVarint(b, h+3600)
			b = append(b, 0x81, 0x00) // 1, in two bytes
			for _, f := range c[0].f {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
			}
			b = append(b, 1, 'n')
			c[0].raw = b
			return c
		}},
		{"more cells than the bytes can hold", func(c []rawCell) []rawCell { return c }},
	}
	for _, tt := range tests {
		var data []byte
		switch {
		case tt.change == nil: // the job name case: another query
			ungrouped := q
			ungrouped.GroupBy = []sessionagg.Field{sessionagg.QueueID}
			e, _ := sessionagg.NewAggregator(ungrouped)
			head, _ := e.MarshalBinary()
			data = encodeRaw(head, []rawCell{{group: 0, labels: []string{"q"}, start: h, end: h + 3600, count: 1, f: ok()[0].f, job: "n"}})
			a, _ = sessionagg.NewAggregator(ungrouped)
		case tt.reason == "more cells than the bytes can hold":
			data = encodeRaw(head, ok())
			// Claim a million cells.
			i := len(head) - 5
			data = reseal(slices.Concat(data[:i], binary.AppendUvarint(nil, 1e6), data[i+1:]))
			a, _ = sessionagg.NewAggregator(q)
		default:
			data = encodeRaw(head, tt.change(ok()))
			a, _ = sessionagg.NewAggregator(q)
		}
		a.Add(sessionagg.Session{Start: time.Unix(h, 0), End: time.Unix(h+60, 0), QueueID: "before"})
		before := rows(t, a)
		err := a.UnmarshalBinary(data)
		if !errors.Is(err, sessionagg.ErrInvalidData) {
			t.Errorf("%s: UnmarshalBinary = %v, want ErrInvalidData", tt.reason, err)
		}
		if diff := cmp.Diff(before, rows(t, a), statsCmp); diff != "" {
			t.Errorf("%s: receiver changed on error (-before +after):\n%s", tt.reason, diff)
		}
	}
}

// TestUnmarshalBinaryFilter checks that, in a query of queue ids grouped
// by queue, a row of another queue is ErrInvalidData: no aggregation by
// the query makes it.
func TestUnmarshalBinaryFilter(t *testing.T) {
	q := binaryQuery(t)
	q.QueueIDs = []string{"q"}
	empty, _ := sessionagg.NewAggregator(q)
	head, _ := empty.MarshalBinary()
	h := q.Start.Add(15 * time.Minute).Unix()
	for _, tt := range []struct {
		reason, queue string
		want          error
	}{
		{"a queue of the query", "q", nil},
		{"a queue the query leaves out", "r", sessionagg.ErrInvalidData},
	} {
		data := encodeRaw(head, []rawCell{{group: 0, labels: []string{tt.queue, "j"}, start: h, end: h + 3600, count: 1, f: [8]float64{1800, 0, 1800, 1800, 2, 0, 2, 2}}})
		a, _ := sessionagg.NewAggregator(q)
		if err := a.UnmarshalBinary(data); !errors.Is(err, tt.want) {
			t.Errorf("%s: UnmarshalBinary = %v, want %v", tt.reason, err, tt.want)
		}
	}
}

// TestCompensationBound checks that what real aggregations make passes
// UnmarshalBinary's bound on the compensation of a sum: costs of every
// magnitude, many in one row, added and merged in shards in any order.
func TestCompensationBound(t *testing.T) {
	q := sessionagg.Query{Start: aggAt(1, 0), End: aggAt(2, 0)}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 300).Draw(t, "n")
		shards := make([]*sessionagg.Aggregator, rapid.IntRange(1, 8).Draw(t, "shards"))
		for i := range shards {
			shards[i], _ = sessionagg.NewAggregator(q)
		}
		for i := range n {
			start := aggAt(1, 0).Add(time.Duration(rapid.IntRange(0, 86399).Draw(t, "start")) * time.Second)
			cost := math.Ldexp(rapid.Float64Range(1, 2).Draw(t, "mantissa"), rapid.IntRange(-60, 60).Draw(t, "exp"))
			s := sessionagg.Session{Start: start, End: start.Add(time.Duration(rapid.Int64Range(0, 86400e9).Draw(t, "ns"))), CostInUSD: cost}
			if err := shards[rapid.IntRange(0, len(shards)-1).Draw(t, fmt.Sprint("shard", i))].Add(s); err != nil {
				t.Fatal(err)
			}
		}
		for len(shards) > 1 {
			i := rapid.IntRange(1, len(shards)-1).Draw(t, "merge")
			if err := shards[0].Merge(shards[i]); err != nil {
				t.Fatal(err)
			}
			shards = slices.Delete(shards, i, i+1)
		}
		data, err := shards[0].MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := sessionagg.NewAggregator(q)
		if err := b.UnmarshalBinary(data); err != nil {
			t.Fatalf("UnmarshalBinary of what aggregation made: %v", err)
		}
	})
}

// hostileBlobs returns crafted binary forms of about n bytes for the
// query q, each with a correct checksum, that UnmarshalBinary must refuse
// without allocating in proportion to what they claim.
func hostileBlobs(t testing.TB, q sessionagg.Query, n int) map[string][]byte {
	e, _ := sessionagg.NewAggregator(q)
	empty, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	head := empty[:len(empty)-5] // magic, version, query
	blob := func(count uint64, fill byte) []byte {
		b := binary.AppendUvarint(slices.Clone(head), count)
		b = append(b, bytes.Repeat([]byte{fill}, n)...)
		return reseal(append(b, 0, 0, 0, 0))
	}
	a, _ := sessionagg.NewAggregator(q)
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		start := base.Add(time.Duration(i) * time.Hour)
		a.Add(sessionagg.Session{Start: start, End: start.Add(time.Minute), QueueID: fmt.Sprint("q-", i%7)})
	}
	valid, _ := a.MarshalBinary()
	// Valid cells, repeated to the length, with the cell count of all of
	// them: the rows go out of order at the first repetition, and at the
	// end the last byte is wrong.
	cells := valid[len(head)+2 : len(valid)-4]
	many := slices.Clone(head)
	var body []byte
	for len(body) < n {
		body = append(body, cells...)
	}
	many = binary.AppendUvarint(many, uint64(len(body)/(len(cells)/1000)))
	many = reseal(append(append(many, body...), 0, 0, 0, 0))
	// Valid cells in order, as many as fit in n bytes, and the last one
	// with a count of zero: the longest check there is.
	const groups = 20
	r, _ := a.Result()
	cellLen := (len(valid) - len(head)) / r.Len() // about
	a, _ = sessionagg.NewAggregator(q)
	days := n / cellLen / groups
	for d := range days {
		start := base.AddDate(0, 0, d)
		for g := range groups {
			a.Add(sessionagg.Session{Start: start, End: start.Add(time.Minute), QueueID: fmt.Sprint("q-", g)})
		}
	}
	full, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	last := slices.Clone(full)
	// The count is the byte before the 64 bytes of floats and the empty
	// job name that end the last cell.
	last[len(last)-4-1-64-1] = 0
	blobs := map[string][]byte{
		"valid cells then a count of 0": reseal(last),
		"a count of 1e7 then zeros":     blob(1e7, 0),
		"a count of n then zeros":       blob(uint64(n), 0),
		"a count of n then ones":        blob(uint64(n), 1),
		"valid cells out of order":      many,
	}
	if len(q.GroupBy) == 1 {
		blobs["two long labels in every bucket"] = longLabels(head, n)
	}
	return blobs
}

// longLabels returns a binary form of about n bytes, after the header
// head, of a query grouped by one field: two groups whose labels are 40%
// of n each and differ in their last byte, each with a one-minute piece in
// every day of 2026 and on, in order but for the last day, where they come
// the wrong way round. Checking the order by comparing the labels of
// neighbouring cells took minutes for 100 MB.
func longLabels(head []byte, n int) []byte {
	label := bytes.Repeat([]byte{'x'}, n*2/5)
	cellLen := 1 + 5 + 5 + 1 + 64 + 1 // about
	days := (n - 2*len(label)) / (2 * cellLen)
	b := binary.AppendUvarint(slices.Clone(head), uint64(2*days))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for d := range days {
		order := [2]int{0, 1}
		if d == days-1 {
			order = [2]int{1, 0}
		}
		for _, g := range order {
			b = binary.AppendUvarint(b, uint64(g))
			if d == 0 {
				label[len(label)-1] = 'a' + byte(g)
				b = binary.AppendUvarint(b, uint64(len(label)))
				b = append(b, label...)
			}
			start := base + int64(d)*86400
			b = binary.AppendVarint(b, start)
			b = binary.AppendVarint(b, start+86400)
			b = binary.AppendUvarint(b, 1)
			for _, f := range [8]float64{60, 0, 60, 60, 0, 0, 0, 0} {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
			}
			b = append(b, 0) // no job name
		}
	}
	return reseal(append(b, 0, 0, 0, 0))
}

// TestUnmarshalBinaryHostileMemory checks that decoding allocates in
// proportion to the rows of valid data, not to what hostile data claims:
// 100 MB blobs that claim millions of groups or cells are refused having
// allocated less than a tenth of their size. Before, a 10 MB blob took
// 3.4 GB and 24 seconds to refuse.
func TestUnmarshalBinaryHostileMemory(t *testing.T) {
	size := 100 << 20
	if testing.Short() {
		size = 10 << 20
	}
	for _, q := range []sessionagg.Query{{}, {GroupBy: []sessionagg.Field{sessionagg.QueueID}}} {
		for name, blob := range hostileBlobs(t, q, size) {
			a, _ := sessionagg.NewAggregator(q)
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			err := a.UnmarshalBinary(blob)
			runtime.ReadMemStats(&m1)
			if !errors.Is(err, sessionagg.ErrInvalidData) {
				t.Errorf("%v, %s: UnmarshalBinary = %v, want ErrInvalidData", q.GroupBy, name, err)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > uint64(len(blob)/10) {
				t.Errorf("%v, %s: UnmarshalBinary of %d MB allocated %d MB", q.GroupBy, name, len(blob)>>20, alloc>>20)
			}
		}
	}
}

// BenchmarkUnmarshalBinaryHostile measures the time and the memory that
// refusing 100 MB of hostile data takes.
func BenchmarkUnmarshalBinaryHostile(b *testing.B) {
	q := sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}}
	for name, blob := range hostileBlobs(b, q, 100<<20) {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(blob)))
			for range b.N {
				a, _ := sessionagg.NewAggregator(q)
				if err := a.UnmarshalBinary(blob); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// TestUnmarshalBinaryLimits checks that decoding applies the receiver's
// limits: rows that an aggregator with MaxBuckets or MaxRows could not hold
// are an error wrapping ErrTooLarge, as they would be for Add.
func TestUnmarshalBinaryLimits(t *testing.T) {
	q := sessionagg.Query{Period: sessionagg.Daily} // open window
	a, _ := sessionagg.NewAggregator(q)
	for _, d := range []int{1, 20, 40} {
		start := time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC)
		a.Add(sessionagg.Session{Start: start, End: start.Add(time.Hour)})
	}
	data, _ := a.MarshalBinary()
	for _, lim := range []struct {
		reason string
		q      sessionagg.Query
	}{
		{"40 days of buckets, MaxBuckets 10", sessionagg.Query{Period: sessionagg.Daily, MaxBuckets: 10}},
		{"3 rows, MaxRows 2", sessionagg.Query{Period: sessionagg.Daily, MaxRows: 2}},
	} {
		b, err := sessionagg.NewAggregator(lim.q)
		if err != nil {
			t.Fatal(err)
		}
		// The limits are not part of the query's identity: the data is
		// accepted or refused on them alone.
		if err := b.UnmarshalBinary(data); !errors.Is(err, sessionagg.ErrTooLarge) {
			t.Errorf("%s: UnmarshalBinary = %v, want ErrTooLarge", lim.reason, err)
		}
		if r, _ := b.Result(); r.Len() != 0 {
			t.Errorf("%s: receiver changed on error: %d rows", lim.reason, r.Len())
		}
	}
}
