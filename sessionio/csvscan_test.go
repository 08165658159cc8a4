package sessionio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scanAll returns the records of text as csvScanner reads them, with the
// line each starts on, or the first error.
func scanAll(text string) ([][]string, []int, error) {
	sc := newCSVScanner(strings.NewReader(text))
	var recs [][]string
	var lines []int
	for {
		rec, err := sc.next()
		if err == io.EOF {
			return recs, lines, nil
		}
		if err != nil {
			return recs, lines, err
		}
		var r []string
		for _, f := range rec {
			r = append(r, string(f))
		}
		recs = append(recs, r)
		lines = append(lines, sc.start)
	}
}

func TestCSVScanner(t *testing.T) {
	for _, tc := range []struct {
		reason string
		in     string
		want   [][]string
		lines  []int
		err    string
	}{
		{reason: "empty input has no records", in: "", want: nil},
		{reason: "a BOM alone is empty", in: "\xef\xbb\xbf", want: nil},
		{reason: "plain fields", in: "a,b,c\n1,2,3\n", want: [][]string{{"a", "b", "c"}, {"1", "2", "3"}}, lines: []int{1, 2}},
		{reason: "no final newline", in: "a,b\n1,2", want: [][]string{{"a", "b"}, {"1", "2"}}, lines: []int{1, 2}},
		{reason: "CRLF line ends", in: "a,b\r\n1,2\r\n", want: [][]string{{"a", "b"}, {"1", "2"}}, lines: []int{1, 2}},
		{reason: "a BOM is dropped", in: "\xef\xbb\xbfa,b\n", want: [][]string{{"a", "b"}}, lines: []int{1}},
		{reason: "blank lines are skipped and counted", in: "a\n\n\r\nb\n", want: [][]string{{"a"}, {"b"}}, lines: []int{1, 4}},
		{reason: "empty fields", in: ",,\n", want: [][]string{{"", "", ""}}, lines: []int{1}},
		{reason: "quoted comma and doubled quote", in: `"a,b","say ""hi""",c` + "\n", want: [][]string{{"a,b", `say "hi"`, "c"}}, lines: []int{1}},
		{reason: "quoted empty field", in: `"",x` + "\n", want: [][]string{{"", "x"}}, lines: []int{1}},
		{reason: "a quoted field over two lines", in: "\"a\nb\",c\r\nd\n", want: [][]string{{"a\nb", "c"}, {"d"}}, lines: []int{1, 3}},
		{reason: "CRLF inside quotes reads as LF", in: "\"a\r\nb\"\n", want: [][]string{{"a\nb"}}, lines: []int{1}},
		{reason: "a quoted last field at the end", in: `x,"y"`, want: [][]string{{"x", "y"}}, lines: []int{1}},
		{reason: "a bare quote is an error", in: "a\nb\"c\n", err: `line 2: bare "`},
		{reason: "text after a closing quote is an error", in: "\"a\"b\n", err: `line 1: extraneous "`},
		{reason: "an unclosed quote is an error", in: "x\n\"abc\ndef\n", err: `line 2: quoted field not closed`},
	} {
		got, lines, err := scanAll(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: scan(%q) error = %v, want %q", tc.reason, tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: scan(%q) error = %v", tc.reason, tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: scan(%q) (-want +got):\n%s", tc.reason, tc.in, diff)
		}
		if diff := cmp.Diff(tc.lines, lines); diff != "" {
			t.Errorf("%s: scan(%q) lines (-want +got):\n%s", tc.reason, tc.in, diff)
		}
	}
}

// TestCSVScannerLongLine checks lines longer than the read buffer, quoted
// and not.
func TestCSVScannerLongLine(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	in := "a," + long + "\n\"" + long + "\n" + long + "\",b\n"
	got, _, err := scanAll(in)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a", long}, {long + "\n" + long, "b"}}
	if !cmp.Equal(want, got) {
		t.Errorf("long lines read wrongly")
	}
}

// readCSV returns the records of text as encoding/csv reads them.
func readCSV(text string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}

// FuzzCSVScanner checks that csvScanner reads what encoding/csv reads,
// after a byte order mark, and fails where it fails.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n", "\"a,b\",\"c\"\"d\"\r\n", "\"a\nb\"\n", "a\"b\n", "\"a\"b\n", "\"abc",
		"\n\n\r\n", "a\r", "\"\"\r", "x,\"\n\"\r\n", "\xef\xbb\xbfa,b", "\r\r\n", ",\n,", "\"a\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		text := string(bytes.TrimPrefix(in, utf8BOM))
		want, wantErr := readCSV(text)
		got, _, err := scanAll(string(in))
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("scan(%q) error = %v, encoding/csv's %v", in, err, wantErr)
		}
		var se *Error
		if err != nil && (!errors.As(err, &se) || !errors.Is(err, ErrSyntax)) {
			t.Fatalf("scan(%q) error = %v, want an *Error wrapping ErrSyntax", in, err)
		}
		if err == nil && !cmp.Equal(want, got) {
			t.Fatalf("scan(%q) (-encoding/csv +scan):\n%s", in, cmp.Diff(want, got))
		}
	})
}
