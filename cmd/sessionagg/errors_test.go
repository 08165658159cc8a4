package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const good = "2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,1\n"

// TestErrors checks every way the command fails: the exit status, a
// message on standard error that says what was wrong, and nothing at all
// on standard output.
func TestErrors(t *testing.T) {
	// A file of 16 good records, then one whose end is in month 13.
	month13 := header + strings.Repeat(good, 15) + "2026-03-01T09:00:00Z,2026-13-01,1\n"
	for _, tc := range []struct {
		reason string
		stdin  string
		args   []string
		status int
		want   []string // parts of the message
	}{
		// Flags and queries: exit 2.
		{"an unknown flag", "", []string{"-bogus"}, 2, []string{"-bogus", "sessionagg -h"}},
		{"an unknown period", "", []string{"-period", "yearly"}, 2, []string{"-period", `"yearly"`, "HOURLY"}},
		{"an offset past +14", "", []string{"-timezone", "UTC+15"}, 2, []string{"-timezone", `"UTC+15"`, "-12:00"}},
		{"a lower-case zone", "", []string{"-timezone", "utc+8"}, 2, []string{"-timezone", `"utc+8"`}},
		{"minutes of 60", "", []string{"-timezone", "UTC+5:60"}, 2, []string{"-timezone"}},
		{"an unknown group-by field", "", []string{"-group-by", "QUEUE"}, 2, []string{"-group-by", `"QUEUE"`, "QUEUE_ID"}},
		{"an empty group-by item", "", []string{"-group-by", "QUEUE_ID,"}, 2, []string{"-group-by", `""`}},
		{"a repeated group-by field", "", []string{"-group-by", "QUEUE_ID,queue_id"}, 2, []string{"-group-by", "groupBy[1]", "repeated"}},
		{"COUNT as a statistic", "", []string{"-statistics", "SUM,COUNT"}, 2, []string{"-statistics", `"COUNT"`, "always"}},
		{"an empty statistic", "", []string{"-statistics", ",SUM"}, 2, []string{"-statistics", `""`}},
		{"a repeated statistic", "", []string{"-statistics", "SUM,SUM"}, 2, []string{"-statistics", "repeated"}},
		{"queues and fleets", "", []string{"-queue-ids", "q-1", "-fleet-ids", "f-1"}, 2, []string{"-queue-ids, -fleet-ids", "not both"}},
		{"eleven queues", "", []string{"-queue-ids", "1,2,3,4,5,6,7,8,9,10,11"}, 2, []string{"-queue-ids", "11 ids"}},
		{"an empty queue id", "", []string{"-queue-ids", "q-1,"}, 2, []string{"-queue-ids", "empty"}},
		{"an empty fleet id", "", []string{"-fleet-ids", ",f-1"}, 2, []string{"-fleet-ids", "empty"}},
		{"a bad start", "", []string{"-start", "2026-03-01T25:00"}, 2, []string{"-start", `"2026-03-01T25:00"`, "RFC 3339"}},
		{"a zero end, which would mean an open window", "", []string{"-start", "2026-01-01T00:00:00Z", "-end", "0001-01-01T00:00:00Z"}, 2, []string{"-end", "zero time"}},
		{"a zero start in Unix seconds", "", []string{"-start", "-62135596800"}, 2, []string{"-start", "zero time"}},
		{"a local start in a DST gap", "", []string{"-timezone", "Europe/Berlin", "-start", "2026-03-29T02:30:00"}, 2, []string{"-start", "Europe/Berlin", "skips"}},
		{"a local end in a DST fold", "", []string{"-timezone", "Europe/Berlin", "-end", "2026-10-25 02:30:00"}, 2, []string{"-end", "Europe/Berlin", "twice"}},
		{"an abbreviation for a zone", "", []string{"-timezone", "CST"}, 2, []string{"-timezone", `"CST"`, "Europe/Berlin"}},
		{"an offset without UTC", "", []string{"-input-timezone", "+08:00"}, 2, []string{"-input-timezone", `"+08:00"`}},
		{"Local is not a zone name here", "", []string{"-timezone", "Local"}, 2, []string{"-timezone"}},
		{"standard input twice", "", []string{"-", "-"}, 2, []string{"standard input"}},
		{"a bad end", "", []string{"-end", "tomorrow"}, 2, []string{"-end", `"tomorrow"`}},
		{"an end before the start", "", []string{"-start", "2026-03-02T00:00:00Z", "-end", "2026-03-01T00:00:00Z"}, 2, []string{"-end", "not after its start"}},
		{"an end equal to the start", "", []string{"-start", "1772323200", "-end", "2026-03-01T00:00:00Z"}, 2, []string{"-end", "not after its start"}},
		{"a window of too many hours", "", []string{"-period", "hour", "-start", "1900-01-01T00:00:00Z", "-end", "2100-01-01T00:00:00Z"}, 2, []string{"-period", "shorten the window"}},
		{"a negative -max-results", "", []string{"-max-results", "-1"}, 2, []string{"-max-results"}},
		{"a -max-results that is not a number", "", []string{"-max-results", "ten"}, 2, []string{"-max-results"}},
		{"an unknown output format", "", []string{"-format", "xml"}, 2, []string{"-format", "table, json or csv"}},
		{"an unknown input format", "", []string{"-input-format", "xml"}, 2, []string{"-input-format", "csv or jsonl"}},
		{"a forged token", header + good, []string{"-next-token", "AQAAAAAAAAABUXuSbv9FXWVygqfYkTZZlg", "-"}, 2, []string{"-next-token", "invalid page token"}},
		{"a token that is not base64", header + good, []string{"-next-token", "!!", "-"}, 2, []string{"-next-token", "invalid page token"}},

		// Input: exit 1.
		{"a file that does not exist", "", []string{"testdata/nonexistent.csv"}, 1, []string{"nonexistent.csv"}},
		{"month 13 on line 17", month13, []string{"-"}, 1, []string{"line 17: endTime \"2026-13-01\""}},
		{"an end before the start", header + good + "2026-03-01T10:00:00Z,1772355600,1\n", []string{"-"}, 1, []string{"line 3: endTime \"1772355600\"", "before startTime"}},
		{"a negative cost", header + "2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,-1\n", []string{"-"}, 1, []string{"line 2: costInUsd \"-1\"", "zero or more"}},
		{"a cost of NaN", header + "2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,NaN\n", []string{"-"}, 1, []string{"line 2: costInUsd \"NaN\""}},
		{"an infinite cost", header + "2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,1e999\n", []string{"-"}, 1, []string{"line 2: costInUsd \"1e999\"", "out of range"}},
		{"a cost that is not a number", header + "2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,$3\n", []string{"-"}, 1, []string{"line 2: costInUsd \"$3\""}},
		{"an empty start", header + ",2026-03-01T10:00:00Z,1\n", []string{"-"}, 1, []string{"line 2: startTime \"\"", "required"}},
		{"no endTime column", "startTime,costInUsd\n", []string{"-"}, 1, []string{"line 1", "no endTime column"}},
		{"JSON Lines read as CSV", `{"startTime": 1, "endTime": 2}` + "\n", []string{"-"}, 1, []string{"line 1", "-input-format jsonl"}},
		{"a column named twice", "startTime,endTime,startTime\n", []string{"-"}, 1, []string{"line 1", "columns 1 and 3 are both startTime"}},
		{"a record with too few fields", header + good + "2026-03-01T09:00:00Z,2026-03-01T10:00:00Z\n", []string{"-"}, 1, []string{"line 3", "2 fields, the header 3"}},
		{"a record with too many fields", header + "\n\n" + "a,b,c,d\n", []string{"-"}, 1, []string{"line 4", "4 fields"}},
		{"a bare quote", header + good + "2026\"03,x,1\n", []string{"-"}, 1, []string{"line 3", `bare "`}},
		{"an unclosed quote", header + good + "\"2026-03-01T09:00:00Z,x,1\n", []string{"-"}, 1, []string{"line 3", "not closed"}},
		{"a session over too many hours", header + "1900-01-01T00:00:00Z,2026-01-01T00:00:00Z,1\n", []string{"-period", "hour", "-"}, 1, []string{"line 2", "shorten the window"}},
		{"sessions too far apart", header + good + "0001-01-01T00:00:01Z,0001-01-01T01:00:01Z,1\n", []string{"-period", "hour", "-"}, 1, []string{"line 3", "shorten the window"}},

		// JSON Lines: exit 1.
		{"a line that is not JSON", `{"startTime": 1, "endTime": 2}` + "\n{nope}\n", []string{"-input-format", "jsonl", "-"}, 1, []string{"line 2", "not JSON"}},
		{"a line that is not an object", "\n[1, 2]\n", []string{"-input-format", "ndjson", "-"}, 1, []string{"line 2", "JSON object"}},
		{"a label that is a number", `{"startTime": 1, "endTime": 2, "userId": 7}`, []string{"-input-format", "jsonl", "-"}, 1, []string{"line 1: userId \"7\"", "string"}},
		{"a fractional Unix time", `{"startTime": 1.5, "endTime": 2}`, []string{"-input-format", "jsonl", "-"}, 1, []string{"line 1: startTime \"1.5\"", "integer"}},
		{"a time that is true", `{"startTime": true, "endTime": 2}`, []string{"-input-format", "jsonl", "-"}, 1, []string{"line 1: startTime \"true\""}},
		{"a cost that is an object", `{"startTime": 1, "endTime": 2, "costInUsd": {}}`, []string{"-input-format", "jsonl", "-"}, 1, []string{"line 1: costInUsd \"{}\"", "number"}},
		{"a missing start", `{"endTime": 2}`, []string{"-input-format", "jsonl", "-"}, 1, []string{"line 1: startTime \"\"", "required"}},
		{"a null end", `{"startTime": 1, "endTime": null}`, []string{"-input-format", "jsonl", "-"}, 1, []string{"line 1: endTime \"\""}},
		{"a key twice", `{"startTime": 1, "endTime": 2, "startTime": 3}`, []string{"-input-format", "jsonl", "-"}, 1, []string{"line 1", "two keys are startTime"}},
		{"an end before the start", "{\"startTime\": 5, \"endTime\": \"4\"}\n", []string{"-input-format", "jsonl", "-"}, 1, []string{"line 1: endTime \"4\"", "before startTime"}},
	} {
		out, errOut, status := runCmd(t, tc.stdin, tc.args...)
		if status != tc.status {
			t.Errorf("%s: sessionagg %s: exit %d, want %d; stderr: %s", tc.reason, strings.Join(tc.args, " "), status, tc.status, errOut)
		}
		if out != "" {
			t.Errorf("%s: sessionagg %s: stdout %q, want nothing", tc.reason, strings.Join(tc.args, " "), out)
		}
		if !strings.HasPrefix(errOut, "sessionagg: ") {
			t.Errorf("%s: sessionagg %s: stderr %q, want it to start with \"sessionagg: \"", tc.reason, strings.Join(tc.args, " "), errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: sessionagg %s: stderr %q, want it to contain %q", tc.reason, strings.Join(tc.args, " "), errOut, w)
			}
		}
	}
}

// TestErrorNamesFile checks that a bad record in a file is reported with
// the file's name and the line.
func TestErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(path, []byte("\n\n{\"startTime\": \"x\", \"endTime\": 2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, status := runCmd(t, "", path)
	want := "sessionagg: " + path + `: line 3: startTime "x": not a time`
	if status != 1 || out != "" || !strings.HasPrefix(errOut, want) {
		t.Errorf("sessionagg %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", path, status, out, errOut, want)
	}
}

// TestEdgeInputs checks inputs that are odd but not wrong.
func TestEdgeInputs(t *testing.T) {
	empty := mustRun(t, "", "-format", "json", "-")
	for _, tc := range []struct {
		reason string
		stdin  string
		args   []string
		want   string // the JSON output; "" for empty
	}{
		{"no input at all is an empty result", "", []string{"-"}, ""},
		{"a header alone is an empty result", header, []string{"-"}, ""},
		{"a BOM, CRLF and a header alone", "\xef\xbb\xbf" + strings.ReplaceAll(header, "\n", "\r\n"), []string{"-"}, ""},
		{"empty JSON Lines", "\n \n\t\r\n", []string{"-input-format", "jsonl", "-"}, ""},
		{"sessions outside the window", header + good, []string{"-start", "2027-01-01T00:00:00Z", "-"}, ""},
		{"sessions of other queues", "queueId," + header + "q-2," + good, []string{"-queue-ids", "q-1", "-"}, ""},
	} {
		out := mustRun(t, tc.stdin, append([]string{"-format", "json"}, tc.args...)...)
		want := tc.want
		if want == "" {
			want = empty
		}
		if out != want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.reason, out, want)
		}
	}
	if want := "{\n  \"statistics\": [],\n  \"status\": \"COMPLETED\"\n}\n"; empty != want {
		t.Errorf("an empty result is\n%s\nwant\n%s", empty, want)
	}

	// Columns in any order, quoted, with CRLF, a BOM, extra columns and a
	// zero-length session, read the same as the plain file.
	plain := header + good + "2026-03-01T11:00:00Z,2026-03-01T11:00:00Z,0.5\n"
	odd := "\xef\xbb\xbfnote,\"costInUsd\",endTime,startTime,other\r\n" +
		"\"a, \"\"quoted\"\"\nnote\",1,2026-03-01T10:00:00Z,\"2026-03-01T09:00:00Z\",\r\n" +
		"\r\n" +
		",0.5,\"2026-03-01T11:00:00Z\",2026-03-01T11:00:00Z,x\r\n"
	want := mustRun(t, plain, "-format", "json", "-period", "hour", "-")
	if got := mustRun(t, odd, "-format", "json", "-period", "hour", "-"); got != want {
		t.Errorf("the odd CSV reads as\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(want, `"count": 1`) || !strings.Contains(want, `"min": 0,`) {
		t.Errorf("the zero-length session is missing from\n%s", want)
	}
}

// TestFlagsAfterFile checks that flags may follow the file, and that "--"
// ends the flags.
func TestFlagsAfterFile(t *testing.T) {
	want := mustRun(t, "", "-format", "csv", "-period", "week", demoFile)
	if got := mustRun(t, "", demoFile, "-format", "csv", "-period", "week"); got != want {
		t.Errorf("flags after the file are not honoured:\n%s\nwant\n%s", got, want)
	}
	if _, errOut, status := runCmd(t, "", "-format", "csv", "--", demoFile, "-period"); status != 1 || !strings.Contains(errOut, "open -period") {
		t.Errorf(`after "--", -period is not a file: exit %d, %s`, status, errOut)
	}
}

// failWriter fails every write, as a closed pipe does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestWriteError checks that a failure to write the output is reported,
// with exit status 1.
func TestWriteError(t *testing.T) {
	for _, format := range []string{"table", "json", "csv"} {
		var errOut strings.Builder
		status := run([]string{"-format", format, demoFile}, nil, failWriter{}, &errOut)
		if status != 1 || !strings.Contains(errOut.String(), "writing the output: broken pipe") {
			t.Errorf("-format %s to a broken pipe: exit %d, stderr %q; want 1 and the error", format, status, errOut.String())
		}
	}
}
