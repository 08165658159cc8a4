package sessionbeam_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	sessionbeam "github.com/sessionagg/sessionagg/beam"
)

// randomTimes returns a random zone, a base instant near one of its DST
// changes, and a draw of session intervals around it: some of no length,
// some crossing buckets, some with fractions of a second.
func randomTimes(r *rand.Rand) (*time.Location, time.Time, func() (time.Time, time.Time)) {
	loc, err := sessionbeam.LoadZone(zones[r.IntN(len(zones))])
	if err != nil {
		panic(err)
	}
	base := []time.Time{
		time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC),
	}[r.IntN(4)]
	return loc, base, func() (time.Time, time.Time) {
		start := base.Add(time.Duration(r.Int64N(5*24*3600)) * time.Second)
		if r.IntN(4) == 0 {
			start = start.Add(time.Duration(r.Int64N(1e9)))
		}
		var d time.Duration
		switch r.IntN(4) {
		case 0:
		case 1:
			d = time.Duration(r.Int64N(3600)) * time.Second
		case 2:
			d = time.Duration(r.Int64N(6*3600)) * time.Second
		default:
			d = time.Duration(r.Int64N(72*3600)) * time.Second
		}
		return start, start.Add(d)
	}
}

func randomDevices(r *rand.Rand) (sessionagg.DeviceQuery, []sessionagg.DeviceSession) {
	loc, base, draw := randomTimes(r)
	q := sessionagg.DeviceQuery{Period: sessionagg.Period(1 + r.IntN(4)), Location: loc, FillEmpty: r.IntN(2) == 0}
	if r.IntN(2) == 0 {
		q.Start = base.Add(time.Duration(r.Int64N(int64(48 * time.Hour)))).In(loc)
	}
	if r.IntN(2) == 0 {
		q.End = base.Add(48*time.Hour + time.Duration(r.Int64N(int64(96*time.Hour)))).In(loc)
	}
	if r.IntN(4) == 0 {
		q.DeviceID = "f-1"
	}
	sessions := make([]sessionagg.DeviceSession, r.IntN(300))
	for i := range sessions {
		start, end := draw()
		sessions[i] = sessionagg.DeviceSession{Start: start, End: end,
			FieldDevice:  []string{"", "f-1", "f-2", "f-3"}[r.IntN(4)],
			RemoteDevice: []string{"", "r-1", "r-2", "f-1"}[r.IntN(4)],
			Quality:      sessionagg.Quality(r.IntN(3)),
		}
	}
	return q, sessions
}

func randomDesktops(r *rand.Rand) (sessionagg.UsageQuery, []sessionagg.DesktopSession) {
	loc, base, draw := randomTimes(r)
	q := sessionagg.UsageQuery{Location: loc,
		Start:  base.Add(time.Duration(r.Int64N(int64(48 * time.Hour)))).In(loc),
		End:    base.Add(48*time.Hour + time.Duration(r.Int64N(int64(96*time.Hour)))).In(loc),
		SortBy: sessionagg.UsageSort(r.IntN(3)), Descending: r.IntN(2) == 0,
	}
	switch r.IntN(4) {
	case 0:
		q.IdleDays = sessionagg.AtMost(float64(r.IntN(4)))
	case 1:
		q.UsageHours = sessionagg.Between(float64(r.IntN(10)), float64(10+r.IntN(40)))
	case 2:
		q.NameContains = "DEV"
	}
	sessions := make([]sessionagg.DesktopSession, r.IntN(300))
	for i := range sessions {
		start, end := draw()
		sessions[i] = sessionagg.DesktopSession{Start: start, End: end,
			ResourceID:   fmt.Sprintf("d-%d", r.IntN(12)),
			ResourceName: []string{"", "dev-01", "ops", "Dev-02"}[r.IntN(4)],
		}
	}
	return q, sessions
}

// TestShapesMatchLibrary runs random TRRO and Workspace queries through
// AggregateDevices and DesktopUsageReport on Prism, in one pipeline, and
// checks that the lines written are the library's objects, in order.
func TestShapesMatchLibrary(t *testing.T) {
	s0 := *seed
	if s0 == 0 {
		s0 = uint64(time.Now().UnixNano())
	}
	t.Logf("-seed %d", s0)
	r := rand.New(rand.NewPCG(s0, 1))
	dir := t.TempDir()
	p, s := beam.NewPipelineWithRoot()
	var checks []func()
	for i := range *cases {
		dq, ds := randomDevices(r)
		out := filepath.Join(dir, fmt.Sprintf("devices%d", i))
		reports, err := sessionbeam.AggregateDevices(s, dq, beam.CreateList(s, ds))
		if err != nil {
			t.Fatalf("case %d: AggregateDevices: %v", i, err)
		}
		sessionbeam.WriteDevicesJSONLines(s, out, reports)
		checks = append(checks, func() {
			stats, err := sessionagg.AggregateDevices(dq, slices.Values(ds))
			if err != nil {
				t.Fatalf("case %d: sessionagg.AggregateDevices: %v", i, err)
			}
			want := marshalAll(t, stats)
			if diff := cmp.Diff(want, readRows(t, out), floatsClose); diff != "" {
				t.Errorf("case %d: devices (%v in %v, window [%v, %v), device %q, fill %v) (-want +got):\n%s", i, dq.Period, dq.Location, dq.Start, dq.End, dq.DeviceID, dq.FillEmpty, diff)
			}
		})

		uq, us := randomDesktops(r)
		uout := filepath.Join(dir, fmt.Sprintf("desktops%d", i))
		ureports, err := sessionbeam.DesktopUsageReport(s, uq, beam.CreateList(s, us))
		if err != nil {
			t.Fatalf("case %d: DesktopUsageReport: %v", i, err)
		}
		sessionbeam.WriteDesktopsJSONLines(s, uout, ureports)
		checks = append(checks, func() {
			usage, err := sessionagg.DesktopUsageReport(uq, slices.Values(us))
			if err != nil {
				t.Fatalf("case %d: sessionagg.DesktopUsageReport: %v", i, err)
			}
			want := marshalAll(t, usage)
			if diff := cmp.Diff(want, readRows(t, uout), floatsClose); diff != "" {
				t.Errorf("case %d: desktops (%v, [%v, %v), sort %v desc %v, idle %v, hours %v, name %q) (-want +got):\n%s", i, uq.Location, uq.Start, uq.End, uq.SortBy, uq.Descending, uq.IdleDays, uq.UsageHours, uq.NameContains, diff)
			}
		})
	}
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
	for _, check := range checks {
		check()
	}
}

// marshalAll returns the JSON objects of vs, decoded as readRows does.
func marshalAll[T json.Marshaler](t *testing.T, vs []T) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, v := range vs {
		b, err := v.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var row map[string]any
		if err := json.Unmarshal(b, &row); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	return rows
}
