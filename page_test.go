package sessionagg_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// pageQuery is the query of the page tests: hourly in UTC, by queue.
var pageQuery = sessionagg.Query{Period: sessionagg.Hourly, GroupBy: []sessionagg.Field{sessionagg.QueueID}}

// pageSessions returns sessions that make n rows under pageQuery: one
// hour-long session per row, over two queues.
func pageSessions(n int) []sessionagg.Session {
	var s []sessionagg.Session
	for i := range n {
		start := aggAt(1, 0).Add(time.Duration(i/2) * time.Hour)
		s = append(s, sessionagg.Session{Start: start, End: start.Add(time.Hour), CostInUSD: float64(i), QueueID: []string{"a", "b"}[i%2]})
	}
	return s
}

// pageResult aggregates n rows by q.
func pageResult(t aggTB, q sessionagg.Query, n int) *sessionagg.Result {
	t.Helper()
	r := aggRun(t, q, pageSessions(n))
	if r.Len() != n {
		t.Fatalf("pageResult: %d rows, want %d", r.Len(), n)
	}
	return r
}

// TestPages checks that pages of any size, read with Pages or by passing
// each NextToken to Page, concatenate to the result's rows, that each page
// but the last is full and has a token, and that the last has none.
func TestPages(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 40).Draw(t, "rows")
		size := rapid.IntRange(-1, n+2).Draw(t, "pageSize")
		r := pageResult(t, pageQuery, n)
		want := aggRows(r)

		var fromPages []aggRow
		var pages []sessionagg.Page
		for p := range r.Pages(size) {
			pages = append(pages, p)
			for _, row := range p.Rows {
				fromPages = append(fromPages, aggRowOf(row))
			}
		}
		if diff := cmp.Diff(want, fromPages); diff != "" {
			t.Fatalf("Pages(%d) concatenated (-want +got):\n%s", size, diff)
		}
		for i, p := range pages {
			last := i == len(pages)-1
			if last != (p.NextToken == "") {
				t.Fatalf("Pages(%d): page %d of %d has NextToken %q", size, i, len(pages), p.NextToken)
			}
			if size > 0 && (len(p.Rows) > size || !last && len(p.Rows) != size) {
				t.Fatalf("Pages(%d): page %d of %d has %d rows", size, i, len(pages), len(p.Rows))
			}
		}

		var walked []aggRow
		token := ""
		for i := 0; ; i++ {
			p, err := r.Page(token, size)
			if err != nil {
				t.Fatalf("Page(%q, %d) = %v", token, size, err)
			}
			for _, row := range p.Rows {
				walked = append(walked, aggRowOf(row))
			}
			if p.NextToken == "" {
				break
			}
			if i > n {
				t.Fatalf("Page: more pages than rows")
			}
			token = p.NextToken
		}
		if diff := cmp.Diff(want, walked); diff != "" {
			t.Fatalf("Page(token, %d) walked (-want +got):\n%s", size, diff)
		}
	})
}

// TestPageTokenElsewhere checks that a token is honoured only by a result
// of the same query over the same rows: another period, zone, group-by,
// statistics, filter or window, or the same query over other data, even
// with as many rows, is an error wrapping ErrInvalidToken; the same query
// over the same data is not. Before, a token of another data set with as
// many rows returned that data set's page.
func TestPageTokenElsewhere(t *testing.T) {
	const n = 10
	r := pageResult(t, pageQuery, n)
	p, err := r.Page("", 3)
	if err != nil || p.NextToken == "" {
		t.Fatalf("Page(\"\", 3) = %v, %v; want a page with a token", p, err)
	}
	token := p.NextToken
	utc8, _ := sessionagg.ParseTimezone("UTC+8")
	other := func(change func(q *sessionagg.Query)) sessionagg.Query {
		q := pageQuery
		q.GroupBy = slices.Clone(q.GroupBy)
		change(&q)
		return q
	}
	tests := []struct {
		reason string
		q      sessionagg.Query
		rows   int
		ok     bool
	}{
		{"the same query over the same data", pageQuery, n, true},
		{"the same query with other limits", other(func(q *sessionagg.Query) { q.MaxRows = 1000 }), n, true},
		{"another period", other(func(q *sessionagg.Query) { q.Period = sessionagg.Daily }), 0, false},
		{"another zone", other(func(q *sessionagg.Query) { q.Location = utc8 }), n, false},
		{"another group-by", other(func(q *sessionagg.Query) { q.GroupBy = []sessionagg.Field{sessionagg.QueueID, sessionagg.UserID} }), n, false},
		{"other statistics", other(func(q *sessionagg.Query) { q.Statistics = []sessionagg.Statistic{sessionagg.Sum} }), n, false},
		{"a filter", other(func(q *sessionagg.Query) { q.QueueIDs = []string{"a", "b"} }), n, false},
		{"a window", other(func(q *sessionagg.Query) { q.Start = aggAt(1, 0) }), n, false},
		{"the same query over more data", pageQuery, n + 1, false},
		{"the same query over less data", pageQuery, n - 1, false},
		{"the same query over other data of as many rows", pageQuery, -n, false},
	}
	for _, tt := range tests {
		var r2 *sessionagg.Result
		switch {
		case tt.rows < 0:
			// The same rows but for one cost.
			s := pageSessions(-tt.rows)
			s[len(s)-1].CostInUSD += 0.5
			r2 = aggRun(t, tt.q, s)
		case tt.rows > 0:
			r2 = pageResult(t, tt.q, tt.rows)
		default:
			r2 = aggRun(t, tt.q, pageSessions(n))
		}
		p2, err := r2.Page(token, 3)
		if tt.ok {
			if err != nil {
				t.Errorf("%s: Page(token) = %v, want nil", tt.reason, err)
			} else if diff := cmp.Diff(aggRows(r)[3:6], aggPageRows(p2)); diff != "" {
				t.Errorf("%s: Page(token) (-want +got):\n%s", tt.reason, diff)
			}
			continue
		}
		if !errors.Is(err, sessionagg.ErrInvalidToken) {
			t.Errorf("%s: Page(token) = %v rows, %v; want an error wrapping ErrInvalidToken", tt.reason, len(p2.Rows), err)
		}
	}
}

func aggPageRows(p sessionagg.Page) []aggRow {
	var out []aggRow
	for _, row := range p.Rows {
		out = append(out, aggRowOf(row))
	}
	return out
}

// TestPageTokenCorrupted checks forged, truncated and corrupted tokens:
// each is an error wrapping ErrInvalidToken, or, where base64 ignores the
// change, the very page of the original token; never another page.
func TestPageTokenCorrupted(t *testing.T) {
	r := pageResult(t, pageQuery, 10)
	p, _ := r.Page("", 4)
	token := p.NextToken
	want, err := r.Page(token, 4)
	if err != nil {
		t.Fatal(err)
	}
	bad := []string{"x", "=", " ", token[:len(token)-1], token + "A", token + "=", " " + token, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/"
	for i := range token {
		for _, c := range []byte{alphabet[(int(token[i])+1)%len(alphabet)], alphabet[(int(token[i])+17)%len(alphabet)], '*'} {
			if c != token[i] {
				bad = append(bad, token[:i]+string(c)+token[i+1:])
			}
		}
	}
	for _, b := range bad {
		got, err := r.Page(b, 4)
		if err == nil {
			if diff := cmp.Diff(aggPageRows(want), aggPageRows(got)); diff != "" {
				t.Errorf("Page(%q), corrupted from %q: a wrong page (-want +got):\n%s", b, token, diff)
			}
			continue
		}
		if !errors.Is(err, sessionagg.ErrInvalidToken) {
			t.Errorf("Page(%q) = %v, want an error wrapping ErrInvalidToken", b, err)
		}
	}
}

// TestPageTokenStrict checks that a token is refused unless it is exactly
// one the result gave out, whitespace included, and that the error quotes
// a long token in part. Before, base64 skipped \n and \r inserted into a
// token, and a 1 MB token made a 1 MB error.
func TestPageTokenStrict(t *testing.T) {
	r := pageResult(t, pageQuery, 10)
	p, _ := r.Page("", 4)
	token := p.NextToken
	for _, b := range []string{token[:5] + "\n" + token[5:], token[:5] + "\r" + token[5:], token + "\n", "\r\n" + token} {
		if _, err := r.Page(b, 4); !errors.Is(err, sessionagg.ErrInvalidToken) {
			t.Errorf("Page(%q) = %v, want an error wrapping ErrInvalidToken", b, err)
		}
	}
	_, err := r.Page(strings.Repeat("A", 1<<20), 4)
	if !errors.Is(err, sessionagg.ErrInvalidToken) || len(err.Error()) > 200 {
		t.Errorf("Page of a 1 MB token: an error of %d bytes, want at most 200 wrapping ErrInvalidToken", len(err.Error()))
	}
}

// FuzzPageToken feeds strings to Result.Page as tokens: it must not panic,
// its errors must wrap ErrInvalidToken, and a token it accepts must be one
// that the result itself gave out, and give consecutive rows of the
// result from the offset it stands for, ending at the end exactly when
// there is no next token.
func FuzzPageToken(f *testing.F) {
	r := pageResult(f, pageQuery, 12)
	all := aggRows(r)
	// issued[k] is the token for the rows from k on.
	issued := map[string]int{}
	for k := 1; k < len(all); k++ {
		p, _ := r.Page("", k)
		issued[p.NextToken] = k
	}
	for _, size := range []int{1, 5, 11} {
		for p := range r.Pages(size) {
			f.Add(p.NextToken, size)
		}
	}
	f.Add("not a token", 3)
	f.Add("AQAAAAAAAAAFAAAAAAAAAAAAAAAAAAAAAA", 3)
	f.Fuzz(func(t *testing.T, token string, size int) {
		p, err := r.Page(token, size)
		if err != nil {
			if !errors.Is(err, sessionagg.ErrInvalidToken) {
				t.Fatalf("Page(%q, %d) = %v, want an error wrapping ErrInvalidToken", token, size, err)
			}
			return
		}
		got := aggPageRows(p)
		if size > 0 && len(got) > size {
			t.Fatalf("Page(%q, %d): %d rows", token, size, len(got))
		}
		if len(got) == 0 {
			if len(all) > 0 {
				t.Fatalf("Page(%q, %d): no rows of %d", token, size, len(all))
			}
			return
		}
		off, ok := issued[token]
		if token == "" {
			off, ok = 0, true
		}
		if !ok {
			t.Fatalf("Page(%q, %d) accepted a token the result never gave out", token, size)
		}
		if off+len(got) > len(all) || !cmp.Equal(all[off:off+len(got)], got) {
			t.Fatalf("Page(%q, %d) = %v, not consecutive rows of the result", token, size, got)
		}
		if (off+len(got) == len(all)) != (p.NextToken == "") {
			t.Fatalf("Page(%q, %d): rows %d to %d of %d, NextToken %q", token, size, off, off+len(got), len(all), p.NextToken)
		}
	})
}
