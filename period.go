package sessionagg

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A Period is the length of a bucket: an hour, a day, a week or a month of
// the wall clock in some zone. Periods are calendar units, not durations: a
// Daily bucket in a zone with daylight saving time may last 23 or 25 hours,
// and a Monthly bucket 28 to 31 days. See [Calendar] for the exact rules.
//
// The zero Period is not a valid period; [Query] treats it as [Daily].
type Period uint8

// The four periods of the cloud APIs.
const (
	Hourly Period = iota + 1
	Daily
	Weekly
	Monthly
)

var periodNames = [...]string{
	Hourly:  "HOURLY",
	Daily:   "DAILY",
	Weekly:  "WEEKLY",
	Monthly: "MONTHLY",
}

// valid reports whether p is one of the four periods.
func (p Period) valid() bool { return p >= Hourly && p <= Monthly }

// String returns the cloud API's name of p: "HOURLY", "DAILY", "WEEKLY" or
// "MONTHLY". For any other value it returns "Period(N)".
func (p Period) String() string {
	if p.valid() {
		return periodNames[p]
	}
	return fmt.Sprintf("Period(%d)", uint8(p))
}

// ParsePeriod returns the Period named by s. It accepts the cloud API's
// names HOURLY, DAILY, WEEKLY and MONTHLY and the short forms hour, day, week
// and month, in any case of their ASCII letters, with no surrounding space.
// Any other string is an error that wraps [ErrInvalidPeriod] and lists what
// is accepted.
func ParsePeriod(s string) (Period, error) {
	// The names are ASCII, and so must s be: strings.ToUpper would also
	// take "daıly", with a dotless ı, for DAILY.
	upper := ""
	if isASCII(s) {
		upper = strings.ToUpper(s)
	}
	switch upper {
	case "HOURLY", "HOUR":
		return Hourly, nil
	case "DAILY", "DAY":
		return Daily, nil
	case "WEEKLY", "WEEK":
		return Weekly, nil
	case "MONTHLY", "MONTH":
		return Monthly, nil
	}
	return 0, fmt.Errorf("%w %q: want HOURLY, DAILY, WEEKLY, MONTHLY or hour, day, week, month", ErrInvalidPeriod, s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// MarshalText implements [encoding.TextMarshaler]. It returns the same text
// as [Period.String], or an error wrapping [ErrInvalidPeriod] if p is not one
// of the four periods.
func (p Period) MarshalText() ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPeriod, p)
	}
	return []byte(periodNames[p]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParsePeriod]. On
// error p is left unchanged.
func (p *Period) UnmarshalText(text []byte) error {
	v, err := ParsePeriod(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// A WeekStart is the first day of a [Weekly] bucket. The zero value is
// [Monday], as in ISO 8601 and the cloud APIs.
type WeekStart uint8

// The two week starts.
const (
	Monday WeekStart = iota // weeks run Monday to Sunday (ISO 8601)
	Sunday                  // weeks run Sunday to Saturday
)

// String returns "MONDAY" or "SUNDAY", or "WeekStart(N)" for any other
// value.
func (w WeekStart) String() string {
	switch w {
	case Monday:
		return "MONDAY"
	case Sunday:
		return "SUNDAY"
	}
	return fmt.Sprintf("WeekStart(%d)", uint8(w))
}

// Day 0, 1970-01-01, was a Thursday: the Monday before it is day -3, the
// Sunday before it day -4.
func weekShift(w WeekStart) int64 {
	if w == Sunday {
		return 4
	}
	return 3
}
