package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/sessionagg/sessionagg"
	sessionbeam "github.com/sessionagg/sessionagg/beam"
)

// devicesPipeline reads -input's TRRO sessions, aggregates them as
// sessionagg devices does and writes the statistics to -output.
func devicesPipeline() (*beam.Pipeline, error) {
	var q sessionagg.DeviceQuery
	var err error
	if q.Period, err = sessionagg.ParsePeriod(*period); err != nil {
		return nil, fmt.Errorf("-period: %w", err)
	}
	if q.Location, q.Start, q.End, err = window(); err != nil {
		return nil, err
	}
	// The command's limit on the buckets of a window.
	if err := (&sessionagg.Query{Start: q.Start, End: q.End, Period: q.Period, Location: q.Location, MaxBuckets: maxBuckets}).Validate(); err != nil {
		return nil, err
	}
	q.DeviceID, q.FillEmpty = *deviceID, *fillEmpty
	p, s := beam.NewPipelineWithRoot()
	sessions, err := sessionbeam.ReadDeviceSessions(s, *input, *inputFormat, *inputZone)
	if err != nil {
		return nil, fmt.Errorf("-input-format: %w", err)
	}
	reports, err := sessionbeam.AggregateDevices(s, q, sessions)
	if err != nil {
		return nil, err
	}
	sessionbeam.WriteDevicesJSONLines(s, *output, reports)
	return p, nil
}

// desktopsPipeline reads -input's Workspace sessions, reports them as
// sessionagg desktops does and writes the desktops to -output.
func desktopsPipeline() (*beam.Pipeline, error) {
	var q sessionagg.UsageQuery
	var err error
	if q.Location, q.Start, q.End, err = window(); err != nil {
		return nil, err
	}
	switch {
	case q.Start.IsZero():
		return nil, fmt.Errorf("-start: required: the report covers the range from -start to -end")
	case q.End.IsZero():
		return nil, fmt.Errorf("-end: required: the report covers the range from -start to -end")
	}
	q.NameContains = *resourceName
	if q.IdleDays, err = flagRange("-min-idle-days", *minIdle, "-max-idle-days", *maxIdle); err != nil {
		return nil, err
	}
	if q.UsageHours, err = flagRange("-usage-min-hours", *minHours, "-usage-max-hours", *maxHours); err != nil {
		return nil, err
	}
	switch strings.ToLower(*sortField) {
	case "":
		if *sortType != "" {
			return nil, fmt.Errorf("-sort-type %q: needs -sort-field usage or idle", *sortType)
		}
	case "usage":
		q.SortBy = sessionagg.SortByUsage
	case "idle":
		q.SortBy = sessionagg.SortByIdle
	default:
		return nil, fmt.Errorf("-sort-field %q: want usage or idle", *sortField)
	}
	switch strings.ToUpper(*sortType) {
	case "", "ASC":
	case "DESC":
		q.Descending = true
	default:
		return nil, fmt.Errorf("-sort-type %q: want ASC or DESC", *sortType)
	}
	p, s := beam.NewPipelineWithRoot()
	sessions, err := sessionbeam.ReadDesktopSessions(s, *input, *inputFormat, *inputZone)
	if err != nil {
		return nil, fmt.Errorf("-input-format: %w", err)
	}
	reports, err := sessionbeam.DesktopUsageReport(s, q, sessions)
	if err != nil {
		return nil, err
	}
	sessionbeam.WriteDesktopsJSONLines(s, *output, reports)
	return p, nil
}

// window returns -timezone's zone and the window of -start and -end.
func window() (*time.Location, time.Time, time.Time, error) {
	loc, err := sessionbeam.LoadZone(*zone)
	if err != nil {
		return nil, time.Time{}, time.Time{}, fmt.Errorf("-timezone: %w", err)
	}
	from, err := flagTime("-start", *start, loc)
	if err != nil {
		return nil, from, from, err
	}
	to, err := flagTime("-end", *end, loc)
	return loc, from, to, err
}

// flagRange returns the range of a pair of flags of whole numbers, 0 or
// more, as sessionagg desktops reads them; empty leaves a side open.
func flagRange(minName, minValue, maxName, maxValue string) (sessionagg.Range, error) {
	whole := func(name, v string) (float64, bool, error) {
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseUint(v, 10, 53)
		if err != nil {
			return 0, false, fmt.Errorf("%s %q: want a whole number, 0 or more", name, v)
		}
		return float64(n), true, nil
	}
	lo, hasLo, err := whole(minName, minValue)
	if err != nil {
		return sessionagg.Range{}, err
	}
	hi, hasHi, err := whole(maxName, maxValue)
	if err != nil {
		return sessionagg.Range{}, err
	}
	switch {
	case hasLo && hasHi:
		if hi < lo {
			return sessionagg.Range{}, fmt.Errorf("%s %v: below %s %v", maxName, hi, minName, lo)
		}
		return sessionagg.Between(lo, hi), nil
	case hasLo:
		return sessionagg.AtLeast(lo), nil
	case hasHi:
		return sessionagg.AtMost(hi), nil
	}
	return sessionagg.Range{}, nil
}
