package sessionagg_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sessionagg/sessionagg"
)

// The Workspace shape, checked on small worked cases.

// TestDesktopUsageReport is seed 004's example: 09:00–12:00, 13:00–21:00
// and 22:00–01:00 give 13 hours on the first day and 1 on the second.
func TestDesktopUsageReport(t *testing.T) {
	sessions := []sessionagg.DesktopSession{
		{Start: at(1, 9, 0), End: at(1, 12, 0), ResourceID: "d1", ResourceName: "Design-01"},
		{Start: at(1, 13, 0), End: at(1, 21, 0), ResourceID: "d1", ResourceName: "Design-01"},
		{Start: at(1, 22, 0), End: at(2, 1, 0), ResourceID: "d1"},
		{Start: at(3, 8, 0), End: at(3, 9, 0), ResourceID: "d2", ResourceName: "build-02"},
		{Start: at(9, 8, 0), End: at(9, 9, 0), ResourceID: "d3", ResourceName: "spare"}, // outside the range
	}
	q := sessionagg.UsageQuery{Start: at(1, 0, 0), End: at(4, 0, 0)}
	got, err := sessionagg.DesktopUsageReport(q, slices.Values(sessions))
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int, h float64) sessionagg.DayUsage {
		return sessionagg.DayUsage{Start: at(d, 0, 0), End: at(d+1, 0, 0), Seconds: h * 3600}
	}
	want := []sessionagg.DesktopUsage{
		{ResourceID: "d1", ResourceName: "Design-01", UsageSeconds: 14 * 3600, IdleDays: 1, Days: []sessionagg.DayUsage{day(1, 13), day(2, 1), day(3, 0)}},
		{ResourceID: "d2", ResourceName: "build-02", UsageSeconds: 3600, IdleDays: 2, Days: []sessionagg.DayUsage{day(1, 0), day(2, 0), day(3, 1)}},
		{ResourceID: "d3", ResourceName: "spare", UsageSeconds: 0, IdleDays: 3, Days: []sessionagg.DayUsage{day(1, 0), day(2, 0), day(3, 0)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}

	ids := func(us []sessionagg.DesktopUsage) []string {
		var s []string
		for _, u := range us {
			s = append(s, u.ResourceID)
		}
		return s
	}
	tests := []struct {
		reason string
		q      sessionagg.UsageQuery
		want   []string
	}{
		{"most used first", sessionagg.UsageQuery{SortBy: sessionagg.SortByUsage, Descending: true}, []string{"d1", "d2", "d3"}},
		{"most idle first", sessionagg.UsageQuery{SortBy: sessionagg.SortByIdle, Descending: true}, []string{"d3", "d2", "d1"}},
		{"least idle first", sessionagg.UsageQuery{SortBy: sessionagg.SortByIdle}, []string{"d1", "d2", "d3"}},
		{"name contains, any case", sessionagg.UsageQuery{NameContains: "DESIGN"}, []string{"d1"}},
		{"idle 2 days or more", sessionagg.UsageQuery{IdleDays: sessionagg.AtLeast(2)}, []string{"d2", "d3"}},
		{"idle at most 2 days", sessionagg.UsageQuery{IdleDays: sessionagg.AtMost(2)}, []string{"d1", "d2"}},
		{"used 1 to 13 hours", sessionagg.UsageQuery{UsageHours: sessionagg.Between(1, 13)}, []string{"d2"}},
	}
	for _, tt := range tests {
		tt.q.Start, tt.q.End = q.Start, q.End
		got, err := sessionagg.DesktopUsageReport(tt.q, slices.Values(sessions))
		if err != nil {
			t.Errorf("%s: %v", tt.reason, err)
			continue
		}
		if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
		}
	}
}

// TestDesktopUsageZone splits at the midnight of the query's zone.
func TestDesktopUsageZone(t *testing.T) {
	loc, _ := sessionagg.ParseTimezone("UTC+8")
	sessions := []sessionagg.DesktopSession{{Start: at(1, 15, 0), End: at(1, 17, 0), ResourceID: "d"}} // 23:00–01:00 in UTC+8
	q := sessionagg.UsageQuery{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, loc), End: time.Date(2026, 3, 3, 0, 0, 0, 0, loc), Location: loc}
	got, err := sessionagg.DesktopUsageReport(q, slices.Values(sessions))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Days[0].Seconds != 3600 || got[0].Days[1].Seconds != 3600 || got[0].IdleDays != 0 {
		t.Errorf("UTC+8 split = %+v, want an hour on each day", got)
	}
}

func TestUsageQueryErrors(t *testing.T) {
	tests := []struct {
		reason string
		q      sessionagg.UsageQuery
		field  string
		want   error
	}{
		{"no start", sessionagg.UsageQuery{End: at(2, 0, 0)}, "start_time", sessionagg.ErrInvalidWindow},
		{"no end", sessionagg.UsageQuery{Start: at(2, 0, 0)}, "end_time", sessionagg.ErrInvalidWindow},
		{"end before start", sessionagg.UsageQuery{Start: at(2, 0, 0), End: at(1, 0, 0)}, "endTime", sessionagg.ErrInvalidWindow},
		{"idle max below min", sessionagg.UsageQuery{Start: at(1, 0, 0), End: at(2, 0, 0), IdleDays: sessionagg.Between(3, 2)}, "max_idle_days", sessionagg.ErrInvalidRange},
		{"usage max below min", sessionagg.UsageQuery{Start: at(1, 0, 0), End: at(2, 0, 0), UsageHours: sessionagg.Between(3, 2)}, "usage_max_hours", sessionagg.ErrInvalidRange},
	}
	for _, tt := range tests {
		_, err := sessionagg.DesktopUsageReport(tt.q, slices.Values([]sessionagg.DesktopSession(nil)))
		var fe *sessionagg.FieldError
		if !errors.Is(err, tt.want) || !errors.Is(err, sessionagg.ErrInvalidQuery) || !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: err = %v, want a FieldError on %s wrapping %v", tt.reason, err, tt.field, tt.want)
		}
	}
}

// TestDesktopUsageLimits checks MaxDays and MaxRows: a range of more days,
// or a report of more desktop-days, than the limits is an error wrapping
// ErrTooLarge; one of exactly as many is not.
func TestDesktopUsageLimits(t *testing.T) {
	sessions := []sessionagg.DesktopSession{
		{Start: at(1, 9, 0), End: at(1, 10, 0), ResourceID: "d1"},
		{Start: at(2, 9, 0), End: at(2, 10, 0), ResourceID: "d2"},
	}
	tests := []struct {
		reason string
		q      sessionagg.UsageQuery
		ok     bool
	}{
		{"3 days, MaxDays 3", sessionagg.UsageQuery{MaxDays: 3}, true},
		{"3 days, MaxDays 2", sessionagg.UsageQuery{MaxDays: 2}, false},
		{"2 desktops of 3 days, MaxRows 6", sessionagg.UsageQuery{MaxRows: 6}, true},
		{"2 desktops of 3 days, MaxRows 5", sessionagg.UsageQuery{MaxRows: 5}, false},
		{"no desktop kept, MaxRows 5", sessionagg.UsageQuery{MaxRows: 5, NameContains: "x"}, true},
		{"2 days with usage, MaxRows 1", sessionagg.UsageQuery{MaxRows: 1}, false},
		{"a negative MaxDays", sessionagg.UsageQuery{MaxDays: -1}, false},
	}
	for _, tt := range tests {
		tt.q.Start, tt.q.End = at(1, 0, 0), at(4, 0, 0)
		_, err := sessionagg.DesktopUsageReport(tt.q, slices.Values(sessions))
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, sessionagg.ErrTooLarge) {
			t.Errorf("%s: DesktopUsageReport = %v, want ok %v or ErrTooLarge", tt.reason, err, tt.ok)
		}
	}
}
