package sessionagg

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is the shape of Huawei Cloud Workspace's desktop usage export:
// daily usage per desktop, with sessions that cross midnight split at it.

// A DesktopSession is one login to a cloud desktop over [Start, End).
type DesktopSession struct {
	Start, End   time.Time
	ResourceID   string // the desktop
	ResourceName string
}

// A Range is an optional closed interval [min, max] of a filter. The zero
// Range has neither bound and holds every number; make others with
// [AtLeast], [AtMost] and [Between].
type Range struct {
	min, max       float64
	hasMin, hasMax bool
}

// AtLeast returns the Range [v, +∞). If v is NaN, the Range is invalid,
// and the query that uses it fails to validate.
func AtLeast(v float64) Range { return Range{min: v, hasMin: true} }

// AtMost returns the Range (-∞, v]. If v is NaN, the Range is invalid,
// and the query that uses it fails to validate.
func AtMost(v float64) Range { return Range{max: v, hasMax: true} }

// Between returns the Range [lo, hi]. If hi < lo, or either is NaN, the
// Range is invalid, and the query that uses it fails to validate.
func Between(lo, hi float64) Range { return Range{lo, hi, true, true} }

// Contains reports whether v lies in r.
func (r Range) Contains(v float64) bool {
	return (!r.hasMin || v >= r.min) && (!r.hasMax || v <= r.max)
}

// String returns r as "[min, max]", with -inf or +inf for a missing bound.
func (r Range) String() string {
	lo, hi := "-inf", "+inf"
	if r.hasMin {
		lo = strconv.FormatFloat(r.min, 'g', -1, 64)
	}
	if r.hasMax {
		hi = strconv.FormatFloat(r.max, 'g', -1, 64)
	}
	return "[" + lo + ", " + hi + "]"
}

// A UsageSort orders the desktops of a usage report.
type UsageSort uint8

// The orders. Ties are broken by resource id, ascending.
const (
	SortByResource UsageSort = iota // by resource id
	SortByUsage                     // by total usage
	SortByIdle                      // by idle days
)

// A UsageQuery says how to report desktop usage, as Workspace's export
// does.
type UsageQuery struct {
	// Start and End are the range [Start, End) of the report; both are
	// required. Its days are the Daily buckets of the range in Location,
	// the first and last possibly partial.
	Start, End time.Time
	// Location is the zone whose midnight splits sessions. Nil means UTC.
	Location *time.Location
	// NameContains keeps only the desktops whose name contains it,
	// ignoring letter case. Empty keeps all.
	NameContains string
	// IdleDays and UsageHours keep only the desktops whose number of idle
	// days and whose total usage in hours lie in the ranges.
	IdleDays, UsageHours Range
	// SortBy and Descending order the report.
	SortBy     UsageSort
	Descending bool
	// MaxDays and MaxRows, when positive, bound the number of days of the
	// range, and the number of desktop-days the report holds: those with
	// usage, and every day of each desktop it returns. A report that would
	// exceed them fails as soon as that is known, with an error wrapping
	// ErrTooLarge. Zero means no limit.
	MaxDays, MaxRows int
}

// DesktopUsage is one desktop's usage over a UsageQuery's range.
type DesktopUsage struct {
	ResourceID   string
	ResourceName string // the smallest non-empty name of its sessions
	// UsageSeconds is the total usage in the range.
	UsageSeconds float64
	// IdleDays is the number of days of the range with no usage.
	IdleDays int
	// Days holds every day of the range, in order, idle ones included.
	Days []DayUsage
}

// DayUsage is a desktop's usage on one day.
type DayUsage struct {
	Start, End time.Time // the day, clipped to the range
	Seconds    float64
}

// Validate reports what is wrong with q: a missing Start or End, an End
// not after Start, a Range with a NaN bound or a maximum below its
// minimum, an invalid SortBy, a negative limit, or a range of more than
// MaxDays days. The error is a *FieldError naming the field in
// Workspace's spelling (start_time, max_idle_days ...) and wraps
// ErrInvalidQuery.
func (q *UsageQuery) Validate() error {
	if q.Start.IsZero() {
		return queryError("start_time", "", fmt.Errorf("%w: the range needs a start", ErrInvalidWindow))
	}
	if q.End.IsZero() {
		return queryError("end_time", "", fmt.Errorf("%w: the range needs an end", ErrInvalidWindow))
	}
	cal := q.calendar()
	if err := checkWindow(q.Start, q.End, orUTC(cal.Location)); err != nil {
		return err
	}
	for _, r := range []struct {
		min, max string
		r        Range
	}{{"min_idle_days", "max_idle_days", q.IdleDays}, {"usage_min_hours", "usage_max_hours", q.UsageHours}} {
		if r.r.hasMin && math.IsNaN(r.r.min) {
			return queryError(r.min, "NaN", fmt.Errorf("%w: a bound is NaN", ErrInvalidRange))
		}
		if r.r.hasMax && math.IsNaN(r.r.max) {
			return queryError(r.max, "NaN", fmt.Errorf("%w: a bound is NaN", ErrInvalidRange))
		}
		if r.r.hasMin && r.r.hasMax && r.r.max < r.r.min {
			return queryError(r.max, strconv.FormatFloat(r.r.max, 'g', -1, 64),
				fmt.Errorf("%w: maximum below minimum %v", ErrInvalidRange, r.r.min))
		}
	}
	if q.SortBy > SortByIdle {
		return queryError("sort_field", strconv.Itoa(int(q.SortBy)), errors.New("want SortByResource, SortByUsage or SortByIdle"))
	}
	for _, l := range []struct {
		name string
		v    int
	}{{"max_days", q.MaxDays}, {"max_rows", q.MaxRows}} {
		if l.v < 0 {
			return queryError(l.name, strconv.Itoa(l.v), fmt.Errorf("%w: a limit must not be negative", ErrTooLarge))
		}
	}
	if n := cal.grid().count(q.Start.Unix(), instantOf(q.End), q.MaxDays+1); q.MaxDays > 0 && n > q.MaxDays {
		return queryError("end_time", formatTime(q.End), fmt.Errorf("%w: the range from %s holds more than %d days", ErrTooLarge, formatTime(q.Start), q.MaxDays))
	}
	return nil
}

// calendar returns the Calendar of q's days.
func (q *UsageQuery) calendar() Calendar {
	return Calendar{Period: Daily, Location: q.Location}
}

// DesktopUsageReport splits sessions at the midnights of q.Location and
// returns the usage of each desktop over q's range, filtered and sorted as
// q says. A desktop that has sessions, but none in the range, is reported
// with every day idle. An invalid query or session is an error naming the
// field and the value; a session's error says which session, counting
// from 0.
//
// For example, sessions 09:00–12:00, 13:00–21:00 and 22:00–01:00 (the next
// day) give the first day 3 + 8 + 2 = 13 hours and the second day 1 hour.
func DesktopUsageReport(q UsageQuery, sessions iter.Seq[DesktopSession]) ([]DesktopUsage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	sp := newSplitter(q.calendar(), newWindow(q.Start, q.End), 0)
	// A row per desktop and day with usage, a group per desktop; a piece's
	// runtime is its length.
	st := newRowStore(&sp.gr, &sp.win, sparseRows, q.MaxRows)
	ids := make(map[string]int32)
	var out []DesktopUsage
	i := 0
	for s := range sessions {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("session %d: %w", i, err)
		}
		i++
		g, ok := ids[s.ResourceID]
		if !ok {
			g = int32(len(out))
			st.addGroup()
			ids[s.ResourceID] = g
			out = append(out, DesktopUsage{ResourceID: s.ResourceID})
		}
		if n := s.ResourceName; n != "" && (out[g].ResourceName == "" || n < out[g].ResourceName) {
			out[g].ResourceName = n
		}
		err := sp.each(instantOf(s.Start), instantOf(s.End), func(cur cursor, secs float64) error {
			c, err := st.row(g, &cur)
			if err == nil {
				c.runtime.Add(secs)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("session %d: %w", i-1, err)
		}
	}

	// Each desktop's usage and idle days, from its days with usage alone:
	// the days of the range less those with usage are idle. The cells,
	// in day order, sum as the days would.
	days := sp.gr.count(sp.win.start.sec, sp.win.end, math.MaxInt)
	totals := make([]Stats, len(out))
	rank := make([]int32, len(out))
	for g := range rank {
		rank[g] = int32(g)
	}
	v := st.view()
	for _, r := range st.ordered(rank) {
		c, _ := v.sums(&r)
		g, sum := r.group, c.runtime.Sum()
		totals[g].addSum(sum)
		if sum != 0 {
			out[g].IdleDays-- // one day fewer idle, from days below
		}
	}
	kept := out[:0]
	keptIDs := make([]int32, 0) // kept[i] is desktop keptIDs[i]
	needle := strings.ToLower(q.NameContains)
	for g, u := range out {
		u.IdleDays += days
		u.UsageSeconds = totals[g].Sum()
		if strings.Contains(strings.ToLower(u.ResourceName), needle) &&
			q.IdleDays.Contains(float64(u.IdleDays)) && q.UsageHours.Contains(u.UsageSeconds/3600) {
			kept = append(kept, u)
			keptIDs = append(keptIDs, int32(g))
		}
	}
	if m := q.MaxRows; m > 0 && len(kept) > 0 && days > m/len(kept) {
		return nil, fmt.Errorf("%w: %d desktops of %d days each are more than %d rows", ErrTooLarge, len(kept), days, m)
	}
	if len(kept) > 0 {
		fillDays(kept, keptIDs, st, &sp)
	}
	slices.SortFunc(kept, func(x, y DesktopUsage) int {
		var c int
		switch q.SortBy {
		case SortByUsage:
			c = cmp.Compare(x.UsageSeconds, y.UsageSeconds)
		case SortByIdle:
			c = cmp.Compare(x.IdleDays, y.IdleDays)
		}
		if q.Descending {
			c = -c
		}
		if c == 0 {
			c = strings.Compare(x.ResourceID, y.ResourceID)
			if q.Descending && q.SortBy == SortByResource {
				c = -c
			}
		}
		return c
	})
	return kept, nil
}

// fillDays sets the Days of the kept desktops, whose group numbers in st
// are groups: every day of sp's window, with the usage of st's rows.
func fillDays(kept []DesktopUsage, groups []int32, st *rowStore, sp *splitter) {
	var days []DayUsage
	var starts []int64 // each day's start, to find a row's day
	for c := range sp.gr.walk(sp.win.start.sec, sp.win.end) {
		days = append(days, DayUsage{
			Start: sp.win.startTime(c.start, sp.gr.loc),
			End:   sp.win.endTime(c.end, sp.gr.loc),
		})
		starts = append(starts, c.start)
	}
	at := make(map[int32]int, len(groups)) // a group's index in kept
	for i, g := range groups {
		at[g] = i
		kept[i].Days = slices.Clone(days)
	}
	st.each(func(r rowRef, s *sums, _ string) error {
		if i, ok := at[r.group]; ok {
			d, _ := slices.BinarySearch(starts, r.start)
			kept[i].Days[d].Seconds = s.runtime.Sum()
		}
		return nil
	})
}

// Validate reports whether s can be aggregated: its Start and End must be
// set and its End not before its Start, as for a [Session]. The error is a
// *[FieldError] naming "startTime" or "endTime" and wraps
// [ErrInvalidSession].
func (s *DesktopSession) Validate() error { return checkInterval(s.Start, s.End) }
