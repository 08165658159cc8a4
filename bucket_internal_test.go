package sessionagg

// White-box tests of the calendar: properties of Calendar checked against a
// brute-force reading of the zone's wall clock, the fixed-offset fast path
// checked against the general path, and the instants at the ends of time.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, where the system has no zone database

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

var calPeriods = []Period{Hourly, Daily, Weekly, Monthly}

// The zones of the properties. Each IANA zone is there for a rule that the
// general path must get right, and each rule zone for the time package's
// reading of the POSIX TZ rule that follows a zone file's last transition.
var (
	calIANA = []struct{ name, reason string }{
		{"America/New_York", "DST gaps and overlaps at 02:00"},
		{"Europe/London", "DST at 01:00 UTC"},
		{"Australia/Lord_Howe", "30-minute DST: hours of 30 and 90 minutes"},
		{"America/Havana", "DST ends at 01:00 back to 00:00: midnight repeats"},
		{"America/Santiago", "DST starts at 24:00: days that begin at 01:00"},
		{"Asia/Beirut", "DST at 00:00 both ways"},
		{"Asia/Kathmandu", "+05:45, and a local mean time with seconds before 1920"},
		{"Pacific/Chatham", "+12:45 and +13:45: 45-minute offsets with DST"},
		{"America/St_Johns", "-03:30 with DST, at 00:01 until 2011"},
		{"Pacific/Apia", "2011-12-30 skipped whole, and DST until 2021"},
		{"Europe/Dublin", "negative DST: standard time is summer time"},
	}
	calRules = []struct{ tz, reason string }{
		{"EST5EDT,M3.2.0,M11.1.0", "New York's rule"},
		{"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "Lord Howe's rule: southern, 30-minute DST"},
		{"CST5CDT,M3.2.0/0,M11.1.0/1", "Havana's rule: repeated midnight"},
		{"<-04>4<-03>,M9.1.6/24,M4.1.6/24", "Santiago's rule: DST at 24:00"},
		{"IST-1GMT0,M10.5.0,M3.5.0/1", "Dublin's rule: negative DST"},
		{"<+03>-3<+04>,M3.5.6/23:30,M10.5.0/0:30", "made up: clocks jump from 23:30 to 00:30 and go back from 00:30 to 23:30, across midnight both ways"},
	}
)

// calZoneSet holds every zone of the properties by name: "UTC", the fixed
// offsets from UTC-12:00 to UTC+14:00 in steps of 15 minutes, the IANA
// zones and the rule zones (named "rule:" and the rule).
type calZoneSet struct {
	fixed, dst []string
	loc        map[string]*time.Location
}

var calLoadZones = sync.OnceValues(func() (*calZoneSet, error) {
	z := &calZoneSet{loc: map[string]*time.Location{}}
	for off := minOffset; off <= maxOffset; off += 15 * 60 {
		name := calOffsetName(off)
		loc, err := ParseTimezone(name)
		if err != nil {
			return nil, err
		}
		z.fixed = append(z.fixed, name)
		z.loc[name] = loc
	}
	for _, iana := range calIANA {
		loc, err := time.LoadLocation(iana.name)
		if err != nil {
			return nil, err
		}
		z.dst = append(z.dst, iana.name)
		z.loc[iana.name] = loc
	}
	for _, r := range calRules {
		loc, err := calRuleZone(r.tz)
		if err != nil {
			return nil, err
		}
		name := "rule:" + r.tz
		z.dst = append(z.dst, name)
		z.loc[name] = loc
	}
	return z, nil
})

func calZones(tb interface {
	Helper()
	Fatal(...any)
}) *calZoneSet {
	tb.Helper()
	z, err := calLoadZones()
	if err != nil {
		tb.Fatal(err)
	}
	return z
}

// calOffsetName spells an offset as ParseTimezone reads it, "UTC-09:30".
func calOffsetName(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off/60%60)
}

// calRuleZone returns a location that follows the POSIX TZ rule tz for all
// time: a version 2 TZif file with no transitions, one zone type and tz as
// its footer. The time package reads such a location with tzset, as it
// reads every zone after its last listed transition (after 2037 in fat zone
// files, after 2007 or so in slim ones such as time/tzdata's).
func calRuleZone(tz string) (*time.Location, error) {
	var b []byte
	for range 2 { // the version 1 block, then the version 2 block
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, 4} {
			b = binary.BigEndian.AppendUint32(b, n)
		}
		b = append(b, 0, 0, 0, 0, 0, 0) // utoff 0, not DST, name at 0
		b = append(b, "STD\x00"...)
	}
	b = append(b, '\n')
	b = append(b, tz...)
	b = append(b, '\n')
	return time.LoadLocationFromTZData("rule:"+tz, b)
}

// TestRuleZone checks that calRuleZone builds what it says: a zone with DST.
func TestRuleZone(t *testing.T) {
	loc, err := calRuleZone("EST5EDT,M3.2.0,M11.1.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		t      time.Time
		want   int
		reason string
	}{
		{time.Date(1800, 7, 1, 0, 0, 0, 0, time.UTC), -4 * 3600, "the rule holds for all time"},
		{time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC), -5 * 3600, "winter"},
		{time.Date(2040, 7, 1, 0, 0, 0, 0, time.UTC), -4 * 3600, "summer"},
	} {
		if _, got := tt.t.In(loc).Zone(); got != tt.want {
			t.Errorf("offset at %v = %d, want %d (%s)", tt.t, got, tt.want, tt.reason)
		}
	}
}

// calName names a calendar in a failure message.
func calName(c Calendar) string {
	s := c.Period.String() + " in " + c.Location.String()
	if c.Period == Weekly {
		s += " from " + c.WeekStart.String()
	}
	return s
}

// calDraw draws a calendar of period p: a fixed offset a quarter of
// the time, a zone with DST otherwise.
func calDraw(t *rapid.T, p Period) Calendar {
	z := calZones(t)
	names := z.dst
	if rapid.IntRange(0, 3).Draw(t, "fixed") == 0 {
		names = z.fixed
	}
	c := Calendar{Period: p, Location: z.loc[rapid.SampledFrom(names).Draw(t, "zone")]}
	if p == Weekly {
		c.WeekStart = rapid.SampledFrom([]WeekStart{Monday, Sunday}).Draw(t, "weekStart")
	}
	return c
}

func calYear(y int) int64 { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Unix() }

// calSecond draws a Unix second in the years from lo to hi. It draws the
// year, the day, the hour and the second apart, since rapid draws each
// integer with a bias toward the low end of its range: one draw over the
// whole range would give the first days of lo over and over.
func calSecond(t *rapid.T, lo, hi int, label string) int64 {
	y := rapid.IntRange(lo, hi).Draw(t, label+"Year")
	return calYear(y) +
		rapid.Int64Range(0, 365).Draw(t, label+"Day")*86400 +
		rapid.Int64Range(0, 23).Draw(t, label+"Hour")*3600 +
		rapid.Int64Range(0, 3599).Draw(t, label+"Second")
}

// calInstant draws an instant: in 2000–2030, or within two days of one
// of loc's zone changes in those years, or in 1900–2100 (1970–2100 for the
// rule zones: before 1970 the time package reads a TZ rule a day late, and
// at 00:00 UTC on time); with nanoseconds half of the time.
func calInstant(t *rapid.T, loc *time.Location, label string) time.Time {
	var u int64
	switch rapid.IntRange(0, 3).Draw(t, label+"Kind") {
	case 0:
		u = calSecond(t, 2000, 2030, label)
	case 1, 2:
		u = calSecond(t, 2000, 2030, label+"Base")
		if _, e := time.Unix(u, 0).In(loc).ZoneBounds(); !e.IsZero() {
			u = e.Unix()
		}
		u += rapid.Int64Range(-48, 47).Draw(t, label+"Hours")*3600 + rapid.Int64Range(0, 3599).Draw(t, label+"Seconds")
	default:
		from := 1900
		if strings.HasPrefix(loc.String(), "rule:") {
			from = 1970
		}
		u = calSecond(t, from, 2100, label)
	}
	var ns int64
	if rapid.Bool().Draw(t, label+"HasNanos") {
		ns = rapid.Int64Range(1, 999_999_999).Draw(t, label+"Nanos")
	}
	return time.Unix(u, ns).UTC()
}

// A calOracle reads a calendar's rules off the wall clock of its zone, by
// brute force, using only package time: no ZoneBounds, no grid.
type calOracle struct{ Calendar }

func (o calOracle) offset(u int64) int64 {
	_, off := time.Unix(u, 0).In(o.loc()).Zone()
	return int64(off)
}

// local returns the wall-clock reading at u, as seconds since 1970-01-01
// 00:00 on the wall clock.
func (o calOracle) local(u int64) int64 { return u + o.offset(u) }

// changes returns the instants c in (a, b) at which the offset changes
// (offset(c-1) != offset(c)), found by reading the offset every 15 minutes
// and bisecting. No zone changes its offset twice within 15 minutes.
func (o calOracle) changes(a, b int64) []int64 {
	var out []int64
	lo, prev := a, o.offset(a)
	for lo < b-1 {
		hi := min(lo+900, b-1)
		if o.offset(hi) == prev {
			lo = hi
			continue
		}
		for hi-lo > 1 {
			if m := lo + (hi-lo)/2; o.offset(m) == prev {
				lo = m
			} else {
				hi = m
			}
		}
		out = append(out, hi)
		lo, prev = hi, o.offset(hi)
	}
	return out
}

// maxLocal returns the latest wall-clock reading over [a, b). Between
// changes of offset the reading increases, so it is the reading at b-1 or
// just before a change.
func (o calOracle) maxLocal(a, b int64) int64 {
	m := o.local(b - 1)
	for _, c := range o.changes(a, b) {
		m = max(m, o.local(c-1))
	}
	return m
}

func calMod(a, m int64) int64 { return (a%m + m) % m }

// calHourIn reports whether [a, b) holds a multiple of an hour.
func calHourIn(a, b int64) bool { return a+calMod(-a, 3600) < b }

// firstDay returns the local day number (days since 1970-01-01) of the
// first day of the period that holds day d, and of the next period.
func (o calOracle) firstDay(d int64) (first, next int64) {
	day := time.Unix(d*86400, 0).UTC()
	switch o.Period {
	case Daily:
		return d, d + 1
	case Weekly:
		wd := int64(day.Weekday()) // Sunday is 0
		if o.WeekStart == Monday {
			wd = (wd + 6) % 7
		}
		return d - wd, d - wd + 7
	default:
		y, m, _ := day.Date()
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400,
			time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
	}
}

func (o calOracle) wall(u int64) string {
	return time.Unix(u, 0).In(o.Location).Format("2006-01-02 15:04:05 -07:00:00 Mon")
}

// checkStart reports why s is not the start of a bucket, if it is not:
//
//   - hours: the wall clock reads hh:00:00 at s, or s ends a gap that
//     skipped such a reading;
//   - days, weeks, months: s is the first instant whose local date lies in
//     its period, and its wall clock reads 00:00:00 on the first day of the
//     period (a Monday or Sunday, a 1st), or s ends a gap that skipped that
//     reading.
func (o calOracle) checkStart(s int64) error {
	po, off := o.offset(s-1), o.offset(s)
	if o.Period == Hourly {
		if calMod(s+off, 3600) == 0 || po < off && calHourIn(s+po, s+off) {
			return nil
		}
		return fmt.Errorf("starts at %s, not hh:00:00 nor the end of a gap that skipped it", o.wall(s))
	}
	first, _ := o.firstDay(floorDiv(s+off, 86400))
	m := first * 86400
	if s+off != m && !(po < off && s+po <= m && m < s+off) {
		return fmt.Errorf("starts at %s, not 00:00:00 on the first day of its period nor the end of a gap that skipped it", o.wall(s))
	}
	if ml := o.maxLocal(s-2*86400, s); ml >= m {
		return fmt.Errorf("starts at %s, but the wall clock already read %s earlier",
			o.wall(s), time.Unix(ml, 0).UTC().Format("2006-01-02 15:04:05"))
	}
	return nil
}

// checkInside reports why [s, e) is not one whole bucket, if it is not: no
// instant inside (s, e) may start a bucket.
func (o calOracle) checkInside(s, e int64) error {
	if o.Period != Hourly {
		first, next := o.firstDay(floorDiv(o.local(s), 86400))
		if ml := o.maxLocal(s, e); ml >= next*86400 {
			return fmt.Errorf("the wall clock reads %s inside the bucket that starts on %s",
				time.Unix(ml, 0).UTC().Format("2006-01-02 15:04:05"), time.Unix(first*86400, 0).UTC().Format("2006-01-02"))
		}
		return nil
	}
	changes := o.changes(s, e)
	for _, c := range changes {
		if po, off := o.offset(c-1), o.offset(c); po < off && calHourIn(c+po, c+off) {
			return fmt.Errorf("a gap that skipped an hh:00:00 reading ends inside the bucket, at %s", o.wall(c))
		}
	}
	// Within each span of one offset, the first hh:00:00 reading.
	bounds := append(append([]int64{s + 1}, changes...), e)
	for i := 0; i+1 < len(bounds); i++ {
		a, b := bounds[i], bounds[i+1]
		if a >= b {
			continue
		}
		off := o.offset(a)
		if u := a + calMod(-(a+off), 3600); u < b {
			return fmt.Errorf("the wall clock reads hh:00:00 inside the bucket, at %s", o.wall(u))
		}
	}
	return nil
}

// checkBucket checks that b is one whole bucket of o's calendar.
func (o calOracle) checkBucket(b Bucket) error {
	if !b.Start.Before(b.End) {
		return errors.New("empty")
	}
	if b.Start.Location() != o.loc() || b.End.Location() != o.loc() {
		return fmt.Errorf("in %v and %v, not in the calendar's location", b.Start.Location(), b.End.Location())
	}
	if b.Start.Nanosecond() != 0 || b.End.Nanosecond() != 0 {
		return errors.New("not on whole seconds")
	}
	if err := o.checkStart(b.Start.Unix()); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	if err := o.checkStart(b.End.Unix()); err != nil {
		return fmt.Errorf("end: %w", err)
	}
	return o.checkInside(b.Start.Unix(), b.End.Unix())
}

func (o calOracle) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// calWalks is how many buckets the properties walk per check, to keep each
// check within about a millisecond.
var calWalks = map[Period]int{Hourly: 48, Daily: 10, Weekly: 4, Monthly: 3}

// TestCalendarBucketsArePeriods checks every bucket against the oracle:
// each starts at a period start as the SPEC defines it, no period starts
// inside it, and the next bucket starts where it ends.
func TestCalendarBucketsArePeriods(t *testing.T) {
	for _, p := range calPeriods {
		t.Run(p.String(), rapid.MakeCheck(func(t *rapid.T) {
			c := calDraw(t, p)
			at := calInstant(t, c.Location, "t")
			o := calOracle{c}
			b := c.Bucket(at)
			if !b.Contains(at) {
				t.Fatalf("%s: Bucket(%v) = %v, which does not contain it", calName(c), at, b)
			}
			for range calWalks[p] {
				if err := o.checkBucket(b); err != nil {
					t.Fatalf("%s: bucket %v: %v", calName(c), b, err)
				}
				next := c.Bucket(b.End)
				if !next.Start.Equal(b.End) {
					t.Fatalf("%s: Bucket(%v) = %v, want it to start there", calName(c), b.End, next)
				}
				b = next
			}
		}))
	}
}

// TestCalendarAtEveryChange checks, against the oracle, the buckets on
// either side of every change of offset in a few years of each zone with
// DST, for every period and both week starts. The properties draw instants
// near changes too, but a zone whose changes are rare, or a kind of change
// that only a few zones have (a gap that skips an hh:00 reading, as on
// Lord Howe and the Chatham Islands), would get few draws.
func TestCalendarAtEveryChange(t *testing.T) {
	z := calZones(t)
	for _, name := range z.dst {
		loc := z.loc[name]
		for _, y := range []int{1986, 2011, 2026, 2040} {
			from, to := calYear(y), calYear(y+1)
			for _, change := range (calOracle{Calendar{Location: loc}}).changes(from, to) {
				for _, c := range []Calendar{
					{Period: Hourly}, {Period: Daily}, {Period: Weekly}, {Period: Weekly, WeekStart: Sunday}, {Period: Monthly},
				} {
					c.Location = loc
					o := calOracle{c}
					for _, d := range []int64{0, 1, 900, 1800, 2700, 3600, 5400} {
						at := time.Unix(change+d, 0)
						if b := c.Bucket(at); !b.Contains(at) {
							t.Fatalf("%s: Bucket(%v) = %v, which does not contain it", calName(c), at.In(loc), b)
						}
					}
					b := c.Bucket(time.Unix(change-1, 0))
					for range 3 {
						if err := o.checkBucket(b); err != nil {
							t.Fatalf("%s, change at %s: bucket %v: %v", calName(c), o.wall(change), b, err)
						}
						next := c.Bucket(b.End)
						if !next.Start.Equal(b.End) {
							t.Fatalf("%s: Bucket(%v) = %v, want it to start there", calName(c), b.End, next)
						}
						b = next
					}
				}
			}
		}
	}
}

// TestCalendarBucket checks Bucket and Next against each other: Bucket(t)
// contains t, is the bucket of each of its instants, and Next(t) is its end.
func TestCalendarBucket(t *testing.T) {
	for _, p := range calPeriods {
		t.Run(p.String(), rapid.MakeCheck(func(t *rapid.T) {
			c := calDraw(t, p)
			at := calInstant(t, c.Location, "t")
			b := c.Bucket(at)
			if !b.Contains(at) {
				t.Fatalf("%s: Bucket(%v) = %v, which does not contain it", calName(c), at, b)
			}
			if got := c.Next(at); !got.Equal(b.End) || !got.After(at) || got.Location() != b.End.Location() {
				t.Fatalf("%s: Next(%v) = %v, want %v", calName(c), at, got, b.End)
			}
			for _, u := range []time.Time{b.Start, b.End.Add(-1), b.Start.Add(b.Duration() / 2)} {
				if got := c.Bucket(u); !cmp.Equal(got, b) {
					t.Fatalf("%s: Bucket(%v) = %v, want %v", calName(c), u, got, b)
				}
			}
			if got := c.Bucket(b.Start.Add(-1)); !got.End.Equal(b.Start) {
				t.Fatalf("%s: Bucket(%v) = %v, want it to end at %v", calName(c), b.Start.Add(-1), got, b.Start)
			}
		}))
	}
}

// calLength draws the length of a window of up to about 80 buckets of
// period p: a number of whole nominal periods, plus a part of one.
func calLength(t *rapid.T, p Period) time.Duration {
	unit, most := map[Period]struct {
		d time.Duration
		n int64
	}{
		Hourly:  {time.Hour, 72},
		Daily:   {24 * time.Hour, 60},
		Weekly:  {7 * 24 * time.Hour, 52},
		Monthly: {30 * 24 * time.Hour, 72},
	}[p].d, map[Period]int64{Hourly: 72, Daily: 60, Weekly: 52, Monthly: 72}[p]
	n := rapid.Int64Range(0, most).Draw(t, "periods")
	part := rapid.Int64Range(0, int64(unit)-1).Draw(t, "part")
	return time.Duration(n)*unit + time.Duration(part)
}

// TestCalendarBucketsTile checks that Buckets(start, end) tile the window:
// contiguous, strictly increasing, from start to end, each the window's
// part of a bucket of Bucket.
func TestCalendarBucketsTile(t *testing.T) {
	for _, p := range calPeriods {
		t.Run(p.String(), rapid.MakeCheck(func(t *rapid.T) {
			c := calDraw(t, p)
			start := calInstant(t, c.Location, "start")
			length := calLength(t, p)
			if length == 0 {
				length = 1
			}
			end := start.Add(length)
			var got []Bucket
			for b := range c.Buckets(start, end) {
				got = append(got, b)
			}
			if len(got) == 0 {
				t.Fatalf("%s: Buckets(%v, %v) is empty", calName(c), start, end)
			}
			if !got[0].Start.Equal(start) || !got[len(got)-1].End.Equal(end) {
				t.Fatalf("%s: Buckets(%v, %v) run from %v to %v", calName(c), start, end, got[0].Start, got[len(got)-1].End)
			}
			for i, b := range got {
				if !b.Start.Before(b.End) {
					t.Fatalf("%s: Buckets(%v, %v)[%d] = %v, empty", calName(c), start, end, i, b)
				}
				if i > 0 && !b.Start.Equal(got[i-1].End) {
					t.Fatalf("%s: Buckets(%v, %v)[%d] = %v does not start where %v ends", calName(c), start, end, i, b, got[i-1])
				}
				whole := c.Bucket(b.Start)
				want := Bucket{calMax(whole.Start, start), calMin(whole.End, end)}
				if diff := cmp.Diff(want, b); diff != "" {
					t.Fatalf("%s: Buckets(%v, %v)[%d] mismatch (-want +got):\n%s", calName(c), start, end, i, diff)
				}
				if b.Start.Location() != c.Location || b.End.Location() != c.Location {
					t.Fatalf("%s: Buckets(%v, %v)[%d] = %v, not in %v", calName(c), start, end, i, b, c.Location)
				}
			}
			if n := calCount(c.Buckets(end, start)); n != 0 {
				t.Fatalf("%s: Buckets(%v, %v) has %d buckets, want none", calName(c), end, start, n)
			}
			if n := calCount(c.Buckets(start, start)); n != 0 {
				t.Fatalf("%s: Buckets(%v, %v) has %d buckets, want none", calName(c), start, start, n)
			}
			for b := range c.Buckets(start, end) {
				_ = b
				break // stopping early must not panic
			}
		}))
	}
}

func calMax(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func calMin(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func calCount[V any](seq func(func(V) bool)) int {
	n := 0
	for range seq {
		n++
	}
	return n
}

// TestCalendarSplit checks the pieces of Split(start, end): for end before
// start none; for end equal to start one empty piece in Bucket(start);
// otherwise disjoint, contiguous pieces that cover [start, end) exactly,
// one for each bucket the interval touches, each within the bucket it
// carries, which is Bucket of its start.
func TestCalendarSplit(t *testing.T) {
	for _, p := range calPeriods {
		t.Run(p.String(), rapid.MakeCheck(func(t *rapid.T) {
			c := calDraw(t, p)
			start := calInstant(t, c.Location, "start")
			var length time.Duration
			switch rapid.IntRange(0, 5).Draw(t, "sign") {
			case 0: // zero length
			case 1:
				length = -calLength(t, p) - 1
			default:
				length = calLength(t, p) + 1
			}
			end := start.Add(length)
			var got []Piece
			for piece := range c.Split(start, end) {
				got = append(got, piece)
			}
			switch {
			case length < 0:
				if len(got) != 0 {
					t.Fatalf("%s: Split(%v, %v) = %v, want no pieces", calName(c), start, end, got)
				}
				return
			case length == 0:
				want := []Piece{{c.Bucket(start), start, start}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s: Split(%v, %v) mismatch (-want +got):\n%s", calName(c), start, end, diff)
				}
				return
			}
			if n := calCount(c.Buckets(start, end)); len(got) != n {
				t.Fatalf("%s: Split(%v, %v) has %d pieces, want %d, one per bucket", calName(c), start, end, len(got), n)
			}
			if !got[0].Start.Equal(start) || !got[len(got)-1].End.Equal(end) {
				t.Fatalf("%s: Split(%v, %v) covers %v to %v", calName(c), start, end, got[0].Start, got[len(got)-1].End)
			}
			for i, piece := range got {
				if !piece.Start.Before(piece.End) {
					t.Fatalf("%s: Split(%v, %v)[%d] = %v, empty", calName(c), start, end, i, piece)
				}
				if i > 0 && !piece.Start.Equal(got[i-1].End) {
					t.Fatalf("%s: Split(%v, %v)[%d] = %v does not start where %v ends", calName(c), start, end, i, piece, got[i-1])
				}
				if piece.Start.Before(piece.Bucket.Start) || piece.End.After(piece.Bucket.End) {
					t.Fatalf("%s: Split(%v, %v)[%d] = %v, not within its bucket", calName(c), start, end, i, piece)
				}
				if diff := cmp.Diff(c.Bucket(piece.Start), piece.Bucket); diff != "" {
					t.Fatalf("%s: Split(%v, %v)[%d].Bucket mismatch (-want +got):\n%s", calName(c), start, end, i, diff)
				}
				if piece.Start.Location() != c.Location || piece.End.Location() != c.Location {
					t.Fatalf("%s: Split(%v, %v)[%d] = %v, not in %v", calName(c), start, end, i, piece, c.Location)
				}
			}
			n := 0
			for range c.Split(start, end) {
				if n++; n == 2 {
					break // stopping early must not panic
				}
			}
		}))
	}
}

// TestFixedPathMatchesGeneral checks that the integer arithmetic of fixed
// zones gives exactly the buckets that the general path, which walks zone
// spans, gives for the same zone: for every offset ParseTimezone accepts,
// every period and both week starts, at random instants of 1900–2100 and
// near the years 1 and 9999. Keys differ by design (ordinals against start
// seconds); starts and ends must not.
func TestFixedPathMatchesGeneral(t *testing.T) {
	z := calZones(t)
	rapid.Check(t, func(t *rapid.T) {
		var sec int64
		switch rapid.IntRange(0, 5).Draw(t, "era") {
		case 0:
			sec = calSecond(t, 0, 1, "sec")
		case 1:
			sec = calSecond(t, 9998, 9999, "sec")
		default:
			sec = calSecond(t, 1900, 2100, "sec")
		}
		for _, name := range z.fixed {
			for _, c := range []Calendar{
				{Period: Hourly}, {Period: Daily}, {Period: Weekly}, {Period: Weekly, WeekStart: Sunday}, {Period: Monthly},
			} {
				c.Location = z.loc[name]
				fixed := c.grid()
				general := *fixed
				general.fixed = false
				if !fixed.fixed {
					t.Fatalf("%s: grid not fixed", calName(c))
				}
				fc, gc := fixed.at(sec), general.at(sec)
				for i := 0; ; i++ {
					if fc.start != gc.start || fc.end != gc.end {
						t.Fatalf("%s: bucket %d from %v: fixed path [%v, %v), general path [%v, %v)", calName(c), i, time.Unix(sec, 0).UTC(),
							time.Unix(fc.start, 0).In(c.Location), time.Unix(fc.end, 0).In(c.Location),
							time.Unix(gc.start, 0).In(c.Location), time.Unix(gc.end, 0).In(c.Location))
					}
					if fc.key != fixed.ord(fc.start) {
						t.Fatalf("%s: key %d at %d, want ordinal %d", calName(c), fc.key, fc.start, fixed.ord(fc.start))
					}
					if i == 3 {
						break
					}
					if !fc.advance() || !gc.advance() {
						t.Fatalf("%s: advance failed at %v", calName(c), time.Unix(fc.end, 0).UTC())
					}
				}
			}
		}
	})
}

// TestOrdinals checks ord and ordStart as inverses, in fixed zones: the
// bucket with ordinal n starts at ordStart(n), which ord maps back to n,
// and the second before it has ordinal n-1.
func TestOrdinals(t *testing.T) {
	z := calZones(t)
	rapid.Check(t, func(t *rapid.T) {
		c := Calendar{
			Period:    rapid.SampledFrom(calPeriods).Draw(t, "period"),
			Location:  z.loc[rapid.SampledFrom(z.fixed).Draw(t, "zone")],
			WeekStart: rapid.SampledFrom([]WeekStart{Monday, Sunday}).Draw(t, "weekStart"),
		}
		g := c.grid()
		// Ordinals of the years -1000 to 11000, in any period.
		n := g.ord(calSecond(t, -1000, 11000, "sec"))
		s := g.ordStart(n)
		if got := g.ord(s); got != n {
			t.Fatalf("%s: ord(ordStart(%d)) = %d, want %d", calName(c), n, got, n)
		}
		if got := g.ord(s - 1); got != n-1 {
			t.Fatalf("%s: ord(ordStart(%d)-1) = %d, want %d", calName(c), n, got, n-1)
		}
		cur := g.at(s)
		if cur.key != n || cur.start != s || cur.end != g.ordStart(n+1) {
			t.Fatalf("%s: at(%d) = %+v, want key %d and [%d, %d)", calName(c), s, cur, n, s, g.ordStart(n+1))
		}
		if !cur.advance() || cur.key != n+1 || cur.start != g.ordStart(n+1) || cur.end != g.ordStart(n+2) {
			t.Fatalf("%s: advance from ordinal %d = %+v, want key %d and [%d, %d)", calName(c), n, cur, n+1, g.ordStart(n+1), g.ordStart(n+2))
		}
	})
}

// TestCivil checks the day arithmetic against time.Date, over a wide range
// of years of the proleptic Gregorian calendar that both use.
func TestCivil(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// A year of any 400-year era (the cycle of the Gregorian calendar)
		// within a million years of year 0.
		y := rapid.Int64Range(-2500, 2500).Draw(t, "era")*400 + rapid.Int64Range(0, 399).Draw(t, "yearOfEra")
		m := rapid.Int64Range(1, 12).Draw(t, "month")
		d := rapid.Int64Range(1, 31).Draw(t, "day")
		date := time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC) // normalizes the 31st of short months
		y, m, d = int64(date.Year()), int64(date.Month()), int64(date.Day())
		want := floorDiv(date.Unix(), 86400)
		if got := daysFromCivil(y, m, d); got != want {
			t.Fatalf("daysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, want)
		}
		if gy, gm := civilFromDays(want); gy != y || gm != m {
			t.Fatalf("civilFromDays(%d) = %d, %d, want %d, %d", want, gy, gm, y, m)
		}
		n := monthOrdinal(want)
		if n != y*12+m-1 {
			t.Fatalf("monthOrdinal(%d) = %d, want %d", want, n, y*12+m-1)
		}
		first := floorDiv(time.Date(int(y), time.Month(m), 1, 0, 0, 0, 0, time.UTC).Unix(), 86400)
		if got := monthFirstDay(n); got != first {
			t.Fatalf("monthFirstDay(%d) = %d, want %d", n, got, first)
		}
		days := int64(time.Date(int(y), time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day())
		if got := monthDays(n); got != days {
			t.Fatalf("monthDays(%d) = %d, want %d (%d-%02d)", n, got, days, y, m)
		}
	})
}

// calWithin runs f and fails if it panics or does not return within d. The
// goroutine of an f that does not return is left running, so the test
// stops there.
func calWithin(tb testing.TB, d time.Duration, what string, f func() error) {
	tb.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v", r)
			}
		}()
		done <- f()
	}()
	select {
	case err := <-done:
		if err != nil {
			tb.Errorf("%s: %v", what, err)
		}
	case <-time.After(d):
		tb.Fatalf("%s did not return within %v", what, d)
	}
}

// calCheckAround exercises every method of c around t and checks the basics:
// Bucket(t) contains t, Next(t) is its end, and Split and Buckets tile a
// window of three days on either side of t.
func calCheckAround(c Calendar, t time.Time) error {
	b := c.Bucket(t)
	if !b.Contains(t) {
		return fmt.Errorf("Bucket(%v) = %v, which does not contain it", t, b)
	}
	if n := c.Next(t); !n.Equal(b.End) {
		return fmt.Errorf("Next(%v) = %v, want %v", t, n, b.End)
	}
	start, end := t.Add(-72*time.Hour), t.Add(72*time.Hour)
	prev := start
	for p := range c.Split(start, end) {
		if !p.Start.Equal(prev) || !p.Start.Before(p.End) {
			return fmt.Errorf("Split(%v, %v): piece %v after %v", start, end, p, prev)
		}
		prev = p.End
	}
	if !prev.Equal(end) {
		return fmt.Errorf("Split(%v, %v) ends at %v", start, end, prev)
	}
	prev = start
	for b := range c.Buckets(start, end) {
		if !b.Start.Equal(prev) {
			return fmt.Errorf("Buckets(%v, %v): bucket %v after %v", start, end, b, prev)
		}
		prev = b.End
	}
	if !prev.Equal(end) {
		return fmt.Errorf("Buckets(%v, %v) ends at %v", start, end, prev)
	}
	return nil
}

// TestCalendarEndsOfTime checks every period in UTC, UTC+14, UTC-12 and
// New York at the ends of the years 1 to 9999, where the buckets must still
// be right, and just beyond them.
func TestCalendarEndsOfTime(t *testing.T) {
	z := calZones(t)
	locs := []*time.Location{time.UTC, z.loc["UTC+14:00"], z.loc["UTC-12:00"], z.loc["America/New_York"], z.loc["rule:EST5EDT,M3.2.0,M11.1.0"]}
	instants := []time.Time{
		{}, // 0001-01-01 00:00:00 UTC
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond),
		time.Date(1, 1, 4, 12, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(9999, 12, 28, 12, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, loc := range locs {
		for _, p := range calPeriods {
			for _, ws := range []WeekStart{Monday, Sunday} {
				c := Calendar{Period: p, Location: loc, WeekStart: ws}
				for _, at := range instants {
					calWithin(t, 10*time.Second, fmt.Sprintf("%s at %v", calName(c), at), func() error {
						if err := calCheckAround(c, at); err != nil {
							return err
						}
						return calOracle{c}.checkBucket(c.Bucket(at))
					})
				}
			}
		}
	}
}

// TestCalendarFarInstants checks the promise for instants far outside the
// years 1 to 9999: no method panics or fails to return. Near the ends of
// int64 seconds (time.Unix(math.MaxInt64, 0) is a common "never") the sums
// of seconds and offsets overflow.
func TestCalendarFarInstants(t *testing.T) {
	z := calZones(t)
	locs := []*time.Location{time.UTC, z.loc["UTC+14:00"], z.loc["UTC-12:00"], z.loc["UTC+05:45"], z.loc["America/New_York"], z.loc["Australia/Lord_Howe"]}
	instants := []time.Time{
		time.Date(-1_000_000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1_000_000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(-1<<62, 0),
		time.Unix(1<<62, 0),
	}
	// Every 17 hours for six weeks from each end of int64 seconds, and from
	// the last instant that time.Time holds.
	for d := int64(0); d < 6*7*86400; d += 17 * 3600 {
		instants = append(instants,
			time.Unix(math.MinInt64+d, 0),
			time.Unix(math.MaxInt64-d, 999_999_999),
			time.Unix(math.MaxInt64-62135596800-d, 999_999_999))
	}
	for _, loc := range locs {
		for _, p := range calPeriods {
			c := Calendar{Period: p, Location: loc}
			for _, at := range instants {
				calWithin(t, 10*time.Second, fmt.Sprintf("%s at %d s", calName(c), at.Unix()), func() error {
					c.Bucket(at)
					c.Next(at)
					for range c.Split(at, at.Add(72*time.Hour)) {
					}
					for range c.Split(at.Add(-72*time.Hour), at) {
					}
					for range c.Buckets(at.Add(-72*time.Hour), at) {
					}
					return nil
				})
			}
		}
	}
}

// TestZoneSpansAtYearEnd is the regression test for a bug found by the
// properties: in the years after a zone's last listed transition, the time
// package ends the span after the autumn change of a leap year at 00:00 UTC
// on 31 December, before the instant asked about, and the walk from span to
// span did not advance. It hung on 2024-12-31 in New York with slim zone
// data (time/tzdata) and on 2040-12-31 with fat data.
func TestZoneSpansAtYearEnd(t *testing.T) {
	z := calZones(t)
	for _, name := range z.dst {
		for _, p := range calPeriods {
			c := Calendar{Period: p, Location: z.loc[name]}
			for _, y := range []int{2024, 2040, 2096} {
				at := time.Date(y, 12, 31, 12, 0, 0, 0, time.UTC)
				calWithin(t, 10*time.Second, fmt.Sprintf("%s at %v", calName(c), at), func() error {
					if err := calCheckAround(c, at); err != nil {
						return err
					}
					return calOracle{c}.checkBucket(c.Bucket(at))
				})
			}
		}
	}
}

// TestSplitIsLazy checks that a century of hours is split one piece at a
// time: taking five pieces, or five buckets, returns at once.
func TestSplitIsLazy(t *testing.T) {
	z := calZones(t)
	start := time.Date(2000, 1, 1, 0, 30, 0, 0, time.UTC)
	end := start.AddDate(100, 0, 0)
	for _, name := range []string{"UTC+05:30", "America/New_York"} {
		c := Calendar{Period: Hourly, Location: z.loc[name]}
		calWithin(t, 5*time.Second, calName(c)+": five pieces of a century", func() error {
			n := 0
			for p := range c.Split(start, end) {
				if n++; n == 5 {
					if want := c.Bucket(start).Start.Add(5 * time.Hour); !p.End.Equal(want) {
						return fmt.Errorf("fifth piece %v, want it to end at %v", p, want)
					}
					break
				}
			}
			return nil
		})
		calWithin(t, 5*time.Second, calName(c)+": five buckets of a century", func() error {
			n := 0
			for range c.Buckets(start, end) {
				if n++; n == 5 {
					break
				}
			}
			return nil
		})
	}
}

// TestSplitCentury splits a century into days in a fixed zone, whole.
func TestSplitCentury(t *testing.T) {
	loc := calZones(t).loc["UTC+05:30"]
	c := Calendar{Period: Daily, Location: loc}
	start := time.Date(2000, 1, 1, 12, 0, 0, 0, loc)
	end := start.AddDate(100, 0, 0)
	n, prev := 0, start
	for p := range c.Split(start, end) {
		if !p.Start.Equal(prev) || p.Bucket.Duration() != 24*time.Hour || p.Bucket.Start.Hour() != 0 {
			t.Fatalf("piece %d = %v after %v", n, p, prev)
		}
		n++
		prev = p.End
	}
	if want := int(end.Sub(start)/(24*time.Hour)) + 1; n != want || !prev.Equal(end) {
		t.Errorf("Split(%v, %v) = %d pieces ending at %v, want %d ending at %v", start, end, n, prev, want, end)
	}
}

// TestCalendarInvalidPeriod checks the documented panics.
func TestCalendarInvalidPeriod(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		f      func(Calendar)
		reason string
	}{
		{"Bucket", func(c Calendar) { c.Bucket(now) }, "documented to panic"},
		{"Next", func(c Calendar) { c.Next(now) }, "documented to panic"},
		{"Split", func(c Calendar) { c.Split(now, now) }, "panics when called, not when ranged over"},
		{"Buckets", func(c Calendar) {
			for range c.Buckets(now, now.Add(time.Hour)) {
			}
		}, "documented to panic"},
	} {
		for _, p := range []Period{0, Monthly + 1} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("Calendar{Period: %v}.%s did not panic (%s)", p, tt.name, tt.reason)
					}
				}()
				tt.f(Calendar{Period: p})
			}()
		}
	}
}

// TestCalendarNilLocation checks that a nil Location means UTC.
func TestCalendarNilLocation(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 15, 0, 0, time.UTC)
	got := Calendar{Period: Daily}.Bucket(at)
	want := Bucket{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	if diff := cmp.Diff(want, got); diff != "" || got.Start.Location() != time.UTC {
		t.Errorf("Calendar{Period: Daily}.Bucket(%v) mismatch (-want +got):\n%s", at, diff)
	}
}
