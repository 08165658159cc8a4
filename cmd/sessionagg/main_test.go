package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg/sessionio"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// runCmd runs the command in-process on the standard input stdin.
func runCmd(t testing.TB, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	status = run(args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), status
}

// mustRun runs the command and fails the test unless it succeeds.
func mustRun(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	out, errOut, status := runCmd(t, stdin, args...)
	if status != 0 {
		t.Fatalf("sessionagg %s: exit %d, stderr:\n%s", strings.Join(args, " "), status, errOut)
	}
	return out
}

const demoFile = "demo/sessions.csv"

// TestGolden runs queries over the demo data and a small JSON Lines file
// in every output format and compares the output with the files in
// testdata/golden. Run "go test -update" to rewrite them after a change
// that is meant.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reason string
		args   []string
	}{
		{"default.table", "the demo file with the defaults: daily, UTC, one group, all statistics",
			[]string{demoFile}},
		{"queue-user.table", "grouped by two labels, two statistics",
			[]string{"-group-by", "QUEUE_ID,USER_ID", "-statistics", "SUM,AVG", demoFile}},
		{"weekly-usage.table", "weeks across the month end, grouped by usage and product, in a zone behind UTC",
			[]string{"-period", "week", "-timezone", "UTC-3", "-group-by", "USAGE_TYPE,LICENSE_PRODUCT", demoFile}},
		{"job-month.json", "monthly in UTC+05:30 by job, with the job's name, sums only",
			[]string{"-format", "json", "-period", "MONTHLY", "-timezone", "UTC+05:30", "-group-by", "JOB_ID", "-statistics", "SUM", demoFile}},
		{"fleet-gpu.json", "a fleet filter, grouped by instance type, daily",
			[]string{"-format", "json", "-fleet-ids", "fleet-gpu", "-group-by", "INSTANCE_TYPE", "-statistics", "MIN,MAX", demoFile}},
		{"hourly-window.csv", "hours of a window over the month end, rows clipped to it",
			[]string{"-format", "csv", "-period", "hour", "-start", "2026-02-28T21:30:00Z", "-end", "2026-03-01T02:00:00Z", "-group-by", "QUEUE_ID", demoFile}},
		{"queues-users.csv", "a queue filter, grouped by user, daily, all statistics",
			[]string{"-format", "csv", "-queue-ids", "queue-fx,queue-comp", "-group-by", "USER_ID", demoFile}},
		{"page2.csv", "the second page of five rows: the rows of the next token",
			[]string{"-format", "csv", "-group-by", "JOB_ID", "-statistics", "SUM", "-max-results", "5",
				"-next-token", firstToken(t, "-group-by", "JOB_ID", "-statistics", "SUM", "-max-results", "5", demoFile), demoFile}},
		{"tricky.json", "JSON Lines with escapes, nulls, numbers and blank lines",
			[]string{"-format", "json", "-group-by", "USER_ID,JOB_ID", "testdata/tricky.jsonl"}},
		{"tricky.table", "labels that need quoting in a table",
			[]string{"-group-by", "USER_ID,JOB_ID", "testdata/tricky.jsonl"}},
		{"tricky.csv", "labels that need quoting in CSV",
			[]string{"-format", "csv", "-group-by", "USER_ID,JOB_ID", "-statistics", "SUM", "testdata/tricky.jsonl"}},
		{"fill-empty.csv", "hours of a window with the empty ones filled in, per queue",
			[]string{"-format", "csv", "-period", "hour", "-start", "2026-03-01T00:00:00Z", "-end", "2026-03-01T06:00:00Z", "-group-by", "QUEUE_ID", "-fill-empty", demoFile}},
		{"berlin.json", "Europe/Berlin across the spring DST change, local dates for the window",
			[]string{"-format", "json", "-timezone", "Europe/Berlin", "-start", "2026-02-27", "-end", "2026-03-02", "-statistics", "SUM", demoFile}},
		{"devices.table", "the TRRO report, hourly, in a table",
			[]string{"devices", "-period", "hour", "demo/devices.csv"}},
		{"devices.json", "the TRRO report, daily, in TRRO's JSON, buckets filled in",
			[]string{"devices", "-format", "json", "-fill-empty", "-start", "2026-03-01", "-end", "2026-03-04", "demo/devices.csv"}},
		{"devices.csv", "the TRRO report for one device, hourly in UTC+8",
			[]string{"devices", "-format", "csv", "-period", "HOURLY", "-timezone", "UTC+8", "-device-id", "truck-01", "demo/devices.csv"}},
		{"desktops.table", "the Workspace report over a week, in a table",
			[]string{"desktops", "-start", "2026-03-01", "-end", "2026-03-08", "demo/desktops.csv"}},
		{"desktops.json", "the Workspace report in Berlin, sorted by usage, descending",
			[]string{"desktops", "-format", "json", "-timezone", "Europe/Berlin", "-start", "2026-03-02", "-end", "2026-03-05", "-sort-field", "usage", "-sort-type", "DESC", "demo/desktops.csv"}},
		{"desktops.csv", "the Workspace report, filtered by name and idle days",
			[]string{"desktops", "-format", "csv", "-start", "2026-03-01T00:00:00Z", "-end", "2026-03-08T00:00:00Z", "-resource-name", "DEV", "-max-idle-days", "6", "demo/desktops.csv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustRun(t, "", tc.args...)
			path := filepath.Join("testdata", "golden", tc.name)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s: sessionagg %s (-want +got):\n%s", tc.reason, strings.Join(tc.args, " "), diff)
			}
		})
	}
}

// firstToken returns the next token of the first page of the query args.
func firstToken(t *testing.T, args ...string) string {
	t.Helper()
	_, errOut, status := runCmd(t, "", args...)
	if status != 0 {
		t.Fatalf("sessionagg %s: exit %d: %s", strings.Join(args, " "), status, errOut)
	}
	token, ok := strings.CutPrefix(strings.TrimSpace(errOut), "next token: ")
	if !ok {
		t.Fatalf("sessionagg %s: no next token on stderr: %q", strings.Join(args, " "), errOut)
	}
	return token
}

// TestDemo checks that a run without a file reads the demo data, says so,
// and prints a table for people.
func TestDemo(t *testing.T) {
	out, errOut, status := runCmd(t, "")
	if status != 0 {
		t.Fatalf("sessionagg: exit %d, stderr %q", status, errOut)
	}
	if !strings.Contains(errOut, "demo") {
		t.Errorf("sessionagg: stderr = %q, want it to mention the demo data", errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 6 {
		t.Fatalf("sessionagg: %d lines, want a header and a row per day of the demo:\n%s", len(lines), out)
	}
	if fields := strings.Fields(lines[0]); len(fields) != 11 || fields[0] != "START" || fields[2] != "COUNT" {
		t.Errorf("sessionagg: header %q, want START, END, COUNT and eight statistics", lines[0])
	}
	for _, l := range lines {
		if len(l) != len(lines[0]) {
			t.Errorf("sessionagg: line %q is not as wide as the header %q", l, lines[0])
		}
	}
	file := mustRun(t, "", demoFile)
	if out != file {
		t.Errorf("sessionagg without a file wrote\n%s\nwith the demo file\n%s", out, file)
	}
}

// TestHelp checks that -h writes the usage, naming every flag, with an
// example, to standard output.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		out, errOut, status := runCmd(t, "", arg)
		if status != 0 || errOut != "" {
			t.Errorf("sessionagg %s: exit %d, stderr %q; want 0 and nothing", arg, status, errOut)
		}
		for _, want := range []string{"Usage: sessionagg", "Example:", "Exit status"} {
			if !strings.Contains(out, want) {
				t.Errorf("sessionagg %s: the usage has no %q", arg, want)
			}
		}
	}
	out, _, _ := runCmd(t, "", "-h")
	for _, limit := range []int{maxBuckets, maxRows} {
		if !strings.Contains(out, strconv.Itoa(limit)) {
			t.Errorf("the usage does not give the limit %d", limit)
		}
	}
	for _, name := range []string{"start", "end", "period", "timezone", "group-by", "statistics", "queue-ids",
		"fleet-ids", "max-results", "next-token", "format", "input-format"} {
		if !strings.Contains(out, "-"+name+" ") && !strings.Contains(out, "-"+name+",") {
			t.Errorf("the usage does not describe -%s", name)
		}
	}
}

// TestJSONLMatchesCSV checks that the demo data, written as JSON Lines in
// each of the ways the format allows, gives the same rows as the CSV.
func TestJSONLMatchesCSV(t *testing.T) {
	data, err := os.ReadFile(demoFile)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var jsonl strings.Builder
	for i, rec := range recs[1:] {
		jsonl.WriteString("{")
		for j, v := range rec {
			if j > 0 {
				jsonl.WriteString(", ")
			}
			name := recs[0][j]
			switch {
			case name == "costInUsd":
				jsonl.WriteString(`"costInUsd": ` + v)
			case v == "" && i%2 == 0:
				jsonl.WriteString(`"` + name + `": null`)
			case (name == "startTime" || name == "endTime") && i%3 == 0:
				tm, err := sessionio.ParseTime(v, nil)
				if err != nil {
					t.Fatal(err)
				}
				jsonl.WriteString(`"` + name + `": ` + strconv.FormatInt(tm.Unix(), 10))
			default:
				jsonl.WriteString(`"` + name + `": "` + v + `"`)
			}
		}
		jsonl.WriteString(`, "extra": {"nested": [1, "}", {"a": null}]}}` + "\n")
		if i%10 == 0 {
			jsonl.WriteString("\n  \r\n")
		}
	}
	args := []string{"-format", "json", "-group-by", "QUEUE_ID,USER_ID,USAGE_TYPE,JOB_ID", "-period", "hour"}
	want := mustRun(t, "", append(args, demoFile)...)
	got := mustRun(t, jsonl.String(), append(args, "-input-format", "jsonl", "-")...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON Lines and CSV differ (-csv +jsonl):\n%s", diff)
	}
}

// TestDemoIsGenerated checks that the embedded demo data is what
// gen_demo.go writes, so that it can be made again.
func TestDemoIsGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs gen_demo.go")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out := filepath.Join(t.TempDir(), "sessions.csv")
	if b, err := exec.Command(goTool, "run", "gen_demo.go", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run gen_demo.go: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, demoCSV) {
		t.Errorf("gen_demo.go writes other data than demo/sessions.csv: run go generate")
	}
}
