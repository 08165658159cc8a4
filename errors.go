package sessionagg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. Every error of this package wraps one of them, and
// every error about a query also wraps [ErrInvalidQuery]; match them with
// [errors.Is]. Errors about one field are *[FieldError] values, which name
// the field and the value.
var (
	// ErrInvalidQuery is wrapped by every error that Query.Validate returns.
	ErrInvalidQuery = errors.New("sessionagg: invalid query")
	// ErrInvalidWindow: the query window's end is not after its start.
	ErrInvalidWindow = errors.New("sessionagg: window end is not after its start")
	// ErrInvalidField: an unknown or repeated group-by field.
	ErrInvalidField = errors.New("sessionagg: invalid group-by field")
	// ErrInvalidStatistic: an unknown or repeated statistic.
	ErrInvalidStatistic = errors.New("sessionagg: invalid statistic")
	// ErrInvalidFilter: queue ids and fleet ids together, more than 10 ids,
	// or an empty id.
	ErrInvalidFilter = errors.New("sessionagg: invalid id filter")
	// ErrTooLarge: the query's buckets or rows exceed the limits it set.
	ErrTooLarge = errors.New("sessionagg: too many buckets or rows: shorten the window or lengthen the period")
	// ErrInvalidSession: a session whose start or end is unset (the zero
	// time.Time) or so far from 1970 that its Unix seconds overflow, whose
	// end is before its start, or whose cost is NaN, negative or above
	// MaxCostInUSD.
	ErrInvalidSession = errors.New("sessionagg: invalid session")
	// ErrMismatch: merging or decoding partial results of different queries.
	ErrMismatch = errors.New("sessionagg: partial results of different queries")
	// ErrInvalidToken: a page token that is forged, corrupted, truncated or
	// made by another query or over other rows.
	ErrInvalidToken = errors.New("sessionagg: invalid page token")
	// ErrOutOfRange: a window bound, or the time of a row, outside the
	// years 1 to 9999 of its zone, which RFC 3339 cannot write.
	ErrOutOfRange = errors.New("sessionagg: time outside the years 0001 to 9999")
	// ErrInvalidData: binary data that UnmarshalBinary refuses: truncated,
	// corrupt, or holding rows that no aggregation could produce.
	ErrInvalidData = errors.New("sessionagg: invalid binary data")

	// ErrInvalidPeriod is matched, with [errors.Is], by every error that
	// [ParsePeriod] and [Period.UnmarshalText] return.
	ErrInvalidPeriod = errors.New("sessionagg: invalid period")
	// ErrInvalidTimezone is matched, with [errors.Is], by every error that
	// [ParseTimezone] returns.
	ErrInvalidTimezone = errors.New("sessionagg: invalid timezone")
	// ErrInvalidQuality is wrapped by the errors of [ParseQuality].
	ErrInvalidQuality = errors.New("sessionagg: unknown session quality")
	// ErrInvalidRange is wrapped by the error of a UsageQuery whose Range
	// has a maximum below its minimum, or a bound that is NaN.
	ErrInvalidRange = errors.New("sessionagg: invalid range")
	// ErrInvalidColumns is wrapped by the errors of a [Columns] batch
	// that is malformed, rather than one whose sessions are invalid:
	// columns of different lengths, a unit that is not one of the four, a
	// label column with both values and codes, or a code outside its
	// dictionary.
	ErrInvalidColumns = errors.New("sessionagg: invalid columns")
	// ErrLate is wrapped by the error of a session added after
	// [Aggregator.Close] closed a bucket that the session has a piece in.
	ErrLate = errors.New("sessionagg: late session: a bucket it has a piece in is closed")
)

// The errors of limits that the engine finds as it adds sessions; each
// wraps ErrTooLarge.
var (
	// errTooManyPieces: a session has more pieces than the limit of
	// buckets.
	errTooManyPieces = fmt.Errorf("%w: a session spans more buckets than the limit (Query.MaxBuckets, or DefaultMaxBuckets on a window open on a side)", ErrTooLarge)
	// errEndOfTime: a session reaches where the bucket arithmetic would
	// overflow, some 292 billion years from 1970.
	errEndOfTime = fmt.Errorf("%w: a session reaches the end of representable time", ErrTooLarge)
	// errTooManyRows: a new row beyond MaxRows.
	errTooManyRows = fmt.Errorf("%w: more rows than the limit", ErrTooLarge)
)

// errNoQuery is the error of marshalling a Page that no Result made.
var errNoQuery = fmt.Errorf("%w: a Page made without Result.Page or UnmarshalJSON has no query to say which labels and statistics to write; marshal its rows one by one", ErrInvalidQuery)

// A FieldError reports a bad value in one field of a query or a session.
type FieldError struct {
	Field string // the field, in the cloud API's spelling: "period", "groupBy[1]", "endTime"
	Value string // the value, as given or as formatted
	Err   error  // the reason, which wraps a sentinel such as ErrInvalidPeriod
	kind  error  // ErrInvalidQuery or ErrInvalidSession
}

// Error returns "sessionagg: invalid query: field "value": reason".
func (e *FieldError) Error() string {
	prefix := "sessionagg: "
	if e.kind != nil {
		prefix = e.kind.Error() + ": "
	}
	// The reason's own "sessionagg: " would repeat the prefix.
	return prefix + e.Field + " " + strconv.Quote(e.Value) + ": " + strings.TrimPrefix(e.Err.Error(), "sessionagg: ")
}

// Unwrap returns the reason and the kind of error (ErrInvalidQuery or
// ErrInvalidSession), so that errors.Is matches both.
func (e *FieldError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.kind}
}

func queryError(field, value string, err error) error {
	return &FieldError{Field: field, Value: value, Err: err, kind: ErrInvalidQuery}
}

func sessionError(field, value string, err error) error {
	return &FieldError{Field: field, Value: value, Err: err, kind: ErrInvalidSession}
}
