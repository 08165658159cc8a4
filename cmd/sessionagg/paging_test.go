package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pages runs the query args page by page, following the next tokens, and
// returns each page's standard output.
func pages(t *testing.T, format string, size int, args ...string) []string {
	t.Helper()
	var out []string
	token := ""
	for n := 0; ; n++ {
		if n > 1000 {
			t.Fatal("more than 1000 pages")
		}
		a := append([]string{"-format", format, "-max-results", strconv.Itoa(size)}, args...)
		if token != "" {
			a = append(a, "-next-token", token)
		}
		stdout, stderr, status := runCmd(t, "", a...)
		if status != 0 {
			t.Fatalf("sessionagg %s: exit %d: %s", strings.Join(a, " "), status, stderr)
		}
		out = append(out, stdout)
		if format == "json" {
			var p struct{ NextToken string }
			if err := json.Unmarshal([]byte(stdout), &p); err != nil {
				t.Fatal(err)
			}
			if stderr != "" {
				t.Errorf("json: stderr %q, want nothing: the token is in the output", stderr)
			}
			token = p.NextToken
		} else {
			next, ok := strings.CutPrefix(stderr, "next token: ")
			if !ok && stderr != "" {
				t.Fatalf("stderr %q, want a next token or nothing", stderr)
			}
			token = strings.TrimSpace(next)
		}
		if token == "" {
			return out
		}
	}
}

// TestPagesConcatenate checks that the pages of a query, read through
// their next tokens, hold the rows of the query without pages, in order,
// in every format and for several page sizes.
func TestPagesConcatenate(t *testing.T) {
	query := []string{"-group-by", "QUEUE_ID,JOB_ID", "-statistics", "SUM,MAX", "-timezone", "UTC+8", demoFile}
	for _, size := range []int{1, 7, 50, 1000} {
		// CSV: the header once, then the rows.
		all := mustRun(t, "", append([]string{"-format", "csv"}, query...)...)
		header, _, _ := strings.Cut(all, "\n")
		var got strings.Builder
		for i, p := range pages(t, "csv", size, query...) {
			h, rows, _ := strings.Cut(p, "\n")
			if h != header {
				t.Errorf("csv page %d header %q, want %q", i, h, header)
			}
			if i == 0 {
				got.WriteString(h + "\n")
			}
			got.WriteString(rows)
		}
		if diff := cmp.Diff(all, got.String()); diff != "" {
			t.Errorf("csv pages of %d (-all +pages):\n%s", size, diff)
		}

		// JSON: the statistics arrays joined.
		var want struct{ Statistics []json.RawMessage }
		if err := json.Unmarshal([]byte(mustRun(t, "", append([]string{"-format", "json"}, query...)...)), &want); err != nil {
			t.Fatal(err)
		}
		var rows []json.RawMessage
		ps := pages(t, "json", size, query...)
		for i, p := range ps {
			var page struct {
				Statistics []json.RawMessage
				NextToken  *string
			}
			if err := json.Unmarshal([]byte(p), &page); err != nil {
				t.Fatal(err)
			}
			if (page.NextToken == nil) != (i == len(ps)-1) {
				t.Errorf("json page %d of %d: nextToken %v; want one on every page but the last", i, len(ps), page.NextToken)
			}
			if len(page.Statistics) > size {
				t.Errorf("json page %d has %d rows, more than %d", i, len(page.Statistics), size)
			}
			rows = append(rows, page.Statistics...)
		}
		if diff := cmp.Diff(compact(t, want.Statistics), compact(t, rows)); diff != "" {
			t.Errorf("json pages of %d (-all +pages):\n%s", size, diff)
		}

		// Table: the same rows, though each page aligns its own columns.
		allRows := strings.Split(strings.TrimSuffix(mustRun(t, "", query...), "\n"), "\n")
		var tableRows []string
		for _, p := range pages(t, "table", size, query...) {
			tableRows = append(tableRows, strings.Split(strings.TrimSuffix(p, "\n"), "\n")[1:]...)
		}
		if diff := cmp.Diff(fields(allRows[1:]), fields(tableRows)); diff != "" {
			t.Errorf("table pages of %d (-all +pages):\n%s", size, diff)
		}
	}
}

func compact(t *testing.T, rows []json.RawMessage) []string {
	var out []string
	for _, r := range rows {
		var b bytes.Buffer
		if err := json.Compact(&b, r); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.String())
	}
	return out
}

func fields(lines []string) [][]string {
	var out [][]string
	for _, l := range lines {
		out = append(out, strings.Fields(l))
	}
	return out
}

// TestTokenOfAnotherQuery checks that a next token works only with the
// query and the data that made it.
func TestTokenOfAnotherQuery(t *testing.T) {
	args := []string{"-group-by", "JOB_ID", "-max-results", "3", demoFile}
	token := firstToken(t, args...)
	if out := mustRun(t, "", append(args, "-next-token", token)...); out == "" {
		t.Fatal("the token does not work with its own query")
	}
	for _, tc := range []struct {
		reason string
		args   []string
		stdin  string
	}{
		{"another period", []string{"-group-by", "JOB_ID", "-period", "week", demoFile}, ""},
		{"another group", []string{"-group-by", "USER_ID", demoFile}, ""},
		{"other statistics", []string{"-group-by", "JOB_ID", "-statistics", "SUM", demoFile}, ""},
		{"another zone", []string{"-group-by", "JOB_ID", "-timezone", "UTC+1", demoFile}, ""},
		{"a window", []string{"-group-by", "JOB_ID", "-start", "2026-02-01T00:00:00Z", demoFile}, ""},
		{"a filter", []string{"-group-by", "JOB_ID", "-queue-ids", "queue-fx,queue-comp,queue-lighting", demoFile}, ""},
		{"other data", []string{"-group-by", "JOB_ID", "-"}, header + strings.Repeat(good, 5)},
		{"a changed token", []string{"-group-by", "JOB_ID", demoFile}, "flip"},
	} {
		tok := token
		if tc.stdin == "flip" {
			tok = token[:10] + string(token[10]^1) + token[11:]
		}
		args := append(tc.args, "-next-token", tok, "-format", "csv")
		out, errOut, status := runCmd(t, tc.stdin, args...)
		if status != 2 || out != "" || !strings.Contains(errOut, "-next-token") {
			t.Errorf("%s: sessionagg %s: exit %d, stdout %q, stderr %q; want exit 2 and nothing on stdout", tc.reason, strings.Join(args, " "), status, out, errOut)
		}
	}
}
