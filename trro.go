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

// deviceCell is what a DeviceStats accumulates.
type deviceCell struct {
	pieces, notBad int64
	seconds        Stats
	field, remote  map[string]struct{}
}

// AggregateDevices aggregates TRRO sessions by q, one DeviceStats per
// bucket that holds a piece, in time order. Sessions split at bucket
// boundaries as in Aggregate, and a zero-length session counts in the
// bucket of its start. An invalid query or session is an error naming the
// field and the value; a session's error says which session, counting
// from 0.
func AggregateDevices(q DeviceQuery, sessions iter.Seq[DeviceSession]) ([]DeviceStats, error) {
	base := Query{Start: q.Start, End: q.End, Period: q.Period, Location: q.Location}
	if err := base.Validate(); err != nil {
		return nil, err
	}
	sp := newSplitter(&base)
	t := newTable[deviceCell](sp.g.fixed, 0)
	t.addGroup()
	i := 0
	for s := range sessions {
		if err := checkInterval(s.Start, s.End); err != nil {
			return nil, fmt.Errorf("session %d: %w", i, err)
		}
		if s.Quality > Bad {
			return nil, fmt.Errorf("session %d: %w", i, sessionError("quality", s.Quality.String(), ErrInvalidQuality))
		}
		i++
		if q.DeviceID != "" && s.FieldDevice != q.DeviceID && s.RemoteDevice != q.DeviceID {
			continue
		}
		err := sp.each(instantOf(s.Start), instantOf(s.End), func(key, bstart, bend int64, secs float64) error {
			c, err := t.cell(0, key, bstart, bend)
			if err != nil {
				return err
			}
			if c.field == nil {
				c.field, c.remote = make(map[string]struct{}), make(map[string]struct{})
			}
			c.pieces++
			if s.Quality != Bad {
				c.notBad++
			}
			c.seconds.Add(secs)
			c.field[s.FieldDevice] = struct{}{}
			c.remote[s.RemoteDevice] = struct{}{}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("session %d: %w", i-1, err)
		}
	}
	out := make([]DeviceStats, len(t.cells))
	win := &sp.win
	for i, j := range t.order() {
		c, w := &t.cells[j], &t.where[j]
		out[i] = DeviceStats{
			Start:               clipTime(w.start, win.start, win.hasStart, sp.g.loc, true),
			End:                 clipTime(w.end, win.end, win.hasEnd, sp.g.loc, false),
			Sessions:            c.pieces,
			TotalMinutes:        c.seconds.Sum() / 60,
			ActiveFieldDevices:  distinct(c.field),
			ActiveRemoteDevices: distinct(c.remote),
			NotBadPercent:       100 * float64(c.notBad) / float64(c.pieces),
		}
	}
	if q.FillEmpty {
		out = fillDevices(&q, out)
	}
	return out, nil
}

// distinct counts the non-empty device ids of a set: a session with no
// remote device does not make one active.
func distinct(set map[string]struct{}) int {
	n := len(set)
	if _, ok := set[""]; ok {
		n--
	}
	return n
}
