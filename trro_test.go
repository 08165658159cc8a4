package sessionagg_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
)

// at returns 2026-03-day hour:min UTC.
func at(day, hour, min int) time.Time { return time.Date(2026, 3, day, hour, min, 0, 0, time.UTC) }

func TestAggregateDevices(t *testing.T) {
	sessions := []sessionagg.DeviceSession{
		// Hour 09: two pieces of f1 and f2 driven by r1, one bad.
		{Start: at(1, 9, 0), End: at(1, 9, 30), FieldDevice: "f1", RemoteDevice: "r1", Quality: sessionagg.Good},
		{Start: at(1, 9, 45), End: at(1, 10, 15), FieldDevice: "f2", RemoteDevice: "r1", Quality: sessionagg.Bad},
		// Hour 10: the rest of the bad one, and a normal one of f1/r2.
		{Start: at(1, 10, 30), End: at(1, 10, 40), FieldDevice: "f1", RemoteDevice: "r2", Quality: sessionagg.Normal},
		// A session of other devices, left out by the DeviceID filter.
		{Start: at(1, 9, 0), End: at(1, 11, 0), FieldDevice: "f9", RemoteDevice: "r9"},
	}
	q := sessionagg.DeviceQuery{Period: sessionagg.Hourly, DeviceID: "r1"}
	got, err := sessionagg.AggregateDevices(q, slices.Values(sessions))
	if err != nil {
		t.Fatal(err)
	}
	want := []sessionagg.DeviceStats{
		{Start: at(1, 9, 0), End: at(1, 10, 0), Sessions: 2, TotalMinutes: 45, ActiveFieldDevices: 2, ActiveRemoteDevices: 1, NotBadPercent: 50},
		{Start: at(1, 10, 0), End: at(1, 11, 0), Sessions: 1, TotalMinutes: 15, ActiveFieldDevices: 1, ActiveRemoteDevices: 1, NotBadPercent: 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DeviceID r1 (-want +got):\n%s", diff)
	}

	q.DeviceID = ""
	got, err = sessionagg.AggregateDevices(q, slices.Values(sessions))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Sessions != 3 || got[0].ActiveRemoteDevices != 2 || got[1].Sessions != 3 || got[1].ActiveFieldDevices != 3 {
		t.Errorf("no filter: got %+v", got)
	}
	if p := got[1].NotBadPercent; p < 66.66 || p > 66.67 {
		t.Errorf("hour 10 NotBadPercent = %v, want 200/3", p)
	}

	bad := []sessionagg.DeviceSession{{Start: at(1, 2, 0), End: at(1, 1, 0)}}
	if _, err := sessionagg.AggregateDevices(q, slices.Values(bad)); !errors.Is(err, sessionagg.ErrInvalidSession) {
		t.Errorf("end before start: err = %v, want ErrInvalidSession", err)
	}
	bad = []sessionagg.DeviceSession{{Start: at(1, 1, 0), End: at(1, 2, 0), Quality: 7}}
	if _, err := sessionagg.AggregateDevices(q, slices.Values(bad)); !errors.Is(err, sessionagg.ErrInvalidQuality) {
		t.Errorf("quality 7: err = %v, want ErrInvalidQuality", err)
	}
}

func TestParseQuality(t *testing.T) {
	for _, s := range []string{"good", "normal", "bad"} {
		q, err := sessionagg.ParseQuality(s)
		if err != nil || q.String() != s {
			t.Errorf("ParseQuality(%q) = %v, %v; want %s", s, q, err, s)
		}
	}
	if _, err := sessionagg.ParseQuality("fine"); !errors.Is(err, sessionagg.ErrInvalidQuality) {
		t.Errorf("ParseQuality(fine) = %v, want ErrInvalidQuality", err)
	}
}

// TestAggregateDevicesLimits checks that AggregateDevices bounds its
// buckets as Aggregate does, and refuses a session before it allocates
// its rows. Before, there was no limit on the buckets of all sessions
// (three sessions 3,000 years apart took 2.5 GB), and a session over the
// limit of one session's pieces allocated 818 MB before it was refused.
func TestAggregateDevicesLimits(t *testing.T) {
	day := func(year int) time.Time { return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC) }
	oneDay := func(year int) sessionagg.DeviceSession {
		return sessionagg.DeviceSession{Start: day(year), End: day(year).Add(time.Hour), FieldDevice: "f", RemoteDevice: "r"}
	}
	tests := []struct {
		reason   string
		q        sessionagg.DeviceQuery
		sessions []sessionagg.DeviceSession
		wantErr  error // nil: accepted
	}{
		{"3,000 years of days in one session, open window", sessionagg.DeviceQuery{},
			[]sessionagg.DeviceSession{{Start: day(1000), End: day(4000)}}, sessionagg.ErrTooLarge},
		{"sessions 3,000 years apart, open window", sessionagg.DeviceQuery{},
			[]sessionagg.DeviceSession{oneDay(1000), oneDay(4000), oneDay(7000)}, sessionagg.ErrTooLarge},
		{"sessions 3,000 years apart, MaxBuckets NoLimit", sessionagg.DeviceQuery{Period: sessionagg.Monthly, MaxBuckets: sessionagg.NoLimit},
			[]sessionagg.DeviceSession{oneDay(1000), oneDay(4000)}, nil},
		{"40 days, MaxBuckets 10", sessionagg.DeviceQuery{MaxBuckets: 10},
			[]sessionagg.DeviceSession{oneDay(2026), {Start: day(2026).AddDate(0, 0, 40), End: day(2026).AddDate(0, 0, 41)}}, sessionagg.ErrTooLarge},
		{"3 rows, MaxRows 2", sessionagg.DeviceQuery{MaxRows: 2},
			[]sessionagg.DeviceSession{{Start: day(2026), End: day(2026).AddDate(0, 0, 3)}}, sessionagg.ErrTooLarge},
		{"3 filled rows, MaxRows 2", sessionagg.DeviceQuery{MaxRows: 2, FillEmpty: true, Start: day(2026), End: day(2026).AddDate(0, 0, 3)},
			[]sessionagg.DeviceSession{oneDay(2026)}, sessionagg.ErrTooLarge},
		{"a bounded window of 40 days, MaxBuckets 10", sessionagg.DeviceQuery{MaxBuckets: 10, Start: day(2026), End: day(2026).AddDate(0, 0, 40)},
			nil, sessionagg.ErrTooLarge},
		{"MaxRows -2", sessionagg.DeviceQuery{MaxRows: -2}, nil, sessionagg.ErrTooLarge},
		{"2 rows, MaxRows 2", sessionagg.DeviceQuery{MaxRows: 2},
			[]sessionagg.DeviceSession{{Start: day(2026), End: day(2026).AddDate(0, 0, 2)}}, nil},
	}
	for _, tt := range tests {
		var err error
		alloc := allocated(func() { _, err = sessionagg.AggregateDevices(tt.q, slices.Values(tt.sessions)) })
		switch {
		case tt.wantErr == nil && err != nil:
			t.Errorf("%s: AggregateDevices = %v, want no error", tt.reason, err)
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("%s: AggregateDevices = %v, want %v", tt.reason, err, tt.wantErr)
		case alloc > 1<<20:
			t.Errorf("%s: AggregateDevices allocated %d KB", tt.reason, alloc>>10)
		}
	}
}
