package sessionagg_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// colUnits are the units of Columns.
var colUnits = []time.Duration{time.Second, time.Millisecond, time.Microsecond, time.Nanosecond}

// colLabel is a label column's name in errors and its value in a Session.
var colLabels = []struct {
	name string
	get  func(s *sessionagg.Session) string
	col  func(c *sessionagg.Columns) *sessionagg.Labels
}{
	{"queueId", func(s *sessionagg.Session) string { return s.QueueID }, func(c *sessionagg.Columns) *sessionagg.Labels { return &c.QueueID }},
	{"fleetId", func(s *sessionagg.Session) string { return s.FleetID }, func(c *sessionagg.Columns) *sessionagg.Labels { return &c.FleetID }},
	{"jobId", func(s *sessionagg.Session) string { return s.JobID }, func(c *sessionagg.Columns) *sessionagg.Labels { return &c.JobID }},
	{"jobName", func(s *sessionagg.Session) string { return s.JobName }, func(c *sessionagg.Columns) *sessionagg.Labels { return &c.JobName }},
	{"userId", func(s *sessionagg.Session) string { return s.UserID }, func(c *sessionagg.Columns) *sessionagg.Labels { return &c.UserID }},
	{"usageType", func(s *sessionagg.Session) string { return s.UsageType }, func(c *sessionagg.Columns) *sessionagg.Labels { return &c.UsageType }},
	{"licenseProduct", func(s *sessionagg.Session) string { return s.LicenseProduct }, func(c *sessionagg.Columns) *sessionagg.Labels { return &c.LicenseProduct }},
	{"instanceType", func(s *sessionagg.Session) string { return s.InstanceType }, func(c *sessionagg.Columns) *sessionagg.Labels { return &c.InstanceType }},
}

// colCount returns t as a count of unit since 1970, t being a whole
// number of units.
func colCount(t time.Time, unit time.Duration) int64 {
	switch unit {
	case time.Second:
		return t.Unix()
	case time.Millisecond:
		return t.UnixMilli()
	case time.Microsecond:
		return t.UnixMicro()
	}
	return t.UnixNano()
}

// colDraw draws a Columns batch of the sessions, in unit: each label plain,
// dictionary-coded (in a shuffled dictionary with duplicates and values no
// row uses), or left out where every row's label is empty.
func colDraw(t *rapid.T, sessions []sessionagg.Session, unit time.Duration) sessionagg.Columns {
	c := sessionagg.Columns{Unit: unit, Start: make([]int64, len(sessions)), End: make([]int64, len(sessions))}
	for i := range sessions {
		c.Start[i], c.End[i] = colCount(sessions[i].Start, unit), colCount(sessions[i].End, unit)
	}
	allFree := true
	for _, s := range sessions {
		allFree = allFree && s.CostInUSD == 0
	}
	if !allFree || rapid.Bool().Draw(t, "costColumn") {
		c.CostInUSD = make([]float64, len(sessions))
		for i, s := range sessions {
			c.CostInUSD[i] = s.CostInUSD
		}
	}
	for _, lc := range colLabels {
		var values []string
		empty := true
		for i := range sessions {
			v := lc.get(&sessions[i])
			values = append(values, v)
			empty = empty && v == ""
		}
		l := lc.col(&c)
		switch kind := rapid.IntRange(0, 2).Draw(t, lc.name+"Kind"); {
		case kind == 0 && empty:
		case kind == 1:
			l.Values = values
		default:
			dict := append(slices.Clone(values), rapid.SliceOfN(rapid.SampledFrom([]string{"unused", "", "q-1"}), 0, 3).Draw(t, lc.name+"Extra")...)
			dict = rapid.Permutation(dict).Draw(t, lc.name+"Dictionary")
			l.Dictionary, l.Codes = dict, make([]int32, len(values))
			for i, v := range values {
				// Any of the codes of v: the dictionary may repeat it.
				var codes []int32
				for j, d := range dict {
					if d == v {
						codes = append(codes, int32(j))
					}
				}
				l.Codes[i] = rapid.SampledFrom(codes).Draw(t, lc.name+"Code")
			}
		}
	}
	return c
}

// colSlice returns rows [i, j) of c.
func colSlice(c sessionagg.Columns, i, j int) sessionagg.Columns {
	c.Start, c.End = c.Start[i:j], c.End[i:j]
	if c.CostInUSD != nil {
		c.CostInUSD = c.CostInUSD[i:j]
	}
	for _, lc := range colLabels {
		l := lc.col(&c)
		if l.Values != nil {
			l.Values = l.Values[i:j]
		}
		if l.Codes != nil {
			l.Codes = l.Codes[i:j]
		}
	}
	return c
}

// colBreak, now and then, spoils the session at a random row, as Add
// would refuse it, in sessions and in c alike.
func colBreak(t *rapid.T, sessions []sessionagg.Session, c *sessionagg.Columns) {
	if len(sessions) == 0 || rapid.IntRange(0, 3).Draw(t, "break") > 0 {
		return
	}
	i := rapid.IntRange(0, len(sessions)-1).Draw(t, "brokenRow")
	s := &sessions[i]
	switch rapid.IntRange(0, 2).Draw(t, "how") {
	case 0: // the end before the start
		c.End[i] = c.Start[i] - 1
		s.End = s.Start.Add(-c.Unit)
	default: // a cost that is not a number, negative or too large
		cost := rapid.SampledFrom([]float64{math.NaN(), -1, math.Inf(1), 2 * sessionagg.MaxCostInUSD}).Draw(t, "badCost")
		if c.CostInUSD == nil {
			c.CostInUSD = make([]float64, len(sessions))
		}
		c.CostInUSD[i], s.CostInUSD = cost, cost
	}
}

// TestAddColumnsIsAdd checks that adding a batch of columns, in one call
// or several, gives the rows and the errors of adding its sessions one by
// one with Add: over every period and zone, windows, filters, group-bys,
// units, plain and dictionary-coded labels, invalid rows and limits.
func TestAddColumnsIsAdd(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 40)
		if rapid.IntRange(0, 4).Draw(t, "limited") == 0 {
			q.MaxRows = rapid.IntRange(1, 20).Draw(t, "maxRows")
		}
		unit := rapid.SampledFrom(colUnits).Draw(t, "unit")
		for i := range sessions {
			// Whole units: time.Time counts from the year 1, a whole
			// number of seconds before 1970.
			sessions[i].Start, sessions[i].End = sessions[i].Start.Truncate(unit), sessions[i].End.Truncate(unit)
		}
		c := colDraw(t, sessions, unit)
		colBreak(t, sessions, &c)

		want, err := sessionagg.NewAggregator(q)
		if err != nil {
			t.Fatalf("NewAggregator(%s) = %v", aggDescribe(q), err)
		}
		var wantErr error
		for i := range sessions {
			if err := want.Add(sessions[i]); err != nil {
				wantErr = &sessionagg.RowError{Row: i, Err: err}
				break
			}
		}

		got, _ := sessionagg.NewAggregator(q)
		var gotErr error
		cuts := rapid.SliceOfN(rapid.IntRange(0, len(sessions)), 0, 3).Draw(t, "cuts")
		cuts = append(cuts, 0, len(sessions))
		slices.Sort(cuts)
		for k := 0; k+1 < len(cuts) && gotErr == nil; k++ {
			if err := got.AddColumns(colSlice(c, cuts[k], cuts[k+1])); err != nil {
				var re *sessionagg.RowError
				if !errors.As(err, &re) {
					t.Fatalf("AddColumns = %v, want a *RowError", err)
				}
				gotErr = &sessionagg.RowError{Row: cuts[k] + re.Row, Err: re.Err}
			}
		}
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("%s in %v: AddColumns = %v, want %v", aggDescribe(q), unit, gotErr, wantErr)
		}
		for _, sentinel := range []error{sessionagg.ErrInvalidSession, sessionagg.ErrTooLarge, sessionagg.ErrInvalidColumns} {
			if errors.Is(gotErr, sentinel) != errors.Is(wantErr, sentinel) {
				t.Fatalf("errors.Is(%v, %v) = %t, want %t", gotErr, sentinel, errors.Is(gotErr, sentinel), !errors.Is(gotErr, sentinel))
			}
		}
		wr, werr := want.Result()
		gr, gerr := got.Result()
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: Result after AddColumns = %v, want %v", aggDescribe(q), gerr, werr)
		}
		if werr != nil {
			return
		}
		if diff := cmp.Diff(aggRows(wr), aggRows(gr)); diff != "" {
			t.Fatalf("%s in %v: rows of AddColumns (-want +got):\n%s", aggDescribe(q), unit, diff)
		}
	})
}

// TestAddColumnsErrors checks the errors of malformed batches, which leave
// the Aggregator unchanged, and of rows that only a batch can get wrong.
func TestAddColumnsErrors(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	ok := func() sessionagg.Columns {
		return sessionagg.Columns{Unit: time.Second, Start: []int64{day, day + 60}, End: []int64{day + 60, day + 120}}
	}
	for _, tc := range []struct {
		reason  string
		columns func() sessionagg.Columns
		want    string
		is      error
		rows    int // the rows added before the error
	}{{
		reason:  "the unit is required: a zero unit would read any counts without a word",
		columns: func() sessionagg.Columns { c := ok(); c.Unit = 0; return c },
		want:    `sessionagg: invalid columns: unit "0s": want time.Second, time.Millisecond, time.Microsecond or time.Nanosecond`,
		is:      sessionagg.ErrInvalidColumns,
	}, {
		reason:  "minutes are not a unit of Arrow or Parquet timestamps",
		columns: func() sessionagg.Columns { c := ok(); c.Unit = time.Minute; return c },
		want:    `sessionagg: invalid columns: unit "1m0s": want time.Second, time.Millisecond, time.Microsecond or time.Nanosecond`,
		is:      sessionagg.ErrInvalidColumns,
	}, {
		reason:  "every column has a value per row",
		columns: func() sessionagg.Columns { c := ok(); c.End = c.End[:1]; return c },
		want:    `sessionagg: invalid columns: endTime "1 rows": want 2, as many as startTime`,
		is:      sessionagg.ErrInvalidColumns,
	}, {
		reason:  "a cost column, when set, has a value per row",
		columns: func() sessionagg.Columns { c := ok(); c.CostInUSD = []float64{1, 2, 3}; return c },
		want:    `sessionagg: invalid columns: costInUsd "3 rows": want 2, as many as startTime`,
		is:      sessionagg.ErrInvalidColumns,
	}, {
		reason:  "a label column, when set, has a value per row",
		columns: func() sessionagg.Columns { c := ok(); c.UserID.Values = []string{"u"}; return c },
		want:    `sessionagg: invalid columns: userId "1 rows": want 2, as many as startTime`,
		is:      sessionagg.ErrInvalidColumns,
	}, {
		reason: "codes too",
		columns: func() sessionagg.Columns {
			c := ok()
			c.LicenseProduct = sessionagg.Labels{Codes: []int32{0}, Dictionary: []string{"maya"}}
			return c
		},
		want: `sessionagg: invalid columns: licenseProduct "1 rows": want 2, as many as startTime`,
		is:   sessionagg.ErrInvalidColumns,
	}, {
		reason: "values and codes both: which would be the labels?",
		columns: func() sessionagg.Columns {
			c := ok()
			c.QueueID = sessionagg.Labels{Values: []string{"a", "b"}, Codes: []int32{0, 0}, Dictionary: []string{"a"}}
			return c
		},
		want: `sessionagg: invalid columns: queueId "values and codes": want values or codes into a dictionary, not both`,
		is:   sessionagg.ErrInvalidColumns,
	}, {
		reason:  "a dictionary without codes is a column that lost its codes, not an empty one",
		columns: func() sessionagg.Columns { c := ok(); c.JobName.Dictionary = []string{"render"}; return c },
		want:    `sessionagg: invalid columns: jobName "a dictionary without codes": want codes into it, one per row`,
		is:      sessionagg.ErrInvalidColumns,
	}, {
		reason: "a code outside the dictionary stops at its row, after the rows before it",
		columns: func() sessionagg.Columns {
			c := ok()
			c.InstanceType = sessionagg.Labels{Codes: []int32{1, 2}, Dictionary: []string{"a", "b"}}
			return c
		},
		want: `row 1: sessionagg: invalid columns: instanceType "2": a code outside the dictionary of 2 values`,
		is:   sessionagg.ErrInvalidColumns,
		rows: 1,
	}, {
		reason: "a negative code is outside the dictionary too",
		columns: func() sessionagg.Columns {
			c := ok()
			c.FleetID = sessionagg.Labels{Codes: []int32{-1, 0}, Dictionary: []string{"a"}}
			return c
		},
		want: `row 0: sessionagg: invalid columns: fleetId "-1": a code outside the dictionary of 1 values`,
		is:   sessionagg.ErrInvalidColumns,
	}, {
		reason:  "seconds beyond time.Time's range are an invalid session, not a wrapped-around time",
		columns: func() sessionagg.Columns { c := ok(); c.End[1] = math.MaxInt64; return c },
		want:    `row 1: sessionagg: invalid session: endTime "9223372036854775807 s": beyond the range of time.Time`,
		is:      sessionagg.ErrInvalidSession,
		rows:    1,
	}, {
		reason:  "an end before the start is Add's error, with the row",
		columns: func() sessionagg.Columns { c := ok(); c.End[0] = day - 1; return c },
		want:    `row 0: sessionagg: invalid session: endTime "2026-02-28T23:59:59Z": before startTime 2026-03-01T00:00:00Z`,
		is:      sessionagg.ErrInvalidSession,
	}, {
		reason:  "so is a cost that is not a number",
		columns: func() sessionagg.Columns { c := ok(); c.CostInUSD = []float64{1, math.NaN()}; return c },
		want:    `row 1: sessionagg: invalid session: costInUsd "NaN": want a finite number, zero or more and at most 1.9e+289`,
		is:      sessionagg.ErrInvalidSession,
		rows:    1,
	}} {
		a, err := sessionagg.NewAggregator(sessionagg.Query{Period: sessionagg.Hourly})
		if err != nil {
			t.Fatal(err)
		}
		err = a.AddColumns(tc.columns())
		if err == nil || err.Error() != tc.want || !errors.Is(err, tc.is) {
			t.Errorf("%s:\nAddColumns = %v\nwant %v, wrapping %v", tc.reason, err, tc.want, tc.is)
			continue
		}
		var fe *sessionagg.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: AddColumns = %v, want a *FieldError naming the column", tc.reason, err)
		}
		r, err := a.Result()
		if err != nil {
			t.Fatalf("%s: Result = %v after an invalid batch, want the rows before it", tc.reason, err)
		}
		var count int64
		for row := range r.Rows() {
			count += row.Count
		}
		if count != int64(tc.rows) {
			t.Errorf("%s: %d rows added before the error, want %d", tc.reason, count, tc.rows)
		}
	}
}

// TestAddColumnsEmpty checks that a batch of no rows is no error, however
// its label columns are set: an Arrow array of no rows has empty codes
// and may have a dictionary, or not.
func TestAddColumnsEmpty(t *testing.T) {
	a, err := sessionagg.NewAggregator(sessionagg.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []sessionagg.Columns{
		{Unit: time.Second},
		{Unit: time.Second, Start: []int64{}, End: []int64{}, QueueID: sessionagg.Labels{Dictionary: []string{"q"}}},
		{Unit: time.Nanosecond, QueueID: sessionagg.Labels{Codes: []int32{}, Dictionary: []string{"q"}}, UserID: sessionagg.Labels{Values: []string{}}},
	} {
		if err := a.AddColumns(c); err != nil {
			t.Errorf("AddColumns(%+v) = %v, want nil", c, err)
		}
	}
}

// TestAddColumnsUnits checks that the four units read the same instants,
// before 1970 too, where a count divided towards zero would be a unit
// late.
func TestAddColumnsUnits(t *testing.T) {
	start := time.Date(1969, 12, 31, 23, 59, 58, 123456789, time.UTC)
	end := time.Date(1970, 1, 1, 0, 0, 1, 987654321, time.UTC)
	q := sessionagg.Query{Period: sessionagg.Hourly}
	var want []aggRow
	for _, unit := range colUnits {
		s, e := start.Truncate(unit), end.Truncate(unit)
		wantRes := aggRun(t, q, []sessionagg.Session{{Start: s, End: e, CostInUSD: 2}})
		a, _ := sessionagg.NewAggregator(q)
		c := sessionagg.Columns{Unit: unit, Start: []int64{colCount(s, unit)}, End: []int64{colCount(e, unit)}, CostInUSD: []float64{2}}
		if err := a.AddColumns(c); err != nil {
			t.Fatalf("AddColumns(%v) = %v", unit, err)
		}
		res, err := a.Result()
		if err != nil {
			t.Fatal(err)
		}
		want = aggRows(wantRes)
		if diff := cmp.Diff(want, aggRows(res)); diff != "" {
			t.Errorf("AddColumns in %v, counts %d to %d (-want +got):\n%s", unit, c.Start[0], c.End[0], diff)
		}
	}
	// In nanoseconds: 1.876543211 s before midnight, 1.987654321 s after.
	if got := want[0].Runtime.Sum + want[1].Runtime.Sum; !aggNear(got, 3.864197532) {
		t.Errorf("the session in nanoseconds lasts %v s, want 3.864197532 s", got)
	}
}

// TestAddColumnsCopiesLabels checks that AddColumns keeps no reference to
// the bytes of a batch's labels, which may be views of a buffer that its
// owner reuses, as an Arrow reader does: rows read after the buffer is
// overwritten still have the labels of the batch.
func TestAddColumnsCopiesLabels(t *testing.T) {
	buf := []byte("q-1q-2renderj-7")
	view := func(i, j int) string { return unsafe.String(&buf[i], j-i) }
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	q := sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID, sessionagg.JobID}}
	a, err := sessionagg.NewAggregator(q)
	if err != nil {
		t.Fatal(err)
	}
	err = a.AddColumns(sessionagg.Columns{
		Unit:    time.Second,
		Start:   []int64{day, day},
		End:     []int64{day + 60, day + 60},
		QueueID: sessionagg.Labels{Values: []string{view(0, 3), view(3, 6)}},
		JobID:   sessionagg.Labels{Codes: []int32{0, 0}, Dictionary: []string{view(12, 15)}},
		JobName: sessionagg.Labels{Codes: []int32{0, 0}, Dictionary: []string{view(6, 12)}},
	})
	if err != nil {
		t.Fatalf("AddColumns = %v", err)
	}
	for i := range buf {
		buf[i] = 'X'
	}
	res, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	var got [][3]string
	for row := range res.Rows() {
		got = append(got, [3]string{row.QueueID, row.JobID, row.JobName})
	}
	want := [][3]string{{"q-1", "j-7", "render"}, {"q-2", "j-7", "render"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels after the batch's buffer changed (-want +got):\n%s", diff)
	}
}
