package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

// TestMain runs the command itself when asked to by the environment, so
// that a test can run it as a process with an environment of its own.
func TestMain(m *testing.M) {
	if os.Getenv("SESSIONAGG_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestBerlinMonthlyMatchesLibrary runs the command as a process that has
// no zone database to read (ZONEINFO=/nonexistent) on sessions across
// both of Berlin's DST changes of 2026, and checks that its rows are the
// library's with time.LoadLocation("Europe/Berlin").
func TestBerlinMonthlyMatchesLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary as the command")
	}
	// Sessions of up to 30 hours every 7 hours around both changes.
	var csv strings.Builder
	csv.WriteString("startTime,endTime,costInUsd,queueId\n")
	for _, from := range []int64{1774396800, 1792627200} { // 2026-03-25, 2026-10-22
		for i := int64(0); i < 40; i++ {
			start := from + i*7*3600 + i*i*37
			fmt.Fprintf(&csv, "%d,%d,%d.%02d,q-%d\n", start, start+(i%30+1)*3600-i, i%7, i, i%3)
		}
	}
	path := filepath.Join(t.TempDir(), "berlin.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-format", "json", "-timezone", "Europe/Berlin", "-period", "MONTHLY", "-group-by", "QUEUE_ID", path}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SESSIONAGG_TEST_MAIN=1", "ZONEINFO=/nonexistent")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("sessionagg %s: %v\n%s", strings.Join(args, " "), err, errOut.Bytes())
	}

	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	var sessions []sessionagg.Session
	for s, err := range sessionio.Sessions(strings.NewReader(csv.String()), sessionio.Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
	}
	res, err := sessionagg.Aggregate(sessionagg.Query{Location: berlin, Period: sessionagg.Monthly, GroupBy: []sessionagg.Field{sessionagg.QueueID}}, slices.Values(sessions))
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want)+"\n", out.String()); diff != "" {
		t.Errorf("the command and the library differ (-library +command):\n%s", diff)
	}
	if !strings.Contains(out.String(), "+01:00") || !strings.Contains(out.String(), "+02:00") {
		t.Errorf("want rows at both of Berlin's offsets:\n%s", out.String())
	}
}

// TestSeveralFiles checks that several files, each with its own header,
// and standard input read as one input.
func TestSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.csv")
	b := filepath.Join(dir, "b.jsonl")
	os.WriteFile(a, []byte("userId,startTime,endTime\nu1,2026-03-01T09:00:00Z,2026-03-01T10:00:00Z\n"), 0o644)
	os.WriteFile(b, []byte(`{"startTime": "2026-03-01T11:00:00Z", "endTime": "2026-03-01T12:00:00Z", "userId": "u2"}`+"\n"), 0o644)
	stdin := "ENDTIME,StartTime,userId\n2026-03-01T14:00:00Z,2026-03-01T13:00:00Z,u1\n"
	all := "startTime,endTime,userId\n2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,u1\n2026-03-01T11:00:00Z,2026-03-01T12:00:00Z,u2\n2026-03-01T13:00:00Z,2026-03-01T14:00:00Z,u1\n"
	args := []string{"-format", "csv", "-group-by", "USER_ID"}
	want := mustRun(t, all, append(args, "-")...)
	if got := mustRun(t, stdin, append(args, a, "-", b)...); got != want {
		t.Errorf("three inputs read as\n%s\nwant\n%s", got, want)
	}
	// A bad record names its file.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("startTime,endTime\n0,x\n"), 0o644)
	_, errOut, status := runCmd(t, "", a, bad)
	if wantErr := "sessionagg: " + bad + `: line 2: endTime "x"`; status != 1 || !strings.HasPrefix(errOut, wantErr) {
		t.Errorf("a bad second file: exit %d, %q; want 1 and %q", status, errOut, wantErr)
	}
}

// TestLocalInputTimes checks -input-timezone, and the message that names
// it when it is missing.
func TestLocalInputTimes(t *testing.T) {
	in := "startTime,endTime\n2026-03-29 01:00:00,2026-03-29 03:30:00\n"
	out := mustRun(t, in, "-format", "csv", "-input-timezone", "Europe/Berlin", "-statistics", "SUM", "-")
	if !strings.Contains(out, ",1,5400,") {
		t.Errorf("01:00 to 03:30 in Berlin on the day clocks go forward is 1.5 hours; got\n%s", out)
	}
	_, errOut, status := runCmd(t, in, "-")
	if status != 1 || !strings.Contains(errOut, "line 2: startTime") || !strings.Contains(errOut, "-input-timezone") {
		t.Errorf("local times without -input-timezone: exit %d, %q", status, errOut)
	}
	_, errOut, status = runCmd(t, "startTime,endTime\n2026-03-29 02:30:00,2026-03-29 03:30:00\n", "-input-timezone", "Europe/Berlin", "-")
	if status != 1 || !strings.Contains(errOut, `line 2: startTime "2026-03-29 02:30:00": in Europe/Berlin the clock skips`) {
		t.Errorf("a local time in a gap: exit %d, %q", status, errOut)
	}
}

// TestOutOfWindowMemory checks that sessions outside the window, each
// with a new job id, do not grow memory: the reader makes no string of a
// label before the query counts the session. 200,000 such sessions with
// distinct job ids of 100 bytes would keep 20 MB if their labels were
// kept; the heap in use while the reader is alive must grow by far less,
// and so must the bytes allocated.
func TestOutOfWindowMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200,000 sessions")
	}
	const n = 200_000
	var b bytes.Buffer
	b.WriteString("startTime,endTime,jobId\n")
	pad := strings.Repeat("x", 90)
	for i := range n {
		fmt.Fprintf(&b, "2020-01-01T00:00:00Z,2020-01-01T01:00:00Z,%s%09d\n", pad, i)
	}
	b.WriteString("2026-03-01T00:00:00Z,2026-03-01T01:00:00Z,in-window\n")
	q := sessionagg.Query{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), GroupBy: []sessionagg.Field{sessionagg.JobID}}
	agg, err := sessionagg.NewAggregator(q)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rd := sessionio.NewReader(bytes.NewReader(b.Bytes()), sessionio.Options{Query: &q})
	var s sessionagg.Session
	for rd.ReadSession(&s) == nil {
		if err := agg.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	res, err := agg.Result()
	if err != nil || res.Len() != 1 {
		t.Fatalf("%v rows, %v; want 1", res.Len(), err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(rd) // the reader, and what it keeps, is still in use
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 2<<20 {
		t.Errorf("the heap grew by %d bytes over %d out-of-window sessions, want under 2 MB", grown, n)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > 4<<20 {
		t.Errorf("reading %d out-of-window sessions allocated %d bytes, want under 4 MB: their labels became strings", n, a)
	}
	runtime.KeepAlive(res)
}
