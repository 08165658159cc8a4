package sessionagg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// This file writes every result type as JSON in the shape of the API it
// comes from, and reads the cloud API's response back into a Page, so
// that sessionagg's output can be compared with a real response.

// Value returns statistic st of s, and whether s has it: a min, max or avg
// of no values does not exist (the cloud API leaves it out), while the sum
// of none is 0. An st that is not a statistic has no value.
func (s Stats) Value(st Statistic) (float64, bool) {
	switch st {
	case Sum:
		return s.Sum(), true
	case Min:
		return s.Min(), s.count > 0
	case Max:
		return s.Max(), s.count > 0
	case Avg:
		return s.Avg(), s.count > 0
	}
	return 0, false
}

// allStatistics is the bit set of the four statistics, as
// Query.statistics returns it.
const allStatistics = 1<<Sum | 1<<Min | 1<<Max | 1<<Avg

// MarshalJSON writes s as the cloud API writes costInUsd and
// runtimeInSeconds: {"min":0.5,"max":2,"avg":1.25,"sum":2.5}, numbers as
// encoding/json writes a float64. Stats with no values have no min, max or
// avg: {"sum":0}.
func (s Stats) MarshalJSON() ([]byte, error) {
	return appendStatsJSON(nil, &s, allStatistics), nil
}

// MarshalJSON writes r as one element of the cloud API's statistics
// array (see [Page.MarshalJSON]), without a query to say which labels
// and statistics it asked for: every label that is not empty (and jobName
// with jobId), the count, and every statistic that r's Stats have.
func (r Row) MarshalJSON() ([]byte, error) {
	var q Query
	for _, f := range responseOrder {
		if r.Label(f) != "" || f == JobID && r.JobName != "" {
			q.GroupBy = append(q.GroupBy, f)
		}
	}
	return appendRowJSON(nil, &r, &q, allStatistics), nil
}

// rowJSON is a row of the cloud API's response as encoding/json reads it.
type rowJSON struct {
	QueueID          *string    `json:"queueId"`
	FleetID          *string    `json:"fleetId"`
	JobID            *string    `json:"jobId"`
	JobName          *string    `json:"jobName"`
	UserID           *string    `json:"userId"`
	UsageType        *string    `json:"usageType"`
	LicenseProduct   *string    `json:"licenseProduct"`
	InstanceType     *string    `json:"instanceType"`
	Count            *int64     `json:"count"`
	CostInUSD        *statsJSON `json:"costInUsd"`
	RuntimeInSeconds *statsJSON `json:"runtimeInSeconds"`
	Start            *time.Time `json:"aggregationStartTime"`
	End              *time.Time `json:"aggregationEndTime"`
}

type statsJSON struct {
	Min, Max, Avg, Sum *float64
}

// labels returns the fields whose labels j has, and sets them in r.
func (j *rowJSON) labels(r *Row) []Field {
	var fields []Field
	for f, v := range map[Field]*string{QueueID: j.QueueID, FleetID: j.FleetID, JobID: j.JobID, UserID: j.UserID,
		UsageType: j.UsageType, LicenseProduct: j.LicenseProduct, InstanceType: j.InstanceType} {
		if v != nil {
			r.setLabel(f, *v)
			fields = append(fields, f)
		}
	}
	if j.JobName != nil {
		r.JobName = *j.JobName
	}
	return fields
}

// stats returns the Stats of count values that s describes, and the
// statistics it has.
func (s *statsJSON) stats(name string, count int64) (Stats, uint8, error) {
	if s == nil {
		return Stats{}, 0, fmt.Errorf("%w: %s is missing", ErrInvalidData, name)
	}
	var has uint8
	var st Stats
	st.count = count
	for _, v := range []struct {
		p  *float64
		st Statistic
		to *float64
	}{{s.Min, Min, &st.min}, {s.Max, Max, &st.max}, {s.Avg, Avg, nil}, {s.Sum, Sum, &st.sum}} {
		if v.p == nil {
			continue
		}
		has |= 1 << v.st
		if v.to != nil {
			*v.to = *v.p
		}
	}
	if s.Sum == nil && s.Avg != nil {
		st.sum = *s.Avg * float64(count)
	}
	// A min or max that the response leaves out is taken to be the mean,
	// the one value known to lie between them, so that Avg (which keeps
	// the mean between min and max) reads back as written.
	if count > 0 {
		mean := st.sum / float64(count)
		if s.Avg != nil {
			mean = *s.Avg
		}
		if s.Min == nil {
			st.min = mean
		}
		if s.Max == nil {
			st.max = mean
		}
	}
	if count == 0 && (s.Min != nil || s.Max != nil || s.Avg != nil) {
		return Stats{}, 0, fmt.Errorf("%w: %s of a row with a count of 0 has a min, max or avg", ErrInvalidData, name)
	}
	return st, has, nil
}

// UnmarshalJSON reads r from one element of the cloud API's statistics
// array, as [Row.MarshalJSON] and [Page.MarshalJSON] write it. The count
// and both times are required; labels that are missing are empty. A Stats
// read back holds the count, sum, min and max the JSON gives: a sum from
// avg × count if only avg is given, and the mean for a min or max left out. An error wraps [ErrInvalidData]; r
// is then unchanged.
func (r *Row) UnmarshalJSON(data []byte) error {
	row, _, _, err := readRow(data)
	if err != nil {
		return err
	}
	*r = row
	return nil
}

// readRow reads a row, and returns which labels and statistics it has.
func readRow(data []byte) (Row, []Field, uint8, error) {
	var j rowJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return Row{}, nil, 0, fmt.Errorf("%w: %v", ErrInvalidData, err)
	}
	switch {
	case j.Count == nil:
		return Row{}, nil, 0, fmt.Errorf("%w: a row without a count", ErrInvalidData)
	case *j.Count < 0:
		return Row{}, nil, 0, fmt.Errorf("%w: a count of %d", ErrInvalidData, *j.Count)
	case j.Start == nil || j.End == nil:
		return Row{}, nil, 0, fmt.Errorf("%w: a row without aggregationStartTime or aggregationEndTime", ErrInvalidData)
	case !j.Start.Before(*j.End):
		return Row{}, nil, 0, fmt.Errorf("%w: aggregationEndTime %s is not after aggregationStartTime %s", ErrInvalidData, j.End.Format(rfc3339), j.Start.Format(rfc3339))
	}
	var r Row
	fields := j.labels(&r)
	r.Count = *j.Count
	r.Start, r.End = *j.Start, *j.End
	var err error
	var hasCost, hasRuntime uint8
	if r.CostInUSD, hasCost, err = j.CostInUSD.stats("costInUsd", r.Count); err != nil {
		return Row{}, nil, 0, err
	}
	if r.RuntimeInSeconds, hasRuntime, err = j.RuntimeInSeconds.stats("runtimeInSeconds", r.Count); err != nil {
		return Row{}, nil, 0, err
	}
	return r, fields, hasCost | hasRuntime, nil
}

// UnmarshalJSON reads p from the cloud API's
// GetSessionsStatisticsAggregation response, as [Page.MarshalJSON] and
// [Result.MarshalJSON] write it: the rows of "statistics" (see
// [Row.UnmarshalJSON]) and "nextToken" (or "NextToken", the paginator's
// spelling). The Page carries the query the response shows, its labels
// and statistics, so that it marshals back to the same JSON; its token
// can only be passed on, not used with a Result. A status other than
// COMPLETED is an error wrapping [ErrTooLarge] for TIMEOUT and FAILED, as
// the cloud API reports a query too large, and [ErrInvalidData]
// otherwise; so is JSON of another shape. On error p is unchanged.
func (p *Page) UnmarshalJSON(data []byte) error {
	var j struct {
		Statistics    []json.RawMessage `json:"statistics"`
		Status        *string           `json:"status"`
		StatusMessage string            `json:"statusMessage"`
		NextToken     string            `json:"nextToken"`
		NextToken2    string            `json:"NextToken"`
	}
	// The field names match in any case, as encoding/json does; the two
	// spellings of the token must be told apart by hand.
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidData, err)
	}
	if j.Status != nil && *j.Status != "COMPLETED" {
		err := ErrInvalidData
		if *j.Status == "TIMEOUT" || *j.Status == "FAILED" {
			err = ErrTooLarge
		}
		return fmt.Errorf("%w: status %s %q", err, *j.Status, j.StatusMessage)
	}
	var q Query
	var grouped [LicenseProduct + 1]bool
	var stats uint8
	rows := make([]Row, len(j.Statistics))
	for i, raw := range j.Statistics {
		r, fields, has, err := readRow(raw)
		if err != nil {
			return fmt.Errorf("statistics[%d]: %w", i, err)
		}
		rows[i] = r
		for _, f := range fields {
			grouped[f] = true
		}
		stats |= has
	}
	for _, f := range responseOrder {
		if grouped[f] {
			q.GroupBy = append(q.GroupBy, f)
		}
	}
	for _, st := range []Statistic{Min, Max, Avg, Sum} {
		if stats&(1<<st) != 0 {
			q.Statistics = append(q.Statistics, st)
		}
	}
	if len(q.Statistics) == 0 {
		q.Statistics = []Statistic{Sum}
	}
	token := j.NextToken
	if token == "" {
		token = j.NextToken2
	}
	*p = Page{Rows: rows, NextToken: token, r: &Result{q: q}}
	return nil
}

// MarshalJSON writes d as TRRO's SessionIntervalStatistic:
//
//	{"ActiveFieldDeviceNum":1,"ActiveRemoteDeviceNum":1,"SessionNum":4,
//	 "StartTime":1661166000,"EndTime":1661169600,"TotalDuration":60.5,
//	 "NotBadSessionRatio":75}
//
// StartTime and EndTime are Unix seconds, with a fraction only when the
// window's bound has one; TotalDuration is in minutes; NotBadSessionRatio
// is a percentage, left out of a bucket with no sessions (which only
// [DeviceQuery].FillEmpty makes). Numbers are written as encoding/json
// writes them: whole when they are whole.
func (d DeviceStats) MarshalJSON() ([]byte, error) {
	b := []byte(`{"ActiveFieldDeviceNum":`)
	b = strconv.AppendInt(b, int64(d.ActiveFieldDevices), 10)
	b = append(b, `,"ActiveRemoteDeviceNum":`...)
	b = strconv.AppendInt(b, int64(d.ActiveRemoteDevices), 10)
	b = append(b, `,"SessionNum":`...)
	b = strconv.AppendInt(b, d.Sessions, 10)
	b = append(b, `,"StartTime":`...)
	b = appendUnix(b, d.Start)
	b = append(b, `,"EndTime":`...)
	b = appendUnix(b, d.End)
	b = append(b, `,"TotalDuration":`...)
	b = appendJSONFloat(b, d.TotalMinutes)
	if d.Sessions > 0 {
		b = append(b, `,"NotBadSessionRatio":`...)
		b = appendJSONFloat(b, d.NotBadPercent)
	}
	return append(b, '}'), nil
}

// appendUnix appends t as Unix seconds, with the nanoseconds as a
// decimal fraction if there are any.
func appendUnix(b []byte, t time.Time) []byte {
	b = strconv.AppendInt(b, t.Unix(), 10)
	if ns := t.Nanosecond(); ns != 0 {
		frac := strconv.AppendInt(nil, int64(ns)+1e9, 10)[1:]
		b = append(b, '.')
		b = append(b, bytes.TrimRight(frac, "0")...)
	}
	return b
}

// MarshalJSON writes u as the desktop usage export:
//
//	{"resource_id":"d-1","resource_name":"dev-01","usage_seconds":50400,
//	 "idle_days":1,"daily_usage":[{"date":"2026-03-01","usage_seconds":46800},
//	 {"date":"2026-03-02","usage_seconds":3600}]}
//
// A day's date is the local date of its start, in the location of its
// times (the UsageQuery's).
func (u DesktopUsage) MarshalJSON() ([]byte, error) {
	b := []byte(`{"resource_id":`)
	b = appendJSONString(b, u.ResourceID)
	b = append(b, `,"resource_name":`...)
	b = appendJSONString(b, u.ResourceName)
	b = append(b, `,"usage_seconds":`...)
	b = appendJSONFloat(b, u.UsageSeconds)
	b = append(b, `,"idle_days":`...)
	b = strconv.AppendInt(b, int64(u.IdleDays), 10)
	b = append(b, `,"daily_usage":[`...)
	for i, d := range u.Days {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"date":"`...)
		b = d.Start.AppendFormat(b, time.DateOnly)
		b = append(b, `","usage_seconds":`...)
		b = appendJSONFloat(b, d.Seconds)
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}
