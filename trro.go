package sessionagg

import (
	"fmt"
	"iter"
	"strings"
	"time"
)

// This file is the shape of Tencent Cloud TRRO's
// DescribeSessionStatisticsByInterval: remote-control sessions between a
// field device and a remote device, counted per hour, day or month.

// A Quality is TRRO's rating of a remote session.
type Quality uint8

// The three ratings. The zero Quality is Good.
const (
	Good Quality = iota
	Normal
	Bad
)

var qualityNames = [...]string{Good: "good", Normal: "normal", Bad: "bad"}

// String returns "good", "normal" or "bad", or "Quality(N)" for any other
// value.
func (q Quality) String() string {
	if q <= Bad {
		return qualityNames[q]
	}
	return fmt.Sprintf("Quality(%d)", uint8(q))
}

// ParseQuality returns the Quality named s, "good", "normal" or "bad" in
// any letter case. Any other string is an error wrapping
// [ErrInvalidQuality].
func ParseQuality(s string) (Quality, error) {
	for q, name := range qualityNames {
		if strings.EqualFold(s, name) {
			return Quality(q), nil
		}
	}
	return 0, fmt.Errorf("%w %q: want good, normal or bad", ErrInvalidQuality, s)
}

// A DeviceSession is one TRRO session: a remote device connected to a field
// device over [Start, End), rated by its Quality.
type DeviceSession struct {
	Start, End   time.Time
	FieldDevice  string
	RemoteDevice string
	Quality      Quality
}

// A DeviceQuery says how to aggregate DeviceSessions. The zero DeviceQuery
// aggregates all sessions into UTC days.
type DeviceQuery struct {
	// Start and End bound the window, as in Query; zero leaves a side open.
	Start, End time.Time
	// Period is TRRO's StatisticInterval: Hourly, Daily or Monthly (Weekly
	// works too). Zero means Daily.
	Period Period
	// Location defines the buckets' wall clock. Nil means UTC.
	Location *time.Location
	// DeviceID, if set, keeps only the sessions whose field or remote
	// device it names, as TRRO's DeviceId does.
	DeviceID string
	// FillEmpty asks for a DeviceStats with no sessions for every bucket
	// of the window that has none. On an open side of the window the
	// buckets end at the first or last bucket that has a session.
	FillEmpty bool
	// MaxBuckets and MaxRows bound the buckets and the DeviceStats
	// returned (filled ones included), as a Query's do: zero MaxBuckets
	// means DefaultMaxBuckets on a window open on a side and no limit on
	// a bounded one, zero MaxRows no limit, and NoLimit lifts either. A
	// session that would exceed them fails before its buckets are made,
	// with an error wrapping ErrTooLarge.
	MaxBuckets, MaxRows int
}

// DeviceStats is TRRO's SessionIntervalStatistic: the pieces of sessions
// in one bucket.
type DeviceStats struct {
	// Start and End are the bucket's, clipped to the window.
	Start, End time.Time
	// Sessions is TRRO's SessionNum: the number of pieces in the bucket.
	Sessions int64
	// TotalMinutes is TRRO's TotalDuration: the pieces' length in minutes.
	TotalMinutes float64
	// ActiveFieldDevices and ActiveRemoteDevices count the distinct
	// devices with a piece in the bucket.
	ActiveFieldDevices, ActiveRemoteDevices int
	// NotBadPercent is TRRO's NotBadSessionRatio: the percentage, 0 to
	// 100, of the pieces whose session is rated Good or Normal.
	NotBadPercent float64
}

// AggregateDevices aggregates TRRO sessions by q, one DeviceStats per
// bucket that holds a piece, in time order. Sessions split at bucket
// boundaries as in Aggregate, and a zero-length session counts in the
// bucket of its start. An invalid query or session is an error naming the
// field and the value; a session's error says which session, counting
// from 0. Sessions whose buckets, from the first to the last of all
// sessions, exceed q's limits are an error wrapping [ErrTooLarge]; a
// session with a piece in a bucket outside the years 1 to 9999 of q's
// location (on an open side of the window) is one wrapping
// [ErrOutOfRange], as in [Aggregator.Add].
func AggregateDevices(q DeviceQuery, sessions iter.Seq[DeviceSession]) ([]DeviceStats, error) {
	if err := checkPeriod(q.Period); err != nil {
		return nil, err
	}
	if err := checkWindow(q.Start, q.End, orUTC(q.Location)); err != nil {
		return nil, err
	}
	cal := Calendar{Period: orDaily(q.Period), Location: q.Location}
	if err := checkLimits(q.MaxBuckets, q.MaxRows, cal, q.Start, q.End); err != nil {
		return nil, err
	}
	maxBuckets := bucketLimit(q.MaxBuckets, q.Start, q.End)
	sp := newSplitter(cal, newWindow(q.Start, q.End), maxBuckets)
	// The rows of one group: a piece's runtime is its length, its cost 1
	// if its session is not rated Bad and 0 if it is, so that the sum of
	// costs counts the pieces not rated Bad.
	pieces := newRowStore(&sp.gr, &sp.win, sparseRows, max(q.MaxRows, 0))
	pieces.addGroup()
	// The devices: a row for each device active in a bucket, the field
	// devices' in devices[0], the remote devices' in devices[1], with a
	// group per device id. An empty id is no device.
	var devices [2]*rowStore
	var ids [2]map[string]int32
	for k := range devices {
		devices[k] = newRowStore(&sp.gr, &sp.win, sparseRows, 0)
		ids[k] = make(map[string]int32)
	}
	i := 0
	for s := range sessions {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("session %d: %w", i, err)
		}
		i++
		if q.DeviceID != "" && s.FieldDevice != q.DeviceID && s.RemoteDevice != q.DeviceID {
			continue
		}
		start, end := instantOf(s.Start), instantOf(s.End)
		if cs, ce, ok := sp.win.clipSession(start, end); ok {
			err := sp.checkYears(cs, ce)
			if err == nil {
				err = checkSpan(pieces, cs, ce, maxBuckets)
			}
			if err != nil {
				return nil, fmt.Errorf("session %d: %w", i-1, err)
			}
		}
		notBad := 0.0
		if s.Quality != Bad {
			notBad = 1
		}
		var g [2]int32
		for k, id := range [2]string{s.FieldDevice, s.RemoteDevice} {
			g[k] = -1
			if id == "" {
				continue
			}
			var ok bool
			if g[k], ok = ids[k][id]; !ok {
				g[k] = int32(len(ids[k]))
				ids[k][id] = g[k]
				devices[k].addGroup()
			}
		}
		err := sp.each(start, end, func(cur cursor, secs float64) error {
			c, err := pieces.row(0, &cur)
			if err != nil {
				return err
			}
			c.runtime.Add(secs)
			c.cost.Add(notBad)
			for k, st := range devices {
				if g[k] >= 0 {
					c, err := st.row(g[k], &cur)
					if err != nil {
						return err
					}
					c.runtime.Add(0)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("session %d: %w", i-1, err)
		}
	}
	// The number of devices active in each bucket, by the bucket's start.
	var active [2]map[int64]int
	for k, st := range devices {
		active[k] = make(map[int64]int)
		st.each(func(r rowRef, _ *sums, _ string) error {
			active[k][r.start]++
			return nil
		})
	}
	refs := pieces.ordered([]int32{0})
	v := pieces.view()
	out := make([]DeviceStats, len(refs))
	for i := range refs {
		r := &refs[i]
		c, _ := v.sums(r)
		n := c.runtime.Count()
		out[i] = DeviceStats{
			Start:               sp.win.startTime(r.start, sp.gr.loc),
			End:                 sp.win.endTime(r.end, sp.gr.loc),
			Sessions:            n,
			TotalMinutes:        c.runtime.Sum() / 60,
			ActiveFieldDevices:  active[0][r.start],
			ActiveRemoteDevices: active[1][r.start],
			NotBadPercent:       100 * c.cost.Sum() / float64(n),
		}
	}
	if q.FillEmpty {
		out = fillDevices(&q, out)
		if m := q.MaxRows; m > 0 && len(out) > m {
			return nil, errTooManyRows
		}
	}
	return out, nil
}

// checkSpan returns an error wrapping ErrTooLarge if the rows of st,
// with those that the session [s, e), clipped to the window, would add,
// would span more than limit buckets (0: no limit). It counts the buckets
// before the session's rows are made, so that a session of a thousand
// years fails without allocating them; on success, st's span includes
// the session's.
func checkSpan(st *rowStore, s, e instant, limit int) error {
	if limit <= 0 {
		return nil
	}
	last := e.sec // the last second that the session touches
	if e.nsec == 0 && s.less(e) {
		last--
	}
	first, lastBucket := st.gr.at(s.sec), st.gr.at(last)
	if !first.holds(s.sec) || !lastBucket.holds(last) {
		return errEndOfTime
	}
	st.noteRow(first.start, lastBucket.end)
	if st.buckets(limit+1) > limit {
		return fmt.Errorf("%w: the sessions span more than %d buckets (DeviceQuery.MaxBuckets)", ErrTooLarge, limit)
	}
	return nil
}

// fillDevices returns out with a DeviceStats of no sessions for every
// bucket of q's window that has none: from q.Start, or the first bucket
// with a session if the window opens there, to q.End, or the last such
// bucket. With no sessions and a window open on a side there are none.
func fillDevices(q *DeviceQuery, out []DeviceStats) []DeviceStats {
	start, end := q.Start, q.End
	if len(out) > 0 {
		if start.IsZero() {
			start = out[0].Start
		}
		if end.IsZero() {
			end = out[len(out)-1].End
		}
	}
	if start.IsZero() || end.IsZero() {
		return out
	}
	period := q.Period
	if period == 0 {
		period = Daily
	}
	cal := Calendar{Period: period, Location: q.Location}
	var filled []DeviceStats
	i := 0
	for b := range cal.Buckets(start, end) {
		if i < len(out) && out[i].Start.Equal(b.Start) {
			filled = append(filled, out[i])
			i++
			continue
		}
		filled = append(filled, DeviceStats{Start: b.Start, End: b.End})
	}
	return filled
}

// Validate reports whether s can be aggregated: its Start and End must be
// set and its End not before its Start, as for a [Session], and its
// Quality must be one of the three. The error is a *[FieldError] naming
// "startTime", "endTime" or "quality" and wraps [ErrInvalidSession].
func (s *DeviceSession) Validate() error {
	if err := checkInterval(s.Start, s.End); err != nil {
		return err
	}
	if s.Quality > Bad {
		return sessionError("quality", s.Quality.String(), ErrInvalidQuality)
	}
	return nil
}
