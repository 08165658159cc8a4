package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// followInput draws JSON Lines sessions in arrival order, each ending at
// most maxSession after it starts, and marks those that a watermark of
// the largest end seen less maxSession makes late, as the hourly buckets
// in UTC decide; lateLines is those records, each with its line break.
func followInput(t *rapid.T, maxSession time.Duration) (input, lateLines string) {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	n := rapid.IntRange(0, 60).Draw(t, "n")
	var in, late strings.Builder
	var maxEnd time.Time
	for i := range n {
		start := base.Add(time.Duration(i)*10*time.Minute - time.Duration(rapid.IntRange(0, 300).Draw(t, "back"))*time.Minute)
		end := start.Add(time.Duration(rapid.Int64Range(0, int64(maxSession)).Draw(t, "length")))
		line := fmt.Sprintf(`{"startTime":%q,"endTime":%q,"costInUsd":%d,"queueId":"q-%d","jobId":"j-%d"}`+"\n",
			start.Format(time.RFC3339), end.Format(time.RFC3339), rapid.IntRange(0, 9).Draw(t, "cost"), rapid.IntRange(1, 3).Draw(t, "queue"), i)
		in.WriteString(line)
		if !maxEnd.IsZero() && !start.Truncate(time.Hour).Add(time.Hour).After(maxEnd.Add(-maxSession)) {
			late.WriteString(line)
		} else if end.After(maxEnd) {
			maxEnd = end
		}
	}
	return in.String(), late.String()
}

// TestFollowEqualsBatch checks that -follow writes the rows of the batch
// run on the records that are not late, and -late keeps exactly the late
// records.
func TestFollowEqualsBatch(t *testing.T) {
	dir := t.TempDir()
	rapid.Check(t, func(t *rapid.T) {
		input, wantLate := followInput(t, 2*time.Hour)
		var onTime strings.Builder
		for _, l := range strings.SplitAfter(input, "\n") {
			if l != "" && !strings.Contains(wantLate, l) {
				onTime.WriteString(l)
			}
		}
		fill := rapid.SampledFrom([]string{"-fill-empty=false", "-fill-empty"}).Draw(t, "fill")
		late := filepath.Join(dir, "late.jsonl")
		os.Remove(late)
		args := []string{"-period", "hour", "-input-format", "jsonl", "-format", "csv", fill}
		if fill != "-fill-empty" {
			// With -fill-empty, a queue first seen after a close has
			// no empty rows before it: see the package's Streaming.
			args = append(args, "-group-by", "QUEUE_ID")
		}
		want, errOut, status := followRun(onTime.String(), append(args, "-")...)
		if status != 0 {
			t.Fatalf("batch run: status %d: %s", status, errOut)
		}
		got, errOut, status := followRun(input, append(args, "-follow", "-max-session", "2h", "-late", late, "-")...)
		if status != 0 {
			t.Fatalf("-follow: status %d: %s", status, errOut)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("-follow output (-batch +follow):\n%s", diff)
		}
		gotLate, _ := os.ReadFile(late)
		if diff := cmp.Diff(wantLate, string(gotLate)); diff != "" {
			t.Fatalf("-late file (-want +got):\n%s", diff)
		}
	})
}

// TestFollowLateExits checks that without -late a late record stops the
// run with exit 1, naming its line.
func TestFollowLateExits(t *testing.T) {
	in := `{"startTime":"2026-03-01T10:00:00Z","endTime":"2026-03-01T12:00:00Z"}
{"startTime":"2026-03-01T08:00:00Z","endTime":"2026-03-01T08:30:00Z"}
`
	_, stderr, status := runCmd(t, in, "-follow", "-max-session", "1h", "-period", "hour", "-format", "jsonl", "-input-format", "jsonl", "-")
	if status != 1 || !strings.Contains(stderr, "line 2") || !strings.Contains(stderr, "late") {
		t.Fatalf("a late record without -late: status %d, stderr %q; want 1 naming line 2", status, stderr)
	}
	for _, args := range [][]string{
		{"-follow", "-format", "jsonl"},   // no -max-session
		{"-follow", "-max-session", "1h"}, // table
		{"-max-session", "1h"},            // no -follow
		{"-follow", "-max-session", "1h", "-format", "csv", "-fill-empty", "-group-by", "QUEUE_ID"}, // groups that come late lack their empty rows
	} {
		if _, _, status := runCmd(t, "", args...); status != 2 {
			t.Errorf("sessionagg %v: status %d, want 2", args, status)
		}
	}
}

// TestFollowPipe checks that -follow writes a bucket's rows as soon as
// the record that closes it is read, with no read-ahead: each record is
// written to a pipe only once the rows it should close have come out.
func TestFollowPipe(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-follow", "-max-session", "1h", "-period", "hour", "-format", "jsonl", "-input-format", "jsonl", "-"}, inR, outW, io.Discard)
		outW.Close()
	}()
	lines := bufio.NewReader(outR)
	for h := range 5 {
		fmt.Fprintf(inW, `{"startTime":"2026-03-01T%02d:10:00Z","endTime":"2026-03-01T%02d:20:00Z"}`+"\n", h+1, h+1)
		if h < 2 {
			// The watermark, an hour before the end, closes nothing
			// yet; from then on, the bucket of record h-2.
			continue
		}
		got := make(chan string)
		go func() { l, _ := lines.ReadString('\n'); got <- l }()
		select {
		case l := <-got:
			if want := fmt.Sprintf(`"aggregationStartTime":"2026-03-01T%02d:00:00Z"`, h-1); !strings.Contains(l, want) {
				t.Fatalf("row after record %d = %s, want %s", h, l, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no row after record %d: -follow waits for more input", h)
		}
	}
	inW.Close()
	rest, _ := io.ReadAll(lines)
	if status := <-done; status != 0 || !strings.Contains(string(rest), "T05:00:00Z") {
		t.Fatalf("end of input: status %d, last rows %q", status, rest)
	}
}

// followRun is runCmd for a rapid.T.
func followRun(stdin string, args ...string) (stdout, stderr string, status int) {
	var out, errOut bytes.Buffer
	status = run(args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), status
}
