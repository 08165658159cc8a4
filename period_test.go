package sessionagg_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in     string
		want   sessionagg.Period
		reason string
	}{
		{"HOURLY", sessionagg.Hourly, "the cloud API's name"},
		{"DAILY", sessionagg.Daily, "the cloud API's name"},
		{"WEEKLY", sessionagg.Weekly, "the cloud API's name"},
		{"MONTHLY", sessionagg.Monthly, "the cloud API's name"},
		{"hour", sessionagg.Hourly, "the short form"},
		{"day", sessionagg.Daily, "the short form"},
		{"week", sessionagg.Weekly, "the short form"},
		{"month", sessionagg.Monthly, "the short form"},
		{"hourly", sessionagg.Hourly, "any letter case"},
		{"Daily", sessionagg.Daily, "any letter case"},
		{"WeEk", sessionagg.Weekly, "any letter case"},
		{"MONTH", sessionagg.Monthly, "any letter case of the short form"},
	}
	for _, tt := range tests {
		got, err := sessionagg.ParsePeriod(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParsePeriod(%q) = %v, %v, want %v (%s)", tt.in, got, err, tt.want, tt.reason)
		}
	}
}

func TestParsePeriodErrors(t *testing.T) {
	tests := []struct {
		in     string
		reason string
	}{
		{"", "empty"},
		{"YEARLY", "not a period of the cloud APIs"},
		{"QUARTERLY", "not a period of the cloud APIs"},
		{"hours", "a plural"},
		{"D", "an abbreviation"},
		{" daily", "leading space"},
		{"daily\n", "trailing newline"},
		{"DAILY\x00", "trailing NUL"},
		{"daıly", "a dotless ı, which upper-cases to I"},
		{"\u212aelvin", "a Kelvin sign, not a K"},
		{"ＤＡＹ", "full-width letters"},
		{"Period(1)", "the String of no period"},
		{"1", "a number"},
	}
	for _, tt := range tests {
		got, err := sessionagg.ParsePeriod(tt.in)
		if err == nil {
			t.Errorf("ParsePeriod(%q) = %v, want an error (%s)", tt.in, got, tt.reason)
			continue
		}
		if !errors.Is(err, sessionagg.ErrInvalidPeriod) || !strings.Contains(err.Error(), strconv.Quote(tt.in)) {
			t.Errorf("ParsePeriod(%q) = %v, want an error that wraps ErrInvalidPeriod and quotes the input (%s)", tt.in, err, tt.reason)
		}
		if !strings.Contains(err.Error(), "HOURLY, DAILY, WEEKLY, MONTHLY") {
			t.Errorf("ParsePeriod(%q) = %v, want an error that says what is accepted (%s)", tt.in, err, tt.reason)
		}
	}
}

func TestPeriodString(t *testing.T) {
	tests := []struct {
		p      sessionagg.Period
		want   string
		reason string
	}{
		{sessionagg.Hourly, "HOURLY", "the cloud API's name"},
		{sessionagg.Daily, "DAILY", "the cloud API's name"},
		{sessionagg.Weekly, "WEEKLY", "the cloud API's name"},
		{sessionagg.Monthly, "MONTHLY", "the cloud API's name"},
		{0, "Period(0)", "the zero Period is no period"},
		{sessionagg.Monthly + 1, "Period(5)", "out of range"},
		{255, "Period(255)", "out of range"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("Period(%d).String() = %q, want %q (%s)", uint8(tt.p), got, tt.want, tt.reason)
		}
	}
}

// TestPeriodText checks MarshalText and UnmarshalText, directly and through
// encoding/json, which uses them.
func TestPeriodText(t *testing.T) {
	type doc struct{ Period sessionagg.Period }
	for _, p := range []sessionagg.Period{sessionagg.Hourly, sessionagg.Daily, sessionagg.Weekly, sessionagg.Monthly} {
		text, err := p.MarshalText()
		if err != nil || string(text) != p.String() {
			t.Errorf("%v.MarshalText() = %q, %v, want %q", p, text, err, p.String())
		}
		var got sessionagg.Period
		if err := got.UnmarshalText(text); err != nil || got != p {
			t.Errorf("UnmarshalText(%q) = %v, %v, want %v", text, got, err, p)
		}
		b, err := json.Marshal(doc{p})
		if want := `{"Period":"` + p.String() + `"}`; err != nil || string(b) != want {
			t.Errorf("json.Marshal(%v) = %s, %v, want %s", p, b, err, want)
		}
		var d doc
		if err := json.Unmarshal([]byte(`{"Period":"`+strings.ToLower(p.String())+`"}`), &d); err != nil || d.Period != p {
			t.Errorf("json.Unmarshal of %v in lower case = %v, %v, want %v", p, d.Period, err, p)
		}
	}
	for _, p := range []sessionagg.Period{0, sessionagg.Monthly + 1} {
		if text, err := p.MarshalText(); !errors.Is(err, sessionagg.ErrInvalidPeriod) {
			t.Errorf("%v.MarshalText() = %q, %v, want an error wrapping ErrInvalidPeriod", p, text, err)
		}
	}
	got := sessionagg.Weekly
	if err := got.UnmarshalText([]byte("fortnight")); !errors.Is(err, sessionagg.ErrInvalidPeriod) || got != sessionagg.Weekly {
		t.Errorf(`UnmarshalText("fortnight") = %v leaving %v, want an error wrapping ErrInvalidPeriod leaving WEEKLY`, err, got)
	}
}

func TestWeekStartString(t *testing.T) {
	tests := []struct {
		w      sessionagg.WeekStart
		want   string
		reason string
	}{
		{sessionagg.Monday, "MONDAY", "the zero value, as in ISO 8601"},
		{sessionagg.Sunday, "SUNDAY", "the option"},
		{2, "WeekStart(2)", "out of range"},
	}
	for _, tt := range tests {
		if got := tt.w.String(); got != tt.want {
			t.Errorf("WeekStart(%d).String() = %q, want %q (%s)", uint8(tt.w), got, tt.want, tt.reason)
		}
	}
	if diff := cmp.Diff(sessionagg.Monday, sessionagg.WeekStart(0)); diff != "" {
		t.Errorf("zero WeekStart mismatch (-want +got):\n%s", diff)
	}
}

// FuzzParsePeriod checks that ParsePeriod never panics, accepts exactly the
// eight names in ASCII letters of any case, round-trips what it accepts,
// and rejects the rest with an error that wraps ErrInvalidPeriod and quotes
// the input.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{
		"HOURLY", "DAILY", "WEEKLY", "MONTHLY", "hour", "day", "week", "month", "Daily", "wEEK",
		"", " ", "YEARLY", "hours", "daıly", "\u212aELVIN", "DAILY\x00", "\xff", "Period(1)",
	} {
		f.Add(s)
	}
	names := map[string]sessionagg.Period{
		"HOURLY": sessionagg.Hourly, "HOUR": sessionagg.Hourly,
		"DAILY": sessionagg.Daily, "DAY": sessionagg.Daily,
		"WEEKLY": sessionagg.Weekly, "WEEK": sessionagg.Weekly,
		"MONTHLY": sessionagg.Monthly, "MONTH": sessionagg.Monthly,
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := sessionagg.ParsePeriod(s)
		want, ok := names[periodUpperASCII(s)]
		if err != nil {
			if ok {
				t.Fatalf("ParsePeriod(%q) = %v, want %v", s, err, want)
			}
			if !errors.Is(err, sessionagg.ErrInvalidPeriod) || !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("ParsePeriod(%q) = %v, want an error that wraps ErrInvalidPeriod and quotes the input", s, err)
			}
			return
		}
		if !ok || p != want {
			t.Fatalf("ParsePeriod(%q) = %v, want an error", s, p)
		}
		if again, err := sessionagg.ParsePeriod(p.String()); err != nil || again != p {
			t.Fatalf("ParsePeriod(%q) = %v, %v, want %v", p.String(), again, err, p)
		}
		var u sessionagg.Period
		if err := u.UnmarshalText([]byte(s)); err != nil || u != p {
			t.Fatalf("UnmarshalText(%q) = %v, %v, want %v", s, u, err, p)
		}
	})
}

// periodUpperASCII upper-cases the ASCII letters of s and nothing else.
func periodUpperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
