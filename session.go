package sessionagg

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A Session is one run of something: the half-open interval [Start, End)
// of absolute time, its cost in US dollars for the whole interval, and the
// labels of the cloud API. Labels are plain strings; an empty label is a
// value like any other and groups with the other empty ones.
type Session struct {
	Start, End time.Time
	CostInUSD  float64

	QueueID        string
	FleetID        string
	JobID          string
	JobName        string
	UserID         string
	UsageType      string // COMPUTE or LICENSE in the cloud API; not checked
	LicenseProduct string
	InstanceType   string
}

// Validate reports whether s can be aggregated: its Start and End must be
// set (the zero time.Time is taken for a field left unset, not for the
// first instant of year 1), its End must not be before its Start (an
// equal End is a zero-length session, which counts), and its cost must be
// a number from 0 to [MaxCostInUSD] (-0 is accepted and counts as 0). The error is a *[FieldError] naming
// "startTime", "endTime" or "costInUsd" and wraps [ErrInvalidSession].
func (s *Session) Validate() error {
	if err := checkInterval(s.Start, s.End); err != nil {
		return err
	}
	if c := s.CostInUSD; !(c >= 0 && c <= MaxCostInUSD) {
		return sessionError("costInUsd", strconv.FormatFloat(c, 'g', -1, 64), fmt.Errorf("want a finite number, zero or more and at most %.2g", MaxCostInUSD))
	}
	return nil
}

// checkInterval reports what is wrong with the interval [start, end) of a
// session, as a *FieldError wrapping ErrInvalidSession: a zero start or
// end, one whose Unix seconds overflow (see instant.ok), or an end before
// the start. It compares instants, as the aggregation does, so that the
// two always agree.
func checkInterval(start, end time.Time) error {
	s, e := instantOf(start), instantOf(end)
	for _, t := range [...]struct {
		name string
		t    time.Time
		i    instant
	}{{"startTime", start, s}, {"endTime", end, e}} {
		if t.t.IsZero() {
			return sessionError(t.name, formatTime(t.t), errors.New("the zero time: it looks unset"))
		}
		if !t.i.ok() {
			return sessionError(t.name, formatTime(t.t), errors.New("too far from 1970: its Unix seconds overflow an int64"))
		}
	}
	if e.less(s) {
		return sessionError("endTime", formatTime(end), fmt.Errorf("before startTime %s", formatTime(start)))
	}
	return nil
}

// MaxCostInUSD is the largest cost a session may have, about 1.9e289: no
// sum of as many costs as a row can count (2^63) can then overflow a
// float64 and turn into an infinity, or a NaN in the compensated sum.
const MaxCostInUSD = math.MaxFloat64 / (1 << 63)

// A Field is a session label that rows can be grouped by, as in the cloud
// API's groupBy.
type Field uint8

// The group-by fields of the cloud API. A row of a query grouped by JobID
// also carries the job's name.
const (
	QueueID Field = iota + 1
	FleetID
	JobID
	UserID
	UsageType
	InstanceType
	LicenseProduct
)

var fieldNames = [...]string{
	QueueID:        "QUEUE_ID",
	FleetID:        "FLEET_ID",
	JobID:          "JOB_ID",
	UserID:         "USER_ID",
	UsageType:      "USAGE_TYPE",
	InstanceType:   "INSTANCE_TYPE",
	LicenseProduct: "LICENSE_PRODUCT",
}

// jsonNames are the fields' names in the cloud API's response.
var jsonNames = [...]string{
	QueueID:        "queueId",
	FleetID:        "fleetId",
	JobID:          "jobId",
	UserID:         "userId",
	UsageType:      "usageType",
	InstanceType:   "instanceType",
	LicenseProduct: "licenseProduct",
}

func (f Field) valid() bool { return f >= QueueID && f <= LicenseProduct }

// String returns the cloud API's name of f, such as "QUEUE_ID", or
// "Field(N)" for a value that is not a field.
func (f Field) String() string {
	if f.valid() {
		return fieldNames[f]
	}
	return fmt.Sprintf("Field(%d)", uint8(f))
}

// ParseField returns the Field named s: QUEUE_ID, FLEET_ID, JOB_ID,
// USER_ID, USAGE_TYPE, INSTANCE_TYPE or LICENSE_PRODUCT, in any letter case.
// Any other string is an error that wraps [ErrInvalidField].
func ParseField(s string) (Field, error) {
	for f := QueueID; f <= LicenseProduct; f++ {
		if strings.EqualFold(s, fieldNames[f]) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%w %q: want one of %s", ErrInvalidField, s, strings.Join(fieldNames[1:], ", "))
}

// label returns s's value of the label f.
func (s *Session) label(f Field) string {
	if p := s.labelPtr(f); p != nil {
		return *p
	}
	return ""
}

// labelPtr returns the field of s that holds the label f, or nil.
func (s *Session) labelPtr(f Field) *string {
	switch f {
	case QueueID:
		return &s.QueueID
	case FleetID:
		return &s.FleetID
	case JobID:
		return &s.JobID
	case UserID:
		return &s.UserID
	case UsageType:
		return &s.UsageType
	case InstanceType:
		return &s.InstanceType
	case LicenseProduct:
		return &s.LicenseProduct
	}
	return nil
}

// labels holds the values of a query's group-by fields, in group-by order.
type labels [LicenseProduct]string

// Label returns s's value of the label f, or "" if f is not a field.
func (s *Session) Label(f Field) string { return s.label(f) }

// SetLabel sets s's label f to v. It does nothing if f is not a field.
func (s *Session) SetLabel(f Field, v string) {
	if p := s.labelPtr(f); p != nil {
		*p = v
	}
}
