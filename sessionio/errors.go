package sessionio

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Every error about the input is an *[Error], which
// names the line, and wraps one of these or an error of the sessionagg
// package (such as sessionagg.ErrInvalidSession for a session whose end
// is before its start); match them with [errors.Is].
var (
	// ErrSyntax: a line that is not CSV or not a JSON object, a record
	// with more or fewer fields than the header, a header without a
	// required column or with two columns for one field, or a record
	// longer than 64 MiB.
	ErrSyntax = errors.New("sessionio: malformed input")
	// ErrMissing: a required field that is missing, empty or null.
	ErrMissing = errors.New("sessionio: missing value")
	// ErrInvalidTime: a time that is not RFC 3339, Unix seconds or (with
	// a Location) a local time, or lies outside the years 0000 to 9999.
	ErrInvalidTime = errors.New("sessionio: invalid time")
	// ErrNoLocation: a local time, without an offset, read without a
	// Location that says which zone it is in.
	ErrNoLocation = errors.New("sessionio: local time without a zone")
	// ErrSkippedTime: a local time that the zone's clock skips, in a
	// daylight saving gap.
	ErrSkippedTime = errors.New("sessionio: local time skipped by the zone's clock")
	// ErrRepeatedTime: a local time that the zone's clock shows twice,
	// when it goes back.
	ErrRepeatedTime = errors.New("sessionio: local time shown twice by the zone's clock")
	// ErrInvalidNumber: a cost that is not a plain decimal number, or one
	// out of the range of a float64.
	ErrInvalidNumber = errors.New("sessionio: invalid number")
	// ErrInvalidUTF8: a text field that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("sessionio: invalid UTF-8")
	// ErrInvalidType: a JSON value of the wrong type, such as a number
	// for a label.
	ErrInvalidType = errors.New("sessionio: wrong JSON type")
)

// An Error is a bad line or a bad value in the input.
type Error struct {
	// Line is the line on which the record starts, counting from 1; 0 for
	// an error before any line is read, such as bad Options.
	Line int
	// Field is the field, in sessionagg's spelling ("startTime"), whatever
	// column or key it was read from; empty for an error of the line as a
	// whole.
	Field string
	// Value is the value as it is written in the input.
	Value string
	// Err is the reason. It wraps one of the sentinels of this package or
	// of the sessionagg package.
	Err error
}

// Error returns "line 3: startTime \"x\": reason", or "line 3: reason"
// without a field. A long value is cut short, and the reason's
// "sessionio: " or "sessionagg: " prefix is dropped.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteByte(' ')
		b.WriteString(quoteValue(e.Value))
		b.WriteString(": ")
	}
	b.WriteString(trimPrefix(e.Err.Error()))
	return b.String()
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// trimPrefix drops the package prefixes of a reason: the Error names its
// line, and the caller its program.
func trimPrefix(s string) string {
	for {
		switch {
		case strings.HasPrefix(s, "sessionio: "):
			s = s[len("sessionio: "):]
		case strings.HasPrefix(s, "sessionagg: "):
			s = s[len("sessionagg: "):]
		default:
			return s
		}
	}
}

// quoteValue quotes v for an error message, cut short if it is long.
func quoteValue(v string) string {
	const max = 64
	if len(v) > max {
		return strconv.Quote(v[:max]) + "..."
	}
	return strconv.Quote(v)
}

// reason is an error that says why, and wraps a sentinel without adding
// the sentinel's text: "month out of range" wrapping ErrInvalidTime.
type reason struct {
	msg string
	err error
}

func (r *reason) Error() string { return r.msg }
func (r *reason) Unwrap() error { return r.err }

func syntaxError(line int, msg string) error {
	return &Error{Line: line, Err: &reason{msg, ErrSyntax}}
}
