// Command sessionagg-beam aggregates session records into time-bucketed
// usage statistics, as the command sessionagg does, with an Apache Beam
// pipeline: on Prism, in this process, by default, and on Dataflow, Flink
// or Spark by flags.
//
// Usage:
//
//	sessionagg-beam -input GLOB -output PATH [query flags] [Beam flags]
//
// It reads the CSV (with a header row each) or JSON Lines files that GLOB
// matches, aggregates them by the query flags, which mean what the
// command sessionagg's mean, and writes the rows as JSON Lines in the
// cloud API's row shape: to PATH, in the command's order, or with -shards
// N to N files PATH-00000-of-0000N, with the rows spread over the
// workers so that none holds them all. A bad record fails the run with
// an error that names the file, the line, the field and the value.
//
// Exit status: 0 on success, 1 if the pipeline fails, 2 for a bad flag or
// query.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	"github.com/sessionagg/sessionagg"
	sessionbeam "github.com/sessionagg/sessionagg/beam"
)

// The limits of the command sessionagg, which keep a bad record (a year
// 0026 for 2026) from making millions of rows. With -shards they bound a
// session's buckets and one shard's rows.
const (
	maxBuckets = 100_000
	maxRows    = 1_000_000
)

var (
	input       = flag.String("input", "", "the files to read, a glob (local, or gs:// with Dataflow)")
	output      = flag.String("output", "", "the file to write, or with -shards N the prefix of N files")
	inputFormat = flag.String("input-format", "", "csv or jsonl (default: jsonl for .jsonl and .ndjson files, else csv)")
	inputZone   = flag.String("input-timezone", "", "the zone of input times written without an offset, as -timezone (default: none, such times are errors)")
	start       = flag.String("start", "", "the window's start: RFC 3339, Unix seconds, or a local date or date-time on -timezone's clock (default: open)")
	end         = flag.String("end", "", "the window's end, as -start (default: open)")
	zone        = flag.String("timezone", "UTC", "the zone of the buckets: UTC, UTC+8, UTC-09:30 ... (UTC+8 is 8 hours ahead of UTC) or an IANA name such as Europe/Berlin")

	// The flags of one report, defined by sessionsFlags, devicesFlags or
	// desktopsFlags.
	shards                                  *int
	period, groupBy, statistics             *string
	queueIDs, fleetIDs                      *string
	deviceID                                *string
	fillEmpty                               *bool
	resourceName, minIdle, maxIdle          *string
	minHours, maxHours, sortField, sortType *string
)

func sessionsFlags() {
	shards = flag.Int("shards", 0, "0: aggregate in one place, write one file in order; N: spread the rows over N shards of the groups per bucket and write N files")
	period = flag.String("period", "DAILY", "HOURLY, DAILY, WEEKLY or MONTHLY, or hour, day, week, month")
	groupBy = flag.String("group-by", "", "comma list of QUEUE_ID, FLEET_ID, JOB_ID, USER_ID, USAGE_TYPE, INSTANCE_TYPE, LICENSE_PRODUCT")
	statistics = flag.String("statistics", "", "comma list of SUM, MIN, MAX, AVG (default: all four)")
	queueIDs = flag.String("queue-ids", "", "count only these queues: a comma list of 1 to 10 ids")
	fleetIDs = flag.String("fleet-ids", "", "count only these fleets: a comma list of 1 to 10 ids")
}

func devicesFlags() {
	period = flag.String("period", "day", "hour, day or month (TRRO's intervals), or week")
	deviceID = flag.String("device-id", "", "count only the sessions whose field or remote device is ID")
	fillEmpty = flag.Bool("fill-empty", false, "also write each bucket of the window that has no session")
}

func desktopsFlags() {
	resourceName = flag.String("resource-name", "", "only the desktops whose name contains TEXT, ignoring letter case")
	minIdle = flag.String("min-idle-days", "", "only the desktops with N or more idle days")
	maxIdle = flag.String("max-idle-days", "", "only the desktops with N or fewer idle days")
	minHours = flag.String("usage-min-hours", "", "only the desktops with N or more hours of usage")
	maxHours = flag.String("usage-max-hours", "", "only the desktops with N or fewer hours of usage")
	sortField = flag.String("sort-field", "", "usage or idle (default: by resource id)")
	sortType = flag.String("sort-type", "", "ASC or DESC (default ASC; needs -sort-field)")
}

func main() { os.Exit(run(os.Args[1:])) }

// run is the command with its arguments; it returns the exit status.
// It parses the process's flag set, which Beam's flags (--runner ...)
// are defined on, so it runs once a process.
func run(args []string) int {
	mode := "sessions"
	if len(args) > 0 && (args[0] == "devices" || args[0] == "desktops") {
		mode, args = args[0], args[1:]
	}
	switch mode {
	case "devices":
		devicesFlags()
	case "desktops":
		desktopsFlags()
	default:
		sessionsFlags()
	}
	flag.CommandLine.Init("sessionagg-beam", flag.ContinueOnError)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: sessionagg-beam [devices|desktops] -input GLOB -output PATH [flags]\n\nThe flags of the query mean what sessionagg's (sessionagg devices', sessionagg desktops') mean; --runner picks Beam's runner (default prism).\n\n")
		flag.PrintDefaults()
	}
	if err := flag.CommandLine.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	beam.Init() // on a worker, this runs the worker and does not return

	var p *beam.Pipeline
	err := checkFlags()
	if err == nil {
		switch mode {
		case "devices":
			p, err = devicesPipeline()
		case "desktops":
			p, err = desktopsPipeline()
		default:
			var q sessionagg.Query
			if q, err = query(); err == nil {
				p, err = pipeline(q)
			}
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sessionagg-beam: %v\nRun 'sessionagg-beam -h' for help.\n", trim(err))
		return 2
	}
	if err := beamx.Run(context.Background(), p); err != nil {
		fmt.Fprintf(os.Stderr, "sessionagg-beam: %v\n", err)
		return 1
	}
	return 0
}

// checkFlags checks the flags that every report has.
func checkFlags() error {
	switch {
	case *input == "" || *output == "":
		return errors.New("-input and -output are required")
	case shards != nil && *shards < 0:
		return fmt.Errorf("-shards %d: want 0 for one file, or more", *shards)
	case flag.NArg() > 0:
		return fmt.Errorf("unexpected argument %q: the input is -input GLOB", flag.Arg(0))
	case *inputZone != "":
		if _, err := sessionbeam.LoadZone(*inputZone); err != nil {
			return fmt.Errorf("-input-timezone: %w", err)
		}
	}
	return nil
}

// pipeline reads -input, aggregates and writes -output.
func pipeline(q sessionagg.Query) (*beam.Pipeline, error) {
	p, s := beam.NewPipelineWithRoot()
	sessions, err := sessionbeam.ReadSessions(s, *input, *inputFormat, *inputZone)
	if err != nil {
		return nil, fmt.Errorf("-input-format: %w", err)
	}
	var rows beam.PCollection
	if *shards == 0 {
		rows, err = sessionbeam.Aggregate(s, q, sessions)
	} else {
		rows, err = sessionbeam.AggregateSharded(s, q, *shards, sessions)
	}
	if err != nil {
		return nil, err
	}
	return p, sessionbeam.WriteJSONLines(s, *output, *shards, rows)
}

// query makes the query of the flags, with the library's parsers, and
// checks it with the library.
func query() (sessionagg.Query, error) {
	var q sessionagg.Query
	var err error
	if q.Period, err = sessionagg.ParsePeriod(*period); err != nil {
		return q, fmt.Errorf("-period: %w", err)
	}
	if q.Location, q.Start, q.End, err = window(); err != nil {
		return q, err
	}
	for _, s := range list(*groupBy) {
		f, err := sessionagg.ParseField(s)
		if err != nil {
			return q, fmt.Errorf("-group-by: %w", err)
		}
		q.GroupBy = append(q.GroupBy, f)
	}
	for _, s := range list(*statistics) {
		st, err := sessionagg.ParseStatistic(s)
		if err != nil {
			return q, fmt.Errorf("-statistics: %w", err)
		}
		q.Statistics = append(q.Statistics, st)
	}
	q.QueueIDs, q.FleetIDs = list(*queueIDs), list(*fleetIDs)
	q.MaxBuckets, q.MaxRows = maxBuckets, maxRows
	return q, nil
}

// list splits a comma list; an empty item is kept for the parsers to
// reject.
func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// flagTime parses -start or -end: RFC 3339, Unix seconds, a local date
// (its first instant in loc, which always exists) or a local date-time in
// loc, which must be on loc's clock exactly once.
func flagTime(name, v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(sec, 0).In(loc), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseInLocation("2006-01-02", v, time.UTC); err == nil {
		noon := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc)
		return sessionagg.Calendar{Period: sessionagg.Daily, Location: loc}.Bucket(noon).Start, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		wall, err := time.ParseInLocation(layout, v, time.UTC)
		if err != nil {
			continue
		}
		switch ts := readings(wall, loc); len(ts) {
		case 1:
			return ts[0], nil
		case 0:
			return time.Time{}, fmt.Errorf("%s %q: %s's clock skips this time", name, v, loc)
		default:
			return time.Time{}, fmt.Errorf("%s %q: %s's clock shows this time twice; give an offset", name, v, loc)
		}
	}
	return time.Time{}, fmt.Errorf("%s %q: want RFC 3339, Unix seconds, or a local date or date-time such as 2026-03-01 or 2026-03-01T08:00:00", name, v)
}

// readings returns the instants at which loc's clock shows wall (a time
// whose fields are read in UTC).
func readings(wall time.Time, loc *time.Location) []time.Time {
	var ts []time.Time
	seen := map[int]bool{}
	for _, probe := range []time.Duration{-26 * time.Hour, 0, 26 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if y, mo, d := t.Date(); y == wall.Year() && mo == wall.Month() && d == wall.Day() &&
			t.Hour() == wall.Hour() && t.Minute() == wall.Minute() && t.Second() == wall.Second() {
			ts = append(ts, t)
		}
	}
	return ts
}

// trim removes the "sessionagg: " that starts the library's messages.
func trim(err error) error {
	s := err.Error()
	for _, p := range []string{"sessionagg: ", "sessionbeam: "} {
		s = strings.Replace(s, p, "", 1)
	}
	return errors.New(s)
}
