package sessionio

import (
	"errors"
	"time"

	"github.com/sessionagg/sessionagg/internal/civil"
)

// Times in the input are RFC 3339 with an offset, integer Unix seconds, or,
// when the caller names their zone, local times without an offset. They are
// parsed by hand, without allocating, because every record has two of
// them; FuzzParseTime checks the parser against time.Parse and
// FuzzLocalTime the local times against the zone.

// Unix seconds of 0000-01-01T00:00:00Z and of 9999-12-31T23:59:59Z: the
// instants that RFC 3339's four-digit years can write. Unix seconds outside
// them are rejected too, so that both notations cover the same instants.
const (
	minUnix = -62167219200
	maxUnix = 253402300799
)

// timeWant says what parseTime accepts, for error messages.
const timeWant = "want RFC 3339 with an offset, such as 2026-03-01T09:00:00Z or 2026-03-01T17:00:00+08:00, or integer Unix seconds"

// ParseTime parses s as the readers parse a time field, and returns it in
// UTC:
//
//   - integer Unix seconds: an optional minus sign and digits;
//   - RFC 3339 with an offset, exactly as strict as time.Parse with
//     [time.RFC3339]: "2026-03-01T09:00:00Z", "2026-03-01T17:00:00.5+08:00"
//     (fractional digits beyond the ninth are dropped);
//   - if loc is not nil, a local time without an offset, read on loc's wall
//     clock: "2026-03-25 11:12:12" or "2026-03-25T11:12:12", optionally
//     with a fraction of a second.
//
// Years run from 0000 to 9999 in every notation. A local time without a
// loc is an error wrapping [ErrNoLocation]; one that loc's clock skips (a
// daylight saving gap) or shows twice (when clocks go back) is an error
// wrapping [ErrSkippedTime] or [ErrRepeatedTime] that names the zone: the
// reader never guesses. Every other error wraps [ErrInvalidTime].
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	return parseTime([]byte(s), loc)
}

func parseTime(b []byte, loc *time.Location) (time.Time, error) {
	if len(b) == 0 {
		return time.Time{}, &reason{"required; " + timeWant, ErrMissing}
	}
	if isUnixSeconds(b) {
		return parseUnix(b)
	}
	return parseClock(b, loc)
}

func invalidTime(msg string) error { return &reason{msg, ErrInvalidTime} }

// isUnixSeconds reports whether b is an optional '-' followed by digits
// only, which is never RFC 3339.
func isUnixSeconds(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parseUnix(b []byte) (time.Time, error) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	for len(b) > 1 && b[0] == '0' {
		b = b[1:]
	}
	if len(b) > 12 {
		return time.Time{}, invalidTime("Unix seconds out of range (years 0000 to 9999)")
	}
	var v int64
	for _, c := range b {
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	if v < minUnix || v > maxUnix {
		return time.Time{}, invalidTime("Unix seconds out of range (years 0000 to 9999)")
	}
	return time.Unix(v, 0).UTC(), nil
}

// num returns the value of the digits b, or -1 if one is not a digit.
func num(b []byte) int {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// parseClock parses a date and a time of day, then a fraction of a second,
// then an offset, or no offset if loc is set.
func parseClock(b []byte, loc *time.Location) (time.Time, error) {
	const layout = len("2006-01-02T15:04:05")
	if len(b) < layout || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, invalidTime("not a time; " + timeWant)
	}
	year, month, day := num(b[0:4]), num(b[5:7]), num(b[8:10])
	hour, minute, sec := num(b[11:13]), num(b[14:16]), num(b[17:19])
	if year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || sec < 0 {
		return time.Time{}, invalidTime("not a time; " + timeWant)
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, invalidTime("month out of range")
	case day < 1 || int64(day) > civil.DaysIn(int64(year), int64(month)):
		return time.Time{}, invalidTime("day out of range")
	case hour > 23:
		return time.Time{}, invalidTime("hour out of range")
	case minute > 59:
		return time.Time{}, invalidTime("minute out of range")
	case sec > 59:
		return time.Time{}, invalidTime("second out of range")
	}
	space := b[10] == ' '
	b = b[layout:]

	// Fractional seconds: a '.' and at least one digit, as time.Parse
	// wants; digits beyond the ninth are dropped.
	nsec := 0
	if len(b) >= 2 && b[0] == '.' && '0' <= b[1] && b[1] <= '9' {
		n := 1
		scale := 100000000
		for ; n < len(b) && '0' <= b[n] && b[n] <= '9'; n++ {
			nsec += int(b[n]-'0') * scale
			scale /= 10
		}
		b = b[n:]
	}
	// The reading as if in UTC, by integer arithmetic: time.Date costs
	// several times as much, and every record has two times.
	secs := civil.DaysFromCivil(int64(year), int64(month), int64(day))*86400 + int64(hour*3600+minute*60+sec)
	wall := time.Unix(secs, int64(nsec)).UTC()

	// The offset: Z or ±hh:mm, or none for a local time.
	off := 0
	switch {
	case len(b) == 0:
		if loc == nil {
			return time.Time{}, &reason{"no offset; add Z for UTC or ±hh:mm, or say which zone local times are in", ErrNoLocation}
		}
		return localTime(wall, loc)
	case space:
		// RFC 3339 with an offset wants the T, as time.Parse does.
		return time.Time{}, invalidTime("not a time; " + timeWant)
	case len(b) == 1 && b[0] == 'Z':
	case len(b) == 6 && (b[0] == '+' || b[0] == '-') && b[3] == ':':
		h, m := num(b[1:3]), num(b[4:6])
		if h < 0 || m < 0 {
			return time.Time{}, invalidTime("bad offset; " + timeWant)
		}
		if h > 23 || m > 59 {
			return time.Time{}, invalidTime("offset out of range")
		}
		off = (h*60 + m) * 60
		if b[0] == '-' {
			off = -off
		}
	default:
		return time.Time{}, invalidTime("bad offset; " + timeWant)
	}
	return wall.Add(-time.Duration(off) * time.Second), nil
}

// localTime returns the instant at which loc's wall clock reads wall (a
// time in UTC whose fields are the reading), or an error if the clock
// skips that reading or shows it twice.
func localTime(wall time.Time, loc *time.Location) (time.Time, error) {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	t := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc)
	_, off := t.Zone()
	w := wall.Unix()
	if t.Unix()+int64(off) != w {
		// time.Date moved a reading in a gap to another one.
		return time.Time{}, &zoneError{ErrSkippedTime, loc, wall, t, time.Time{}}
	}
	// A fold: another offset in force near t reads the same. Offsets in
	// force within two days of t are those of t's zone period and of
	// its neighbours (no zone changes its offset by more than a day).
	const near = 2 * 86400
	start, end := t.ZoneBounds()
	for p := start; !p.IsZero() && w-p.Unix() < near; {
		q := p.Add(-1)
		if u, ok := reads(w, q, t, loc); ok {
			return time.Time{}, &zoneError{ErrRepeatedTime, loc, wall, u, t}
		}
		p, _ = q.ZoneBounds()
	}
	for p := end; !p.IsZero() && p.Unix()-w < near; {
		if u, ok := reads(w, p, t, loc); ok {
			return time.Time{}, &zoneError{ErrRepeatedTime, loc, wall, t, u}
		}
		_, p = p.ZoneBounds()
	}
	return t.UTC(), nil
}

// reads reports whether the offset in force at p makes loc's wall clock
// read w (in seconds, as if in UTC, and t's nanoseconds) at an instant
// other than t, and returns that instant.
func reads(w int64, p, t time.Time, loc *time.Location) (time.Time, bool) {
	_, off := p.Zone()
	u := time.Unix(w-int64(off), int64(t.Nanosecond())).In(loc)
	_, uoff := u.Zone()
	return u, uoff == off && !u.Equal(t)
}

// A zoneError is a local time in a gap or a fold of a zone.
type zoneError struct {
	err          error // ErrSkippedTime or ErrRepeatedTime
	loc          *time.Location
	wall         time.Time // the reading
	first, again time.Time // a fold's two instants; a gap's shifted time
}

func (e *zoneError) Error() string {
	const layout = "2006-01-02 15:04:05.999999999"
	if errors.Is(e.err, ErrSkippedTime) {
		return "in " + e.loc.String() + " the clock skips " + e.wall.Format(layout) + " (it jumps forward over it): write the time with its offset"
	}
	return "in " + e.loc.String() + " the clock shows " + e.wall.Format(layout) + " twice, at " +
		e.first.Format(time.RFC3339Nano) + " and at " + e.again.Format(time.RFC3339Nano) + ": write the time with its offset"
}

func (e *zoneError) Unwrap() error { return e.err }
