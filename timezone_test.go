package sessionagg_test

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
)

// tzOffset returns the offset of loc in seconds east of UTC.
func tzOffset(loc *time.Location) int {
	_, off := time.Date(2026, 3, 1, 0, 0, 0, 0, loc).Zone()
	return off
}

func TestParseTimezone(t *testing.T) {
	const h, m = 3600, 60
	tests := []struct {
		in     string
		offset int    // seconds east of UTC
		name   string // of the location
		reason string
	}{
		{"UTC", 0, "UTC", "UTC itself"},
		{"GMT", 0, "UTC", "GMT stands for UTC"},
		{"UTC+8", 8 * h, "UTC+08:00", "one digit of hours; + is ahead of UTC"},
		{"UTC-3", -3 * h, "UTC-03:00", "- is behind UTC"},
		{"UTC+05:30", 5*h + 30*m, "UTC+05:30", "India: two digits of hours and of minutes"},
		{"UTC+5:45", 5*h + 45*m, "UTC+05:45", "Nepal: one digit of hours with minutes"},
		{"UTC-09:30", -9*h - 30*m, "UTC-09:30", "the Marquesas: the minutes are behind UTC too"},
		{"UTC+14", 14 * h, "UTC+14:00", "Kiribati, the last offset ahead"},
		{"UTC-12", -12 * h, "UTC-12:00", "Baker Island, the last offset behind"},
		{"UTC+14:00", 14 * h, "UTC+14:00", "the last offset ahead, with minutes"},
		{"UTC-12:00", -12 * h, "UTC-12:00", "the last offset behind, with minutes"},
		{"UTC+08:00", 8 * h, "UTC+08:00", "the canonical name, as UTC+8 is named"},
		{"GMT+8", 8 * h, "UTC+08:00", "GMT may stand for UTC before an offset too"},
		{"UTC+0", 0, "UTC", "a zero offset is UTC"},
		{"UTC-00:00", 0, "UTC", "so is minus zero"},
		{"UTC+00:59", 59 * m, "UTC+00:59", "minutes up to 59"},
	}
	for _, tt := range tests {
		loc, err := sessionagg.ParseTimezone(tt.in)
		if err != nil {
			t.Errorf("ParseTimezone(%q) = %v, want %s (%s)", tt.in, err, tt.name, tt.reason)
			continue
		}
		if got, off := loc.String(), tzOffset(loc); got != tt.name || off != tt.offset {
			t.Errorf("ParseTimezone(%q) = %s with offset %d s, want %s with offset %d s (%s)", tt.in, got, off, tt.name, tt.offset, tt.reason)
		}
		if tt.offset == 0 && loc != time.UTC {
			t.Errorf("ParseTimezone(%q) = %p, want time.UTC (%s)", tt.in, loc, tt.reason)
		}
	}
}

func TestParseTimezoneErrors(t *testing.T) {
	tests := []struct {
		in     string
		reason string
	}{
		{"", "empty"},
		{"UTC+15", "beyond +14:00"},
		{"UTC-13", "beyond -12:00"},
		{"UTC+14:30", "beyond +14:00 by minutes"},
		{"UTC-12:15", "beyond -12:00 by minutes"},
		{"UTC+5:60", "minutes of 60"},
		{"UTC+5:7", "one digit of minutes"},
		{"UTC+5:070", "three digits of minutes"},
		{"UTC+5:", "a colon and no minutes"},
		{"utc+8", "lower-case letters"},
		{"Utc", "mixed-case letters"},
		{" UTC+8", "leading space"},
		{"UTC+8 ", "trailing space"},
		{"UTC +8", "inner space"},
		{"UTC+8:00:00", "seconds"},
		{"UTC+123", "three digits of hours"},
		{"UTC+", "a sign and no hours"},
		{"UTC8", "no sign"},
		{"UTC±8", "the ± of the documentation"},
		{"UTC\u22128", "a minus sign, not a hyphen-minus"},
		{"+8", "no UTC"},
		{"+08:00", "an RFC 3339 offset alone"},
		{"Z", "RFC 3339's Z"},
		{"Etc/GMT+8", "the inverted IANA name: use time.LoadLocation"},
		{"America/New_York", "an IANA name: use time.LoadLocation"},
		{"UTC+８", "a full-width digit"},
		{"UTC+8\x00", "a trailing NUL"},
	}
	for _, tt := range tests {
		loc, err := sessionagg.ParseTimezone(tt.in)
		if err == nil {
			t.Errorf("ParseTimezone(%q) = %v, want an error (%s)", tt.in, loc, tt.reason)
			continue
		}
		if loc != nil || !errors.Is(err, sessionagg.ErrInvalidTimezone) || !strings.Contains(err.Error(), strconv.Quote(tt.in)) {
			t.Errorf("ParseTimezone(%q) = %v, %v, want nil and an error that wraps ErrInvalidTimezone and quotes the input (%s)", tt.in, loc, err, tt.reason)
		}
		if !strings.Contains(err.Error(), "UTC±H[:MM]") {
			t.Errorf("ParseTimezone(%q) = %v, want an error that says what is accepted (%s)", tt.in, err, tt.reason)
		}
	}
}

// TestParseTimezoneEastOfGreenwich checks the sign of the cloud APIs and
// ISO 8601: UTC+8 is ahead of UTC, so its midnight comes first.
func TestParseTimezoneEastOfGreenwich(t *testing.T) {
	loc, err := sessionagg.ParseTimezone("UTC+8")
	if err != nil {
		t.Fatal(err)
	}
	got := time.Date(2026, 3, 1, 0, 0, 0, 0, loc)
	if want := time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("2026-03-01T00:00 in UTC+8 = %v, want %v", got.UTC(), want)
	}
}

// TestParseTimezoneEveryOffset spells every offset of 15 minutes from
// -12:00 to +14:00 in every way the notation allows, and the offsets one
// minute beyond each end.
func TestParseTimezoneEveryOffset(t *testing.T) {
	for off := -12 * 60; off <= 14*60; off += 15 { // minutes
		sign, a := '+', off
		if off < 0 {
			sign, a = '-', -off
		}
		name := fmt.Sprintf("UTC%c%02d:%02d", sign, a/60, a%60)
		if off == 0 {
			name = "UTC"
		}
		spellings := []string{
			fmt.Sprintf("UTC%c%02d:%02d", sign, a/60, a%60),
			fmt.Sprintf("UTC%c%d:%02d", sign, a/60, a%60),
			fmt.Sprintf("GMT%c%02d:%02d", sign, a/60, a%60),
		}
		if a%60 == 0 {
			spellings = append(spellings, fmt.Sprintf("UTC%c%d", sign, a/60), fmt.Sprintf("GMT%c%02d", sign, a/60))
		}
		for _, s := range spellings {
			loc, err := sessionagg.ParseTimezone(s)
			if err != nil {
				t.Errorf("ParseTimezone(%q) = %v, want %s", s, err, name)
				continue
			}
			if got, gotOff := loc.String(), tzOffset(loc); got != name || gotOff != off*60 {
				t.Errorf("ParseTimezone(%q) = %s with offset %d s, want %s with offset %d s", s, got, gotOff, name, off*60)
			}
		}
	}
	for _, s := range []string{"UTC+14:01", "UTC-12:01", "UTC+99:59", "UTC-99"} {
		if loc, err := sessionagg.ParseTimezone(s); !errors.Is(err, sessionagg.ErrInvalidTimezone) {
			t.Errorf("ParseTimezone(%q) = %v, %v, want an error wrapping ErrInvalidTimezone", s, loc, err)
		}
	}
}

// tzNotation is the notation of ParseTimezone, range aside.
var tzNotation = regexp.MustCompile(`^(?:UTC|GMT)(?:([+-])([0-9]{1,2})(?::([0-9]{2}))?)?$`)

// FuzzParseTimezone checks that ParseTimezone never panics, accepts exactly
// the notation within -12:00 to +14:00 with minutes below 60, at the
// offset written, names the zone so that its name parses back to the same
// zone, and rejects the rest with an error that wraps ErrInvalidTimezone
// and quotes the input.
func FuzzParseTimezone(f *testing.F) {
	for _, s := range []string{
		"UTC", "GMT", "UTC+8", "UTC-3", "UTC+05:30", "UTC+5:45", "UTC-09:30", "UTC+14", "UTC-12", "UTC+08:00", "UTC+0", "GMT-00:00",
		"", "UTC+15", "UTC-13", "UTC+14:30", "UTC-12:15", "UTC+5:60", "UTC+5:7", "utc+8", " UTC+8", "UTC+8:00:00",
		"UTC+123", "UTC8", "+8", "Etc/GMT+8", "UTC+８", "UTC+8\x00", "UTC\xff", "UTC-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := sessionagg.ParseTimezone(s)
		want, ok := tzWant(s)
		if err != nil {
			if ok {
				t.Fatalf("ParseTimezone(%q) = %v, want offset %d s", s, err, want)
			}
			if loc != nil || !errors.Is(err, sessionagg.ErrInvalidTimezone) || !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("ParseTimezone(%q) = %v, %v, want nil and an error that wraps ErrInvalidTimezone and quotes the input", s, loc, err)
			}
			return
		}
		if !ok {
			t.Fatalf("ParseTimezone(%q) = %v, want an error", s, loc)
		}
		if off := tzOffset(loc); off != want {
			t.Fatalf("ParseTimezone(%q) has offset %d s, want %d s", s, off, want)
		}
		again, err := sessionagg.ParseTimezone(loc.String())
		if err != nil || again.String() != loc.String() || tzOffset(again) != tzOffset(loc) {
			t.Fatalf("ParseTimezone(%q) = %v, %v, want the zone it names, with offset %d s", loc.String(), again, err, tzOffset(loc))
		}
	})
}

// tzWant returns the offset that s writes in the notation of ParseTimezone
// and reports whether ParseTimezone must accept it.
func tzWant(s string) (int, bool) {
	m := tzNotation.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	if m[1] == "" {
		return 0, true
	}
	h, _ := strconv.Atoi(m[2])
	min := 0
	if m[3] != "" {
		min, _ = strconv.Atoi(m[3])
	}
	off := (h*60 + min) * 60
	if m[1] == "-" {
		off = -off
	}
	return off, min < 60 && -12*3600 <= off && off <= 14*3600
}
