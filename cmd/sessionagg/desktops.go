package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/internal/jsonfloat"
	"github.com/sessionagg/sessionagg/sessionio"
)

const desktopsUsage = `Usage: sessionagg desktops -start TIME -end TIME [flags] [FILE...]

sessionagg desktops computes Huawei Cloud Workspace's desktop usage: per
desktop, its usage on each day of the range, with sessions split at the
zone's midnight, its total usage in seconds and its idle days (days of the
range with no usage; the first and last day may be partial). Every desktop
of the input is reported, also one with no usage in the range, unless the
filters drop it.

The FILEs are read as for sessionagg (see sessionagg -h): CSV or JSON
Lines, each file with its own header, - for standard input once, the demo
data with no FILE. The fields, named in any letter case, are startTime and
endTime (required), resourceId (the desktop; required) and resourceName (a
desktop's name is the smallest non-empty one of its records).

Flags:
  -start TIME, -end TIME
        the range, required: RFC 3339, Unix seconds, or a local date or
        date-time on -timezone's clock
  -timezone ZONE, -input-timezone ZONE, -format FORMAT, -input-format FORMAT
        as for sessionagg; -timezone gives the midnights at which sessions
        split (default UTC); -format json writes {"desktops": [...]}
  -resource-name TEXT
        only the desktops whose name contains TEXT, ignoring letter case
  -min-idle-days N, -max-idle-days N
        only the desktops with N or more, or N or fewer, idle days
  -usage-min-hours N, -usage-max-hours N
        only the desktops with N or more, or N or fewer, hours of usage
        (whole numbers, 0 or more; a maximum below its minimum is an error)
  -sort-field usage|idle, -sort-type ASC|DESC
        order by total usage or by idle days (default: by resource id),
        ascending unless -sort-type DESC; ties by resource id, ascending

Exit status: 0 on success, 1 for bad input, 2 for a bad flag.

Example:
  sessionagg desktops -start 2026-03-01 -end 2026-03-08 -timezone Europe/Berlin \
      -sort-field usage -sort-type DESC desktops.csv
`

// runDesktops is the Workspace report.
func runDesktops(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sessionagg desktops", flag.ContinueOnError)
	var shared inputFlags
	shared.define(fs)
	var q sessionagg.UsageQuery
	fs.StringVar(&q.NameContains, "resource-name", "", "")
	var minIdle, maxIdle, minHours, maxHours, sortField, sortType string
	fs.StringVar(&minIdle, "min-idle-days", "", "")
	fs.StringVar(&maxIdle, "max-idle-days", "", "")
	fs.StringVar(&minHours, "usage-min-hours", "", "")
	fs.StringVar(&maxHours, "usage-max-hours", "", "")
	fs.StringVar(&sortField, "sort-field", "", "")
	fs.StringVar(&sortType, "sort-type", "", "")
	files, err := parseFlags(fs, args)
	if err == errHelp {
		io.WriteString(stdout, desktopsUsage)
		return exitOK
	}
	fail := func(err error) int { return usageError(stderr, "desktops", err) }
	if err != nil {
		return fail(err)
	}
	in, err := shared.parse(files)
	if err != nil {
		return fail(err)
	}
	switch {
	case in.start.IsZero():
		return fail(fmt.Errorf("-start: required: the report covers the range from -start to -end"))
	case in.end.IsZero():
		return fail(fmt.Errorf("-end: required: the report covers the range from -start to -end"))
	}
	q.Start, q.End, q.Location = in.start, in.end, in.loc
	if q.IdleDays, err = flagRange("-min-idle-days", minIdle, "-max-idle-days", maxIdle); err != nil {
		return fail(err)
	}
	if q.UsageHours, err = flagRange("-usage-min-hours", minHours, "-usage-max-hours", maxHours); err != nil {
		return fail(err)
	}
	switch strings.ToLower(sortField) {
	case "":
		if sortType != "" {
			return fail(fmt.Errorf("-sort-type %q: needs -sort-field usage or idle", sortType))
		}
	case "usage":
		q.SortBy = sessionagg.SortByUsage
	case "idle":
		q.SortBy = sessionagg.SortByIdle
	default:
		return fail(fmt.Errorf("-sort-field %q: want usage or idle", sortField))
	}
	switch strings.ToUpper(sortType) {
	case "", "ASC":
	case "DESC":
		q.Descending = true
	default:
		return fail(fmt.Errorf("-sort-type %q: want ASC or DESC", sortType))
	}
	if err := q.Validate(); err != nil {
		return fail(fmt.Errorf("%s%v", flagOf(err), trim(err)))
	}
	var readErr error
	report, err := sessionagg.DesktopUsageReport(q, sessionsOf(&in, stdin, stderr, demoDesktops, &readErr, (*sessionio.Reader).ReadDesktopSession))
	if failed(stderr, readErr, err) {
		return exitInput
	}
	return write(stdout, stderr, func(w *bufio.Writer) error {
		switch in.outFormat {
		case "json":
			return writeJSONArray(w, "desktops", report)
		case "csv":
			writeDesktopsCSV(w, report)
		default:
			writeDesktopsTable(w, report)
		}
		return nil
	})
}

// flagRange returns the range of a pair of flags of whole numbers, 0 or
// more; empty leaves a side open.
func flagRange(minName, minValue, maxName, maxValue string) (sessionagg.Range, error) {
	lo, hasLo, err := wholeFlag(minName, minValue)
	if err != nil {
		return sessionagg.Range{}, err
	}
	hi, hasHi, err := wholeFlag(maxName, maxValue)
	if err != nil {
		return sessionagg.Range{}, err
	}
	switch {
	case hasLo && hasHi:
		if hi < lo {
			return sessionagg.Range{}, fmt.Errorf("%s %d: below %s %d", maxName, hi, minName, lo)
		}
		return sessionagg.Between(float64(lo), float64(hi)), nil
	case hasLo:
		return sessionagg.AtLeast(float64(lo)), nil
	case hasHi:
		return sessionagg.AtMost(float64(hi)), nil
	}
	return sessionagg.Range{}, nil
}

func wholeFlag(name, v string) (uint64, bool, error) {
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(v, 10, 53)
	if err != nil {
		return 0, false, fmt.Errorf("%s %q: want a whole number, 0 or more", name, v)
	}
	return n, true, nil
}

// days returns the dates of the report's days, the same for every
// desktop: the local date of each day's start.
func days(report []sessionagg.DesktopUsage) []string {
	var dates []string
	if len(report) > 0 {
		for _, d := range report[0].Days {
			dates = append(dates, d.Start.Format(time.DateOnly))
		}
	}
	return dates
}

// writeDesktopsCSV writes a record per desktop: its id, name, usage in
// seconds and idle days, then a column per day of the range, named by its
// date, with the day's usage in seconds.
func writeDesktopsCSV(w *bufio.Writer, report []sessionagg.DesktopUsage) {
	b := []byte("resource_id,resource_name,usage_seconds,idle_days")
	for _, d := range days(report) {
		b = append(b, ',')
		b = append(b, d...)
	}
	b = append(b, '\n')
	for _, u := range report {
		b = appendCSVField(b, u.ResourceID)
		b = append(b, ',')
		b = appendCSVField(b, u.ResourceName)
		b = append(b, ',')
		b = jsonfloat.Append(b, u.UsageSeconds)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(u.IdleDays), 10)
		for _, d := range u.Days {
			b = append(b, ',')
			b = jsonfloat.Append(b, d.Seconds)
		}
		b = append(b, '\n')
		w.Write(b)
		b = b[:0]
	}
	w.Write(b)
}

// writeDesktopsTable writes a line per desktop for people, with its usage
// and each day's as h:mm:ss.
func writeDesktopsTable(w *bufio.Writer, report []sessionagg.DesktopUsage) {
	header := append([]string{"RESOURCE_ID", "RESOURCE_NAME", "USAGE", "IDLE_DAYS"}, days(report)...)
	writeAligned(w, header, 2, len(report), func(i int, rec []string) []string {
		u := &report[i]
		rec = append(rec, tableLabel(u.ResourceID), tableLabel(u.ResourceName),
			formatRuntime(u.UsageSeconds), strconv.Itoa(u.IdleDays))
		for _, d := range u.Days {
			rec = append(rec, formatRuntime(d.Seconds))
		}
		return rec
	})
}
