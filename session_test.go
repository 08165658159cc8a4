package sessionagg_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
)

// TestSessionErrors checks that an invalid session is an error that names
// the field and value and which session, leaves the aggregator unchanged,
// and does not make it unusable.
func TestSessionErrors(t *testing.T) {
	good := sessionagg.Session{Start: aggAt(1, 9), End: aggAt(1, 10), CostInUSD: 1}
	tests := []struct {
		reason       string
		s            sessionagg.Session
		field, value string
	}{
		{"an end before the start", sessionagg.Session{Start: aggAt(1, 9), End: aggAt(1, 9).Add(-time.Nanosecond)}, "endTime", "2026-03-01T08:59:59.999999999Z"},
		{"a NaN cost", sessionagg.Session{Start: aggAt(1, 9), End: aggAt(1, 10), CostInUSD: math.NaN()}, "costInUsd", "NaN"},
		{"an infinite cost", sessionagg.Session{Start: aggAt(1, 9), End: aggAt(1, 10), CostInUSD: math.Inf(1)}, "costInUsd", "+Inf"},
		{"a negative cost", sessionagg.Session{Start: aggAt(1, 9), End: aggAt(1, 10), CostInUSD: -0.01}, "costInUsd", "-0.01"},
	}
	for _, tt := range tests {
		a, _ := sessionagg.NewAggregator(sessionagg.Query{})
		a.Add(good)
		err := a.Add(tt.s)
		if !errors.Is(err, sessionagg.ErrInvalidSession) {
			t.Errorf("%s: Add = %v, want an error wrapping ErrInvalidSession", tt.reason, err)
			continue
		}
		var fe *sessionagg.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || fe.Value != tt.value {
			t.Errorf("%s: Add = %#v, want a *FieldError for %s %q", tt.reason, err, tt.field, tt.value)
		}
		if err := a.Add(good); err != nil {
			t.Errorf("%s: Add(good) after an invalid session = %v, want nil", tt.reason, err)
		}
		if got := aggRows(aggResult(t, a)); len(got) != 1 || got[0].Count != 2 {
			t.Errorf("%s: rows after good, bad, good = %v, want one row of count 2", tt.reason, got)
		}
		_, err = sessionagg.Aggregate(sessionagg.Query{}, slices.Values([]sessionagg.Session{good, good, tt.s}))
		if !errors.Is(err, sessionagg.ErrInvalidSession) || !strings.HasPrefix(err.Error(), "session 2: ") {
			t.Errorf("%s: Aggregate = %v, want an error for session 2", tt.reason, err)
		}
	}
}
