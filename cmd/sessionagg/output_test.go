package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppendCSVField checks that labels read back whole through
// encoding/csv, and are quoted only when they must be.
func TestAppendCSVField(t *testing.T) {
	for _, tc := range []struct {
		reason, in string
		quoted     bool
	}{
		{"plain", "queue-1", false},
		{"empty", "", false},
		{"a comma", "a,b", true},
		{"a quote", `say "hi"`, true},
		{"a line break", "a\nb", true},
		{"a carriage return", "a\rb", true},
		{"a leading space", " a", true},
		{"a trailing space", "a ", false},
		{"a tab", "a\tb", false},
		{"a leading tab", "\ta", true},
		{"backslash dot", `\.`, true},
		{"non-ASCII", "日本", false},
	} {
		b := appendCSVField(nil, tc.in)
		if quoted := strings.HasPrefix(string(b), `"`); quoted != tc.quoted {
			t.Errorf("%s: appendCSVField(%q) = %s, quoted %v, want %v", tc.reason, tc.in, b, quoted, tc.quoted)
		}
		rec, err := csv.NewReader(bytes.NewReader(append(append(b, ",x"...), '\n'))).Read()
		want := strings.ReplaceAll(tc.in, "\r\n", "\n")
		if err != nil || len(rec) != 2 || rec[0] != want {
			t.Errorf("%s: appendCSVField(%q) = %s, which reads back as %q, %v", tc.reason, tc.in, b, rec, err)
		}
	}
}

func TestFormatRuntime(t *testing.T) {
	for _, tc := range []struct {
		secs float64
		want string
	}{
		{0, "0:00:00"}, {0.4, "0:00:00"}, {59.5, "0:01:00"}, {900, "0:15:00"}, {13 * 3600, "13:00:00"},
		{1234*3600 + 5*60 + 9, "1234:05:09"}, {1e16, "2.77778e+12h"},
	} {
		if got := formatRuntime(tc.secs); got != tc.want {
			t.Errorf("formatRuntime(%v) = %q, want %q", tc.secs, got, tc.want)
		}
	}
}

// FuzzIndentJSON checks that indentJSON writes what json.Indent writes, for
// any compact JSON, the golden files' among the seeds.
func FuzzIndentJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[],"b":{},"c":[1,{"d":"x,y:{"}]}`, `"\"\\"`, `{"statistics":[],"status":"COMPLETED"}`} {
		f.Add([]byte(s))
	}
	golden, _ := filepath.Glob("testdata/golden/*.json")
	for _, name := range golden {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var src bytes.Buffer
		if json.Compact(&src, b) != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, src.Bytes(), "", "  "); err != nil {
			t.Fatalf("json.Indent(%q) = %v", src.Bytes(), err)
		}
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		indentJSON(w, src.Bytes())
		w.Flush()
		if got.String() != want.String() {
			t.Fatalf("indentJSON(%q) =\n%s\nwant\n%s", src.Bytes(), got.Bytes(), want.Bytes())
		}
	})
}
