package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
)

// TestMain runs the command instead of the tests when the test binary is
// started by runMain: run parses the process's global flag set, which
// Beam's flags live on, so each run needs a process of its own.
func TestMain(m *testing.M) {
	if os.Getenv("SESSIONAGG_BEAM_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// runMain runs the command with args in a child process and returns its
// exit status and standard error.
func runMain(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SESSIONAGG_BEAM_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String()
	}
	t.Fatalf("running %v: %v", args, err)
	return 0, ""
}

// TestFlags: bad flags and queries exit with 2 and name the flag, a bad
// record exits with 1 and names the file, the line and the field, and a
// good run writes the library's rows. Only the last two rows run a
// pipeline (on Prism).
func TestFlags(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	goodCSV := "startTime,endTime,queueId,costInUsd\n" +
		"2026-02-28T22:00:00Z,2026-02-28T23:30:00Z,q-1,2\n" + // 23:00-00:30 in Berlin: half before -start
		"2026-03-01T10:00:00+01:00,2026-03-02T02:00:00+01:00,q-2,4\n" + // across midnight
		"2026-03-03T08:00:00Z,2026-03-03T09:00:00Z,q-1,1\n"
	bad := filepath.Join(dir, "bad.csv")
	badCSV := "startTime,endTime,queueId\n" +
		"2026-03-01T00:00:00Z,2026-03-01T01:00:00Z,q\n" +
		"2026-03-01T00:00:00Z,yesterday,q\n"
	for name, text := range map[string]string{good: goodCSV, bad: badCSV} {
		if err := os.WriteFile(name, []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "rows.jsonl")
	files := []string{"-input", good, "-output", out}

	for _, c := range []struct {
		args   []string
		status int
		stderr string // a part of standard error
		reason string
	}{
		{append(files, "-period", "FORTNIGHTLY"), 2, "-period", "a period the library does not know"},
		{append(files, "-timezone", "CST"), 2, "-timezone", "an ambiguous zone abbreviation, not a zone"},
		{append(files, "-timezone", "Europe/Berlin", "-start", "2026-03-29T02:30:00"), 2, "-start \"2026-03-29T02:30:00\"", "a local time in the spring-forward gap, which Berlin's clock skips"},
		{append(files, "-queue-ids", "q-1", "-fleet-ids", "f-1"), 2, "queueIds and fleetIds", "queue ids and fleet ids together, which the library refuses"},
		{[]string{"-input", bad, "-output", out}, 1, bad + `: line 3: endTime "yesterday"`, "a bad record fails the pipeline, naming the file, line and field"},
		{append(files, "-start", "2026-03-01", "-timezone", "Europe/Berlin"), 0, "", "a local date is the first instant of that day in the zone"},
	} {
		status, stderr := runMain(t, c.args...)
		if status != c.status || !strings.Contains(stderr, c.stderr) {
			t.Errorf("sessionagg-beam %q (%s): exit status %d, stderr:\n%s\nwant status %d, stderr containing %q", c.args, c.reason, status, stderr, c.status, c.stderr)
		}
	}

	// The rows of the good run are the library's for the same query.
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	q := sessionagg.Query{
		Period:     sessionagg.Daily,
		Location:   berlin,
		Start:      time.Date(2026, 3, 1, 0, 0, 0, 0, berlin),
		MaxBuckets: maxBuckets,
		MaxRows:    maxRows,
	}
	sessions := []sessionagg.Session{
		{Start: time.Date(2026, 2, 28, 22, 0, 0, 0, time.UTC), End: time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC), QueueID: "q-1", CostInUSD: 2},
		{Start: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC), QueueID: "q-2", CostInUSD: 4},
		{Start: time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), QueueID: "q-1", CostInUSD: 1},
	}
	res, err := sessionagg.Aggregate(q, slices.Values(sessions))
	if err != nil {
		t.Fatal(err)
	}
	// One row a line, each ended by a newline.
	want := string(res.AppendRowsJSON(nil, 0, res.Len(), '\n')) + "\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("rows of -start 2026-03-01 -timezone Europe/Berlin (-want +got):\n%s", diff)
	}
}
