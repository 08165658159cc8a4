package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/sessionagg/sessionagg"
)

// parseArgs parses the command line into options. The values of the
// query's flags are parsed with the library's parsers (ParsePeriod,
// ParseTimezone, ParseField, ParseStatistic); the query as a whole is
// checked by NewAggregator, so the command reports what the library would.
// Flags may come before and after the file. It returns errHelp for -h.
func parseArgs(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("sessionagg", flag.ContinueOnError)
	var flagErr bytes.Buffer
	fs.SetOutput(&flagErr)
	fs.Usage = func() {}
	var start, end, period, zone, groupBy, stats, queues, fleets string
	fs.StringVar(&start, "start", "", "")
	fs.StringVar(&end, "end", "", "")
	fs.StringVar(&period, "period", "DAILY", "")
	fs.StringVar(&zone, "timezone", "UTC", "")
	fs.StringVar(&groupBy, "group-by", "", "")
	fs.StringVar(&stats, "statistics", "", "")
	fs.StringVar(&queues, "queue-ids", "", "")
	fs.StringVar(&fleets, "fleet-ids", "", "")
	fs.IntVar(&o.maxResults, "max-results", 0, "")
	fs.StringVar(&o.token, "next-token", "", "")
	fs.StringVar(&o.format, "format", "table", "")
	fs.StringVar(&o.inputFormat, "input-format", "", "")

	// Parse flags, then a file, then flags again, so that flags may follow
	// the file; after "--" everything is a file.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return o, errHelp
			}
			return o, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			files = append(files, rest...)
			break
		}
		files, args = append(files, rest[0]), rest[1:]
	}
	switch len(files) {
	case 0:
		o.demo = true
	case 1:
		o.file = files[0]
	default:
		return o, fmt.Errorf("one input file at most, got %d: %s", len(files), strings.Join(files, " "))
	}

	q := &o.q
	var err error
	if q.Start, err = flagTime("-start", start); err != nil {
		return o, err
	}
	if q.End, err = flagTime("-end", end); err != nil {
		return o, err
	}
	if q.Period, err = sessionagg.ParsePeriod(period); err != nil {
		return o, fmt.Errorf("-period: %v", trim(err))
	}
	if q.Location, err = sessionagg.ParseTimezone(zone); err != nil {
		return o, fmt.Errorf("-timezone: %v", trim(err))
	}
	for _, s := range list(groupBy) {
		f, err := sessionagg.ParseField(s)
		if err != nil {
			return o, fmt.Errorf("-group-by: %v", trim(err))
		}
		q.GroupBy = append(q.GroupBy, f)
	}
	for _, s := range list(stats) {
		st, err := sessionagg.ParseStatistic(s)
		if err != nil {
			return o, fmt.Errorf("-statistics: %v", trim(err))
		}
		q.Statistics = append(q.Statistics, st)
	}
	// Empty ids, as in "q-1,", are left for Query.Validate to report.
	q.QueueIDs, q.FleetIDs = list(queues), list(fleets)
	q.MaxBuckets, q.MaxRows = maxBuckets, maxRows

	if o.maxResults < 0 {
		return o, fmt.Errorf("-max-results %d: want 1 or more, or 0 for all rows", o.maxResults)
	}
	switch o.format {
	case "table", "json", "csv":
	default:
		return o, fmt.Errorf("-format %q: want table, json or csv", o.format)
	}
	switch o.inputFormat {
	case "", "csv", "jsonl":
	case "ndjson":
		o.inputFormat = "jsonl"
	default:
		return o, fmt.Errorf("-input-format %q: want csv or jsonl", o.inputFormat)
	}
	return o, nil
}

// list splits a comma list. An empty value is an empty list; an empty item
// in a list, as in "QUEUE_ID,", is kept, and the parser of the items
// rejects it.
func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// flagTime parses the value of -start or -end: empty for none.
func flagTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, why := parseTime([]byte(v))
	if why != "" {
		return t, fmt.Errorf("%s %q: %s", name, v, why)
	}
	return t, nil
}
