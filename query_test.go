package sessionagg_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
)

// TestQueryValidate checks every rule of Query.Validate: the error wraps
// ErrInvalidQuery and the rule's sentinel, is a *FieldError, and names the
// field and the value; NewAggregator and Aggregate return it too.
func TestQueryValidate(t *testing.T) {
	ids := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("id-%d", i)
		}
		return s
	}
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		reason       string
		q            sessionagg.Query
		sentinel     error // nil: valid
		field, value string
	}{
		{"the zero query is valid", sessionagg.Query{}, nil, "", ""},
		{"every field set, valid", sessionagg.Query{
			Start: start, End: start.Add(time.Hour), Period: sessionagg.Monthly, WeekStart: sessionagg.Sunday,
			GroupBy: aggFields, Statistics: []sessionagg.Statistic{sessionagg.Avg, sessionagg.Sum},
			QueueIDs: ids(10), MaxBuckets: 1, MaxRows: 1,
		}, nil, "", ""},
		{"a period that is not a constant", sessionagg.Query{Period: 9}, sessionagg.ErrInvalidPeriod, "period", "Period(9)"},
		{"a week start that is not a constant", sessionagg.Query{WeekStart: 2}, sessionagg.ErrInvalidPeriod, "weekStart", "WeekStart(2)"},
		{"an end equal to the start", sessionagg.Query{Start: start, End: start}, sessionagg.ErrInvalidWindow, "endTime", "2026-03-01T00:00:00Z"},
		{"an end before the start", sessionagg.Query{Start: start, End: start.Add(-time.Nanosecond)}, sessionagg.ErrInvalidWindow, "endTime", "2026-02-28T23:59:59.999999999Z"},
		{"an unknown group-by field", sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID, 42}}, sessionagg.ErrInvalidField, "groupBy[1]", "Field(42)"},
		{"a zero group-by field", sessionagg.Query{GroupBy: []sessionagg.Field{0}}, sessionagg.ErrInvalidField, "groupBy[0]", "Field(0)"},
		{"a repeated group-by field", sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.UserID, sessionagg.QueueID, sessionagg.UserID}}, sessionagg.ErrInvalidField, "groupBy[2]", "USER_ID"},
		{"an unknown statistic", sessionagg.Query{Statistics: []sessionagg.Statistic{7}}, sessionagg.ErrInvalidStatistic, "statistics[0]", "Statistic(7)"},
		{"a repeated statistic", sessionagg.Query{Statistics: []sessionagg.Statistic{sessionagg.Min, sessionagg.Min}}, sessionagg.ErrInvalidStatistic, "statistics[1]", "MIN"},
		{"queue and fleet ids", sessionagg.Query{QueueIDs: []string{"q"}, FleetIDs: []string{"f"}}, sessionagg.ErrInvalidFilter, "resourceIds", "queueIds and fleetIds"},
		{"eleven queue ids", sessionagg.Query{QueueIDs: ids(11)}, sessionagg.ErrInvalidFilter, "queueIds", strings.Join(ids(11), ",")},
		{"eleven fleet ids", sessionagg.Query{FleetIDs: ids(11)}, sessionagg.ErrInvalidFilter, "fleetIds", strings.Join(ids(11), ",")},
		{"ten fleet ids are allowed", sessionagg.Query{FleetIDs: ids(10)}, nil, "", ""},
		{"an empty queue id", sessionagg.Query{QueueIDs: []string{"q", ""}}, sessionagg.ErrInvalidFilter, "queueIds[1]", ""},
		{"an empty fleet id", sessionagg.Query{FleetIDs: []string{""}}, sessionagg.ErrInvalidFilter, "fleetIds[0]", ""},
		{"a MaxBuckets below NoLimit", sessionagg.Query{MaxBuckets: -2}, sessionagg.ErrTooLarge, "maxBuckets", "-2"},
		{"NoLimit lifts the limits", sessionagg.Query{MaxBuckets: sessionagg.NoLimit, MaxRows: sessionagg.NoLimit}, nil, "", ""},
		{"a repeated queue id", sessionagg.Query{QueueIDs: []string{"q-1", "q-2", "q-1"}}, sessionagg.ErrInvalidFilter, "queueIds[2]", "q-1"},
		{"a repeated fleet id", sessionagg.Query{FleetIDs: []string{"f", "f"}}, sessionagg.ErrInvalidFilter, "fleetIds[1]", "f"},
		{"a start in year 0", sessionagg.Query{Start: time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)}, sessionagg.ErrOutOfRange, "startTime", "0000-12-31T00:00:00Z"},
		{"an end in year 10000", sessionagg.Query{End: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, sessionagg.ErrOutOfRange, "endTime", "10000-01-01T00:00:00Z"},
		{"an end in year 10000 of the query's zone", sessionagg.Query{End: time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), Location: time.FixedZone("UTC+02:00", 2*3600)},
			sessionagg.ErrOutOfRange, "endTime", "9999-12-31T23:00:00Z"},
		{"a start whose Unix seconds wrap", sessionagg.Query{Start: time.Unix(math.MaxInt64, 0)}, sessionagg.ErrOutOfRange, "startTime", time.Unix(math.MaxInt64, 0).Format(time.RFC3339Nano)},
		{"a negative MaxRows", sessionagg.Query{MaxRows: -5}, sessionagg.ErrTooLarge, "maxRows", "-5"},
		{"a bounded window of more buckets than MaxBuckets", sessionagg.Query{
			Start: start, End: start.Add(24*time.Hour + time.Nanosecond), Period: sessionagg.Hourly, MaxBuckets: 24,
		}, sessionagg.ErrTooLarge, "period", "HOURLY"},
		{"a bounded window of exactly MaxBuckets buckets", sessionagg.Query{
			Start: start, End: start.Add(24 * time.Hour), Period: sessionagg.Hourly, MaxBuckets: 24,
		}, nil, "", ""},
		{"a thousand years of hours in a bounded window", sessionagg.Query{
			Start: start, End: start.AddDate(1000, 0, 0), Period: sessionagg.Hourly, MaxBuckets: 1000,
		}, sessionagg.ErrTooLarge, "period", "HOURLY"},
		{"an open window is not counted up front", sessionagg.Query{
			Start: start, Period: sessionagg.Hourly, MaxBuckets: 1,
		}, nil, "", ""},
	}
	for _, tt := range tests {
		errs := map[string]error{"Validate": tt.q.Validate()}
		_, errs["NewAggregator"] = sessionagg.NewAggregator(tt.q)
		_, errs["Aggregate"] = sessionagg.Aggregate(tt.q, slices.Values([]sessionagg.Session(nil)))
		for name, err := range errs {
			if tt.sentinel == nil {
				if err != nil {
					t.Errorf("%s: %s(%s) = %v, want nil", tt.reason, name, aggDescribe(tt.q), err)
				}
				continue
			}
			if !errors.Is(err, sessionagg.ErrInvalidQuery) || !errors.Is(err, tt.sentinel) {
				t.Errorf("%s: %s(%s) = %v, want an error wrapping ErrInvalidQuery and %v", tt.reason, name, aggDescribe(tt.q), err, tt.sentinel)
				continue
			}
			var fe *sessionagg.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || fe.Value != tt.value {
				t.Errorf("%s: %s() = %#v, want a *FieldError for %s %q", tt.reason, name, err, tt.field, tt.value)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.field) || !strings.Contains(msg, fmt.Sprintf("%q", tt.value)) {
				t.Errorf("%s: %s() = %q, want a message that names %s and %q", tt.reason, name, msg, tt.field, tt.value)
			}
		}
	}
}
