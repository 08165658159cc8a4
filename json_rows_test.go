package sessionagg_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	"pgregory.net/rapid"
)

// TestAppendPageJSON checks that the JSON written from the row store,
// with no Row made, is byte for byte the JSON of the Rows that Page
// makes: for every page size, statistics subset, grouping (job names
// included), empty rows filled in, windows with fractional seconds, and
// zones whose offset changes; and that AppendRowsJSON with '\n' writes
// the same rows one a line.
func TestAppendPageJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 30)
		q.FillEmpty = rapid.Bool().Draw(t, "fillEmpty")
		stats := rapid.Permutation([]sessionagg.Statistic{sessionagg.Min, sessionagg.Max, sessionagg.Avg, sessionagg.Sum}).Draw(t, "statistics")
		q.Statistics = stats[:rapid.IntRange(0, 4).Draw(t, "nStatistics")]
		res := aggRun(t, q, sessions)
		size := rapid.IntRange(0, 5).Draw(t, "pageSize")
		prefix := []byte("prefix")
		token := ""
		for page := range res.Pages(size) {
			want, err := page.MarshalJSON()
			if err != nil {
				t.Fatalf("Page.MarshalJSON: %v", err)
			}
			got, err := res.AppendPageJSON(prefix, token, size)
			if err != nil {
				t.Fatalf("AppendPageJSON(%q, %d): %v", token, size, err)
			}
			if !bytes.HasPrefix(got, prefix) {
				t.Fatalf("AppendPageJSON dropped what b held: %.20q", got)
			}
			if diff := cmp.Diff(string(want), string(got[len(prefix):])); diff != "" {
				t.Fatalf("%s: page after %q (-Page.MarshalJSON +AppendPageJSON):\n%s", aggDescribe(q), token, diff)
			}
			token = page.NextToken
		}
		all, err := res.Page("", 0)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := all.MarshalJSON()
		got, err := res.MarshalJSON()
		if err != nil {
			t.Fatalf("Result.MarshalJSON: %v", err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Fatalf("%s: (-Page.MarshalJSON +Result.MarshalJSON):\n%s", aggDescribe(q), diff)
		}
		// One a line: each line is the JSON of a page of that one row.
		jsonl := string(res.AppendRowsJSON(nil, 0, res.Len(), '\n'))
		var rows []string
		for page := range res.Pages(1) {
			if len(page.Rows) == 0 {
				break // the one page of no rows
			}
			b, _ := page.MarshalJSON()
			s := strings.TrimPrefix(string(b), `{"statistics":[`)
			rows = append(rows, s[:strings.LastIndex(s, `],"status":`)])
		}
		if diff := cmp.Diff(strings.Join(rows, "\n"), jsonl); diff != "" {
			t.Fatalf("%s: JSON Lines (-pages of one row +AppendRowsJSON):\n%s", aggDescribe(q), diff)
		}
	})
}
