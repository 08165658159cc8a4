package sessionagg

import (
	"fmt"
	"strings"
)

// This file gives the enumerations their text form, so that they read
// from and write to flags, JSON and configuration files as Period does.

// MarshalText implements encoding.TextMarshaler. It returns the same text
// as [Field.String], or an error wrapping [ErrInvalidField] if f is not
// one of the fields.
func (f Field) MarshalText() ([]byte, error) {
	if !f.valid() {
		return nil, fmt.Errorf("%w: %v", ErrInvalidField, f)
	}
	return []byte(f.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with [ParseField]. On
// error f is left unchanged.
func (f *Field) UnmarshalText(text []byte) error {
	v, err := ParseField(string(text))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// MarshalText implements encoding.TextMarshaler. It returns the same text
// as [Statistic.String], or an error wrapping [ErrInvalidStatistic] if s
// is not one of the statistics.
func (s Statistic) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("%w: %v", ErrInvalidStatistic, s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with
// [ParseStatistic]. On error s is left unchanged.
func (s *Statistic) UnmarshalText(text []byte) error {
	v, err := ParseStatistic(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalText implements encoding.TextMarshaler. It returns "MONDAY" or
// "SUNDAY", or an error wrapping [ErrInvalidQuery] for any other value.
func (w WeekStart) MarshalText() ([]byte, error) {
	if w > Sunday {
		return nil, fmt.Errorf("%w: %v", ErrInvalidQuery, w)
	}
	return []byte(w.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: it reads "MONDAY" or
// "SUNDAY" in any letter case. Any other text is an error wrapping
// [ErrInvalidQuery], and leaves w unchanged.
func (w *WeekStart) UnmarshalText(text []byte) error {
	for _, v := range []WeekStart{Monday, Sunday} {
		if strings.EqualFold(string(text), v.String()) {
			*w = v
			return nil
		}
	}
	return fmt.Errorf("%w: week start %q: want MONDAY or SUNDAY", ErrInvalidQuery, text)
}

// MarshalText implements encoding.TextMarshaler. It returns "good",
// "normal" or "bad", or an error wrapping [ErrInvalidQuality] for any
// other value.
func (q Quality) MarshalText() ([]byte, error) {
	if q > Bad {
		return nil, fmt.Errorf("%w: %v", ErrInvalidQuality, q)
	}
	return []byte(q.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with [ParseQuality],
// without making a string of text unless it is an error. On error q is
// left unchanged.
func (q *Quality) UnmarshalText(text []byte) error {
	for v, name := range qualityNames {
		if len(text) == len(name) && strings.EqualFold(string(text), name) {
			*q = Quality(v)
			return nil
		}
	}
	_, err := ParseQuality(string(text))
	return err
}
