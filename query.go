package sessionagg

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxIDs is the largest number of queue or fleet ids a query may name.
const MaxIDs = 10

// A Query says how to aggregate sessions: over which window, in which
// buckets, grouped by which labels, with which statistics, and for which
// queues or fleets. It mirrors the cloud API's
// StartSessionsStatisticsAggregation request. The zero Query is valid: it
// aggregates all sessions, ungrouped, into UTC days, with all four
// statistics.
type Query struct {
	// Start and End bound the window [Start, End): only the part of a
	// session inside it counts. A zero Start or End leaves that side open,
	// and nothing is clipped on it.
	Start, End time.Time

	// Period is the length of a bucket. Zero means Daily, as in the cloud
	// API, where the period is optional.
	Period Period

	// Location is the zone whose wall clock defines the buckets and in
	// which row times are written. Nil means UTC. See ParseTimezone.
	Location *time.Location

	// WeekStart is the first day of a Weekly bucket: Monday unless set.
	WeekStart WeekStart

	// GroupBy lists the labels that make up a row's group, in order. Empty
	// means one group of all sessions. A field may appear once.
	GroupBy []Field

	// Statistics lists the statistics to report. Empty means all four. A
	// statistic may appear once.
	Statistics []Statistic

	// QueueIDs or FleetIDs, never both, restrict the query to the sessions
	// with one of 1 to MaxIDs ids. Both empty means every session.
	QueueIDs, FleetIDs []string

	// FillEmpty asks for a row, with a count of zero, for every bucket of
	// the window in which a group has no piece, for every group that has
	// a row (ungrouped: for the one group, even with no sessions). On an
	// open side of the window the range ends at the first or last bucket
	// that has a piece. Empty rows report only a sum, of zero. The rows
	// filled are the buckets of the range times the groups: MaxBuckets
	// (and its default) bounds the buckets, not the rows, which can be
	// that many for each group; MaxRows bounds them, filled ones
	// included.
	FillEmpty bool

	// MaxBuckets and MaxRows, when positive, bound the number of buckets
	// of the window (or, on an open side, between the first and the last
	// piece) and the number of rows. A query that would exceed them fails
	// as soon as that is known, with an error wrapping ErrTooLarge.
	//
	// A MaxBuckets of zero means DefaultMaxBuckets on an open side of the
	// window, where the sessions decide how many buckets there are, so
	// that no session, however long, can exhaust memory; and no limit on
	// a window bounded on both sides, whose buckets the caller chose. A
	// MaxRows of zero means no limit. NoLimit lifts either limit.
	MaxBuckets, MaxRows int
}

// DefaultMaxBuckets is the limit on buckets of a query whose MaxBuckets is
// zero and whose window is open on a side: a million buckets, which is
// 114 years of hours or 2,700 years of days, and some 100 MB of rows for
// one group. Set MaxBuckets to raise it, or to NoLimit to lift it.
const DefaultMaxBuckets = 1_000_000

// NoLimit, as a Query's MaxBuckets or MaxRows, means no limit.
const NoLimit = -1

// maxBuckets returns the limit on buckets that applies to q, or 0 for
// none.
func (q *Query) maxBuckets() int { return bucketLimit(q.MaxBuckets, q.Start, q.End) }

// bucketLimit returns the limit on buckets that a MaxBuckets of m sets on
// the window [start, end), open on a side whose time is zero, or 0 for
// none.
func bucketLimit(m int, start, end time.Time) int {
	switch {
	case m > 0:
		return m
	case m == 0 && (start.IsZero() || end.IsZero()):
		return DefaultMaxBuckets
	}
	return 0
}

// clone returns q with slices of its own, so that changing the caller's
// does not change it, nor changing it the caller's.
func (q Query) clone() Query {
	q.GroupBy = slices.Clone(q.GroupBy)
	q.Statistics = slices.Clone(q.Statistics)
	q.QueueIDs = slices.Clone(q.QueueIDs)
	q.FleetIDs = slices.Clone(q.FleetIDs)
	return q
}

// Validate reports the first thing wrong with q, or nil. Each error is a
// *[FieldError] naming the field, in the cloud API's spelling, and the
// value, and wraps [ErrInvalidQuery] and one of [ErrInvalidPeriod],
// [ErrInvalidWindow], [ErrOutOfRange], [ErrInvalidField],
// [ErrInvalidStatistic], [ErrInvalidFilter] or [ErrTooLarge]:
//
//   - a Period or WeekStart that is not one of the constants;
//   - an End that is not after Start, where both are set;
//   - an unknown or repeated GroupBy field or Statistic;
//   - both QueueIDs and FleetIDs, more than MaxIDs of either, or an empty id;
//   - a repeated queue or fleet id;
//   - a Start or End outside the years 1 to 9999 in Location, which row
//     times could not be written in ([ErrOutOfRange]);
//   - a limit below NoLimit, or a bounded window with more than MaxBuckets
//     buckets.
func (q *Query) Validate() error {
	if err := checkPeriod(q.Period); err != nil {
		return err
	}
	if q.WeekStart != Monday && q.WeekStart != Sunday {
		return queryError("weekStart", q.WeekStart.String(), fmt.Errorf("%w: want MONDAY or SUNDAY", ErrInvalidPeriod))
	}
	if err := checkWindow(q.Start, q.End, q.location()); err != nil {
		return err
	}
	var seenField [LicenseProduct + 1]bool
	for i, f := range q.GroupBy {
		field := "groupBy[" + strconv.Itoa(i) + "]"
		if !f.valid() {
			return queryError(field, f.String(), fmt.Errorf("%w: want one of %s", ErrInvalidField, strings.Join(fieldNames[1:], ", ")))
		}
		if seenField[f] {
			return queryError(field, f.String(), fmt.Errorf("%w: %v is repeated", ErrInvalidField, f))
		}
		seenField[f] = true
	}
	var seenStat [Avg + 1]bool
	for i, s := range q.Statistics {
		field := "statistics[" + strconv.Itoa(i) + "]"
		if !s.valid() {
			return queryError(field, s.String(), fmt.Errorf("%w: want SUM, MIN, MAX or AVG", ErrInvalidStatistic))
		}
		if seenStat[s] {
			return queryError(field, s.String(), fmt.Errorf("%w: %v is repeated", ErrInvalidStatistic, s))
		}
		seenStat[s] = true
	}
	if len(q.QueueIDs) > 0 && len(q.FleetIDs) > 0 {
		return queryError("resourceIds", "queueIds and fleetIds", fmt.Errorf("%w: name queue ids or fleet ids, not both", ErrInvalidFilter))
	}
	for _, f := range [...]struct {
		name string
		ids  []string
	}{{"queueIds", q.QueueIDs}, {"fleetIds", q.FleetIDs}} {
		if len(f.ids) > MaxIDs {
			return queryError(f.name, strings.Join(f.ids, ","), fmt.Errorf("%w: %d ids, want 1 to %d", ErrInvalidFilter, len(f.ids), MaxIDs))
		}
		for i, id := range f.ids {
			if id == "" {
				return queryError(f.name+"["+strconv.Itoa(i)+"]", id, fmt.Errorf("%w: an id is empty", ErrInvalidFilter))
			}
			if slices.Contains(f.ids[:i], id) {
				return queryError(f.name+"["+strconv.Itoa(i)+"]", id, fmt.Errorf("%w: %q is repeated", ErrInvalidFilter, id))
			}
		}
	}
	return checkLimits(q.MaxBuckets, q.MaxRows, q.calendar(), q.Start, q.End)
}

// checkLimits returns the error of Query.Validate for the limits
// maxBuckets and maxRows of a query of the buckets of c in the window
// [start, end), open on a side whose time is zero, or nil.
func checkLimits(maxBuckets, maxRows int, c Calendar, start, end time.Time) error {
	if maxBuckets < NoLimit {
		return queryError("maxBuckets", strconv.Itoa(maxBuckets), fmt.Errorf("%w: want a positive limit, 0 for the default or NoLimit (-1)", ErrTooLarge))
	}
	if maxRows < NoLimit {
		return queryError("maxRows", strconv.Itoa(maxRows), fmt.Errorf("%w: want a positive limit, 0 or NoLimit (-1) for none", ErrTooLarge))
	}
	if maxBuckets > 0 && !start.IsZero() && !end.IsZero() {
		if n := c.grid().count(start.Unix(), instantOf(end), maxBuckets+1); n > maxBuckets {
			return queryError("period", c.Period.String(), fmt.Errorf("%w: the window %s to %s holds more than %d buckets",
				ErrTooLarge, formatTime(start), formatTime(end), maxBuckets))
		}
	}
	return nil
}

// checkYear returns an error if t's year is not 1 to 9999, the years that
// RFC 3339 can write.
func checkYear(t time.Time) error {
	if y := t.Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%w: year %d", ErrOutOfRange, y)
	}
	return nil
}

// checkPeriod returns the error of Query.Validate for a period p that is
// neither zero (Daily) nor one of the four periods, or nil.
func checkPeriod(p Period) error {
	if p != 0 && !p.valid() {
		return queryError("period", p.String(), fmt.Errorf("%w: want HOURLY, DAILY, WEEKLY or MONTHLY", ErrInvalidPeriod))
	}
	return nil
}

// checkWindow returns the error of Query.Validate for a window [start,
// end) in loc, open on a side whose time is zero, or nil: a bound outside
// the years 1 to 9999 in loc, or an end that is not after the start.
func checkWindow(start, end time.Time, loc *time.Location) error {
	for _, side := range [...]struct {
		name string
		t    time.Time
	}{{"startTime", start}, {"endTime", end}} {
		if side.t.IsZero() {
			continue
		}
		if err := checkYear(side.t.In(loc)); err != nil {
			return queryError(side.name, formatTime(side.t), err)
		}
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return queryError("endTime", formatTime(end), fmt.Errorf("%w (startTime %s)", ErrInvalidWindow, formatTime(start)))
	}
	return nil
}

// orDaily returns p, or Daily for the zero Period.
func orDaily(p Period) Period {
	if p == 0 {
		return Daily
	}
	return p
}

func (q *Query) period() Period {
	if q.Period == 0 {
		return Daily
	}
	return q.Period
}

func (q *Query) location() *time.Location { return orUTC(q.Location) }

// calendar returns the Calendar of q's buckets.
func (q *Query) calendar() Calendar {
	return Calendar{Period: q.period(), Location: q.location(), WeekStart: q.WeekStart}
}

// splitter returns the splitter of q's buckets, inside its window.
func (q *Query) splitter() splitter {
	return newSplitter(q.calendar(), newWindow(q.Start, q.End), q.maxBuckets())
}

// statistics returns the requested statistics as a bit set (1<<Sum ...).
func (q *Query) statistics() uint8 {
	if len(q.Statistics) == 0 {
		return 1<<Sum | 1<<Min | 1<<Max | 1<<Avg
	}
	var m uint8
	for _, s := range q.Statistics {
		m |= 1 << s
	}
	return m
}

// fingerprint returns what identifies q's rows: everything but its limits.
// Two aggregators merge, and a page token is honoured, only when their
// fingerprints are equal. It is a version, then each of q's parts (see
// queryParts) as a uvarint length and bytes, so that two fingerprints can
// be compared part by part to say what differs.
func fingerprint(q *Query) string {
	b := []byte(fingerprintVersion)
	for _, p := range queryParts(q, false) {
		b = binary.AppendUvarint(b, uint64(len(p.key)))
		b = append(b, p.key...)
	}
	return string(b)
}

const fingerprintVersion = "sessionagg/2"

// A queryPart is one thing that identifies a query's rows: its name in
// error messages, its bytes in the fingerprint, and its value for people.
type queryPart struct {
	name string
	key  []byte
	show string
}

// queryParts returns the parts of q that make its fingerprint, in order;
// with their values for people only if show is true, since a fingerprint
// is made for every Aggregator and a message rarely.
func queryParts(q *Query, show bool) []queryPart {
	var parts [10]queryPart
	var buf [16]int64
	vals := buf[:0]
	add := func(i int, name, value string, b []byte) {
		for _, v := range vals {
			b = binary.AppendVarint(b, v)
		}
		parts[i] = queryPart{name, b, value}
		vals = buf[:0]
	}
	for i, side := range [2]struct {
		name string
		t    time.Time
	}{{"startTime", q.Start}, {"endTime", q.End}} {
		value := "open"
		if side.t.IsZero() {
			vals = append(vals, 0)
		} else {
			vals = append(vals, 1, side.t.Unix(), int64(side.t.Nanosecond()))
			if show {
				value = formatTime(side.t)
			}
		}
		add(i, side.name, value, nil)
	}
	vals = append(vals, int64(q.period()))
	add(2, "period", q.period().String(), nil)
	vals = append(vals, int64(q.WeekStart))
	add(3, "weekStart", q.WeekStart.String(), nil)
	loc := q.location()
	off := int64(math.MinInt64)
	if fixed, o := fixedOffset(loc); fixed {
		off = o
	}
	vals = append(vals, off)
	add(4, "timezone", loc.String(), []byte(loc.String()))
	for _, f := range q.GroupBy {
		vals = append(vals, int64(f))
	}
	value := ""
	if show {
		value = fmt.Sprint(q.GroupBy)
	}
	add(5, "groupBy", value, nil)
	vals = append(vals, int64(q.statistics()))
	if show {
		var stats []Statistic
		for s := Sum; s <= Avg; s++ {
			if q.statistics()&(1<<s) != 0 {
				stats = append(stats, s)
			}
		}
		value = fmt.Sprint(stats)
	}
	add(6, "statistics", value, nil)
	fill := int64(0)
	if q.FillEmpty {
		fill = 1
	}
	vals = append(vals, fill)
	add(7, "fillEmpty", strconv.FormatBool(q.FillEmpty), nil)
	for i, f := range [2]struct {
		name string
		ids  []string
	}{{"queueIds", q.QueueIDs}, {"fleetIds", q.FleetIDs}} {
		ids := slices.Clone(f.ids)
		slices.Sort(ids)
		var b []byte
		for _, id := range ids {
			b = appendString(b, id)
		}
		if show {
			value = fmt.Sprintf("%q", ids)
		}
		add(8+i, f.name, value, b)
	}
	return parts[:]
}

// differences returns the names of the parts in which the fingerprints x
// and y differ, as "period and statistics".
func differences(x, y string) string {
	split := func(fp string) [][]byte {
		rest, ok := strings.CutPrefix(fp, fingerprintVersion)
		if !ok {
			return nil
		}
		d := decoder{data: []byte(rest)}
		var parts [][]byte
		for len(d.data) > 0 && d.err == nil {
			parts = append(parts, d.bytes())
		}
		return parts
	}
	px, py := split(x), split(y)
	names := queryParts(&Query{}, false)
	if len(px) != len(names) || len(py) != len(names) {
		return "version of this package"
	}
	var diff []string
	for i := range names {
		if !bytes.Equal(px[i], py[i]) {
			diff = append(diff, names[i].name)
		}
	}
	return joinAnd(diff)
}

// mismatch describes how the queries x and y differ, as "period HOURLY,
// want DAILY".
func mismatch(x, y *Query) string {
	px, py := queryParts(x, true), queryParts(y, true)
	var diff []string
	for i := range px {
		if !bytes.Equal(px[i].key, py[i].key) {
			diff = append(diff, px[i].name+" "+px[i].show+", want "+py[i].show)
		}
	}
	return strings.Join(diff, "; ")
}

// describe returns a short account of q for messages.
func describe(q *Query) string {
	var b strings.Builder
	b.WriteString("query{")
	b.WriteString(q.period().String())
	b.WriteString(" in ")
	b.WriteString(q.location().String())
	if len(q.GroupBy) > 0 {
		b.WriteString(" by ")
		for i, f := range q.GroupBy {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.String())
		}
	}
	b.WriteByte('}')
	return b.String()
}

// joinAnd joins words as "a, b and c".
func joinAnd(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// defaultNote returns what an error about a limit of buckets adds when
// the limit is the default one.
func defaultNote(maxBuckets int) string {
	if maxBuckets == 0 {
		return " (the default limit of a window open on a side; set Query.MaxBuckets to raise it)"
	}
	return ""
}

// Counts reports whether q counts s: whether s passes q's queue or fleet
// ids and has a piece in q's window, a part of it inside the window or,
// if s has zero length, a Start inside it. [Aggregator.Add] skips the
// sessions that q does not count; a reader can skip them sooner, before
// it makes strings of their labels. Counts does not validate s.
func (q *Query) Counts(s *Session) bool {
	switch {
	case len(q.QueueIDs) > 0 && !slices.Contains(q.QueueIDs, s.QueueID):
		return false
	case len(q.FleetIDs) > 0 && !slices.Contains(q.FleetIDs, s.FleetID):
		return false
	}
	w := newWindow(q.Start, q.End)
	_, _, ok := w.clipSession(instantOf(s.Start), instantOf(s.End))
	return ok
}
