package sessionbeam_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/vet"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	sessionbeam "github.com/sessionagg/sessionagg/beam"
)

// buildAll builds a pipeline with every transform of the package.
func buildAll(t *testing.T, glob, out string, q sessionagg.Query) *beam.Pipeline {
	t.Helper()
	p, s := beam.NewPipelineWithRoot()
	sessions, err := sessionbeam.ReadSessions(s, glob, "", "")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sessionbeam.Aggregate(s, q, sessions)
	if err != nil {
		t.Fatal(err)
	}
	if err := sessionbeam.WriteJSONLines(s, out, 0, rows); err != nil {
		t.Fatal(err)
	}
	sharded, err := sessionbeam.AggregateSharded(s, q, 4, sessions)
	if err != nil {
		t.Fatal(err)
	}
	if err := sessionbeam.WriteJSONLines(s, out+"-sharded", 2, sharded); err != nil {
		t.Fatal(err)
	}
	return p
}

// addShapes adds to s the TRRO and Workspace pipelines: their readers,
// AggregateDevices, DesktopUsageReport and their writers.
func addShapes(t *testing.T, s beam.Scope, glob, out string) {
	t.Helper()
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	devices, err := sessionbeam.ReadDeviceSessions(s, glob, "", "")
	if err != nil {
		t.Fatal(err)
	}
	reports, err := sessionbeam.AggregateDevices(s, sessionagg.DeviceQuery{Period: sessionagg.Daily, Location: time.UTC}, devices)
	if err != nil {
		t.Fatal(err)
	}
	sessionbeam.WriteDevicesJSONLines(s, out+"-devices", reports)
	desktops, err := sessionbeam.ReadDesktopSessions(s, glob, "", "")
	if err != nil {
		t.Fatal(err)
	}
	usage, err := sessionbeam.DesktopUsageReport(s, sessionagg.UsageQuery{Location: time.UTC, Start: start, End: start.AddDate(0, 1, 0)}, desktops)
	if err != nil {
		t.Fatal(err)
	}
	sessionbeam.WriteDesktopsJSONLines(s, out+"-desktops", usage)
}

// TestRegistered has Beam's vet runner check that every function, DoFn
// and type of the pipelines (sessions, TRRO devices and Workspace
// desktops) is registered, so that no worker falls back to reflection or
// fails to find a symbol.
func TestRegistered(t *testing.T) {
	q := sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}}
	glob, out := filepath.Join(t.TempDir(), "*.csv"), filepath.Join(t.TempDir(), "out")
	p := buildAll(t, glob, out, q)
	addShapes(t, p.Root(), glob, out)
	e, err := vet.Evaluate(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Performant() {
		e.Generate("main")
		t.Errorf("the pipeline needs registrations or reflection shims:\n%s", e.Bytes())
	}
}

// TestReadErrors: a bad record fails the pipeline with the file, the line,
// the field and the value.
func TestReadErrors(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
		reason           string
	}{
		{"bad.csv", "startTime,endTime,queueId\n2026-03-01T00:00:00Z,2026-03-01T01:00:00Z,q\n2026-03-01T00:00:00Z,yesterday,q\n",
			`bad.csv: line 3: endTime "yesterday"`, "a time that is no time"},
		{"order.csv", "StartTime , endtime\n2026-03-01T02:00:00Z,2026-03-01T01:00:00Z\n",
			`order.csv: line 2: endTime "2026-03-01T01:00:00Z"`, "an end before the start, with headers in other cases and spaces"},
		{"cost.jsonl", `{"startTime":"2026-03-01T00:00:00Z","endTime":"2026-03-01T01:00:00Z"}` + "\n\n" + `{"startTime":1772323200,"endTime":1772326800,"costInUsd":-1}` + "\n",
			`cost.jsonl: line 3: costInUsd "-1"`, "a negative cost, in JSON Lines after a blank line"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, c.name), []byte(c.text), 0o666); err != nil {
			t.Fatal(err)
		}
		p := buildAll(t, filepath.Join(dir, c.name), filepath.Join(dir, "out"), sessionagg.Query{})
		err := ptest.Run(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s (%s): pipeline error %v, want one containing %q", c.name, c.reason, err, c.want)
		}
	}
}

// TestReadFiles: the rows of a glob of CSV and JSON Lines files, each
// with its own header, are those of all their sessions.
func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "in"), 0o777); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"a.csv":   "endTime,startTime,costInUsd,queueId,other\n2026-03-01T12:00:00Z,2026-03-01T09:00:00Z,3,q-1,x\n2026-03-02T01:00:00Z,2026-03-01T22:00:00Z,3,q-2,y\n",
		"b.csv":   "queueId,startTime,endTime\nq-1,2026-03-01T13:00:00Z,2026-03-01T21:00:00Z\n",
		"c.jsonl": `{"startTime":"2026-03-02T00:30:00+08:00","endTime":"2026-03-02T01:00:00+08:00","queueId":"q-2","costInUsd":1.5}` + "\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, "in", name), []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "rows.jsonl")
	p := buildAll(t, filepath.Join(dir, "in", "*"), out, sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}, Statistics: []sessionagg.Statistic{sessionagg.Sum}})
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"queueId":"q-1","count":2,"costInUsd":{"sum":3},"runtimeInSeconds":{"sum":39600},"aggregationStartTime":"2026-03-01T00:00:00Z","aggregationEndTime":"2026-03-02T00:00:00Z"}
{"queueId":"q-2","count":2,"costInUsd":{"sum":3.5},"runtimeInSeconds":{"sum":9000},"aggregationStartTime":"2026-03-01T00:00:00Z","aggregationEndTime":"2026-03-02T00:00:00Z"}
{"queueId":"q-2","count":1,"costInUsd":{"sum":1},"runtimeInSeconds":{"sum":3600},"aggregationStartTime":"2026-03-02T00:00:00Z","aggregationEndTime":"2026-03-03T00:00:00Z"}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("rows of %d files (-want +got):\n%s", len(files), diff)
	}
}
