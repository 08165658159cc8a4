package sessionio

import (
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		reason string
		in     string
		want   time.Time // zero: an error
		why    string    // part of the error
	}{
		{reason: "UTC", in: "2026-03-01T09:00:00Z", want: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		{reason: "an offset ahead of UTC", in: "2026-03-01T17:00:00+08:00", want: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		{reason: "an offset behind UTC, across a month end", in: "2026-01-31T22:00:00-03:00", want: time.Date(2026, 2, 1, 1, 0, 0, 0, time.UTC)},
		{reason: "fractional seconds", in: "2026-03-01T09:00:00.25Z", want: time.Date(2026, 3, 1, 9, 0, 0, 250e6, time.UTC)},
		{reason: "digits beyond nanoseconds are dropped", in: "2026-03-01T09:00:00.1234567899Z", want: time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)},
		{reason: "a leap day", in: "2024-02-29T00:00:00Z", want: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{reason: "year 0", in: "0000-01-01T00:00:00Z", want: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{reason: "Unix seconds", in: "1772355600", want: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		{reason: "Unix seconds before 1970", in: "-86400", want: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
		{reason: "Unix zero", in: "0", want: time.Unix(0, 0).UTC()},
		{reason: "empty", in: "", why: "required"},
		{reason: "a date alone", in: "2026-13-01", why: "not a time"},
		{reason: "a local time without a zone", in: "2026-03-01 09:00:00", why: "no offset"},
		{reason: "month 13", in: "2026-13-01T00:00:00Z", why: "month out of range"},
		{reason: "February 29 of a common year", in: "2026-02-29T00:00:00Z", why: "day out of range"},
		{reason: "hour 24", in: "2026-03-01T24:00:00Z", why: "hour out of range"},
		{reason: "a leap second", in: "2026-03-01T23:59:60Z", why: "second out of range"},
		{reason: "no offset", in: "2026-03-01T09:00:00", why: "no offset"},
		{reason: "an offset without a colon", in: "2026-03-01T09:00:00+0800", why: "bad offset"},
		{reason: "an offset of 24 hours", in: "2026-03-01T09:00:00+24:00", why: "offset out of range"},
		{reason: "a lower-case z", in: "2026-03-01T09:00:00z", why: "bad offset"},
		{reason: "a space for T, with an offset", in: "2026-03-01 09:00:00Z", why: "not a time"},
		{reason: "a one-digit hour", in: "2026-03-01T9:00:00Z", why: "not a time"},
		{reason: "a comma for the decimal point", in: "2026-03-01T09:00:00,5Z", why: "bad offset"},
		{reason: "a dot without digits", in: "2026-03-01T09:00:00.Z", why: "bad offset"},
		{reason: "fractional Unix seconds", in: "1772355600.5", why: "not a time"},
		{reason: "Unix seconds after 9999", in: "253402300800", why: "out of range"},
		{reason: "too many digits", in: "99999999999999999999999", why: "out of range"},
		{reason: "a minus alone", in: "-", why: "not a time"},
		{reason: "a plus sign", in: "+5", why: "not a time"},
	} {
		got, err := parseTime([]byte(tc.in), nil)
		why := ""
		if err != nil {
			why = err.Error()
		}
		if tc.why != "" {
			if why == "" || !regexp.MustCompile(regexp.QuoteMeta(tc.why)).MatchString(why) {
				t.Errorf("%s: parseTime(%q) = %v, %q, want an error about %q", tc.reason, tc.in, got, why, tc.why)
			}
			continue
		}
		if why != "" || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("%s: parseTime(%q) = %v, %q, want %v in UTC", tc.reason, tc.in, got, why, tc.want)
		}
	}
}

func TestParseTimeAllocs(t *testing.T) {
	in := [][]byte{[]byte("2026-03-01T17:00:00.5+08:00"), []byte("1772355600")}
	if n := testing.AllocsPerRun(100, func() {
		for _, b := range in {
			parseTime(b, nil)
		}
	}); n != 0 {
		t.Errorf("parseTime allocates %v times, want 0", n)
	}
}

// strictRFC3339 is the syntax that parseTime accepts as RFC 3339, with the
// ranges that do not depend on the month; time.Parse checks the rest.
var strictRFC3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`)

// FuzzParseTime checks parseTime against time.Parse and strconv: it
// accepts exactly the strict RFC 3339 that time.Parse accepts, and the
// integers in range, and agrees with them on the instant.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2026-03-01T09:00:00Z", "2026-03-01T17:00:00.123456789+08:00", "2024-02-29T23:59:59-12:00",
		"2026-02-29T00:00:00Z", "0000-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999999-23:59",
		"2026-03-01T9:00:00Z", "2026-03-01T09:00:00,5Z", "1772355600", "-62167219200", "-0", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, perr := parseTime([]byte(s), nil)
		why := ""
		if perr != nil {
			why = perr.Error()
			if !errors.Is(perr, ErrInvalidTime) && !errors.Is(perr, ErrMissing) && !errors.Is(perr, ErrNoLocation) {
				t.Fatalf("parseTime(%q) = %v, which wraps no sentinel of the time", s, perr)
			}
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && s[0] != '+' {
			ok := minUnix <= n && n <= maxUnix
			if ok != (why == "") || ok && !got.Equal(time.Unix(n, 0)) {
				t.Fatalf("parseTime(%q) = %v, %q; want Unix %d (in range: %v)", s, got, why, n, ok)
			}
			return
		}
		want, err := time.Parse(time.RFC3339, s)
		accept := err == nil && strictRFC3339.MatchString(s)
		if accept != (why == "") {
			t.Fatalf("parseTime(%q) = %v, %q; time.Parse = %v, %v; strict syntax %v", s, got, why, want, err, strictRFC3339.MatchString(s))
		}
		if accept && (!got.Equal(want) || got.Location() != time.UTC) {
			t.Fatalf("parseTime(%q) = %v, want %v in UTC", s, got, want)
		}
	})
}
