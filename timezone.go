package sessionagg

import (
	"fmt"
	"time"
)

// Offsets that ParseTimezone accepts, in seconds east of UTC. They are the
// offsets in use on Earth: from Baker Island (UTC-12) to Kiribati (UTC+14).
const (
	minOffset = -12 * 3600
	maxOffset = 14 * 3600
)

const timezoneWant = "want UTC, GMT or UTC±H[:MM] between UTC-12:00 and UTC+14:00, such as UTC+8, UTC-3, UTC+05:30 or UTC+5:45"

// ParseTimezone returns the fixed-offset zone written in the cloud APIs'
// notation: "UTC" (or "GMT") for UTC itself, and otherwise "UTC" followed by
// a sign, one or two digits of hours and optionally a colon and two digits
// of minutes: "UTC+8", "UTC-3", "UTC+08:00", "UTC+05:30", "UTC+5:45",
// "UTC-09:30". "GMT" may stand for "UTC" in all of them.
//
// The sign is that of ISO 8601 and of the cloud APIs: "UTC+8" is eight hours
// ahead of (east of) Greenwich, the zone of Beijing and Perth. This is the
// opposite of the POSIX TZ notation and of the IANA names Etc/GMT+8, in
// which "+8" means eight hours behind UTC. Use time.LoadLocation for those
// and for any zone with daylight saving time; every function of this package
// takes a *time.Location.
//
// The returned zone is named canonically, "UTC+08:00" or "UTC-09:30", so
// that [Calendar] and the cloud API's response show the same name for "UTC+8"
// and "UTC+08:00"; an offset of zero returns [time.UTC]. Offsets outside
// -12:00 to +14:00, minutes of 60 or more, surrounding space, lower-case
// letters and any other spelling are errors that wrap [ErrInvalidTimezone]
// and say what is accepted.
func ParseTimezone(s string) (*time.Location, error) {
	sign, h, m, ok := parseOffset(s)
	if !ok {
		return nil, fmt.Errorf("%w %q: %s", ErrInvalidTimezone, s, timezoneWant)
	}
	if m >= 60 {
		return nil, fmt.Errorf("%w %q: minutes must be 00 to 59; %s", ErrInvalidTimezone, s, timezoneWant)
	}
	off := sign * (h*3600 + m*60)
	if off < minOffset || off > maxOffset {
		return nil, fmt.Errorf("%w %q: offset outside -12:00 to +14:00; %s", ErrInvalidTimezone, s, timezoneWant)
	}
	return fixedZone(off), nil
}

// parseOffset parses the notation of ParseTimezone into a sign, hours and
// minutes, without checking their range.
func parseOffset(s string) (sign, h, m int, ok bool) {
	if len(s) < 3 || (s[:3] != "UTC" && s[:3] != "GMT") {
		return 0, 0, 0, false
	}
	s = s[3:]
	if s == "" {
		return 1, 0, 0, true
	}
	sign = 1
	switch s[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, 0, 0, false
	}
	h, s, ok = digits(s[1:], 1, 2)
	if !ok {
		return 0, 0, 0, false
	}
	if s != "" {
		if s[0] != ':' {
			return 0, 0, 0, false
		}
		m, s, ok = digits(s[1:], 2, 2)
		if !ok || s != "" {
			return 0, 0, 0, false
		}
	}
	return sign, h, m, true
}

// digits parses between min and max leading ASCII digits of s and returns
// their value and the rest of s.
func digits(s string, min, max int) (int, string, bool) {
	n, v := 0, 0
	for n < len(s) && n < max && '0' <= s[n] && s[n] <= '9' {
		v = v*10 + int(s[n]-'0')
		n++
	}
	if n < min || (n < len(s) && '0' <= s[n] && s[n] <= '9') {
		return 0, s, false
	}
	return v, s[n:], true
}

// fixedZone returns the zone offset seconds east of UTC, named canonically.
func fixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	return time.FixedZone(timezoneName(offset), offset)
}

// timezoneName returns the canonical name of a fixed offset: "UTC",
// "UTC+08:00", "UTC-09:30". Seconds, which only historical zones have, are
// dropped from the name but not from the offset.
func timezoneName(offset int) string {
	if offset == 0 {
		return "UTC"
	}
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	h, m := offset/3600, offset/60%60
	return string([]byte{'U', 'T', 'C', sign, byte('0' + h/10), byte('0' + h%10), ':', byte('0' + m/10), byte('0' + m%10)})
}

// fixedOffset reports whether loc has a single offset for all time, and
// which.
func fixedOffset(loc *time.Location) (bool, int64) {
	if loc == time.UTC {
		return true, 0
	}
	t := time.Unix(0, 0).In(loc)
	s, e := t.ZoneBounds()
	_, off := t.Zone()
	return s.IsZero() && e.IsZero(), int64(off)
}

// orUTC returns loc, or UTC for nil.
func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
