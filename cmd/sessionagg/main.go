// Command sessionagg aggregates session records into time-bucketed usage
// statistics, as AWS Deadline Cloud's session statistics do, on a file of
// sessions: per bucket (an hour, day, week or month of a zone's wall
// clock) and group of labels, the number of pieces of sessions and the
// min, max, average and sum of their runtime and cost.
//
// Usage:
//
//	sessionagg [flags] [FILE]
//
// FILE is CSV with a header row, or JSON Lines if its name ends in .jsonl
// or .ndjson; "-" reads standard input; with no FILE, sessionagg runs on a
// small embedded demo data set and says so on standard error. Run
// "sessionagg -h" for the flags.
//
// The input is streamed: each record is parsed and added to the
// aggregation at once, so memory grows with the rows of the result, not
// with the sessions. Nothing is written to standard output unless the run
// succeeds, but for a failure to write it. The exit status is 0 on success, 1 if the input cannot be read
// or has a bad record, and 2 for a bad flag, query or page token.
package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sessionagg/sessionagg"
)

//go:generate go run gen_demo.go

// demoCSV is the demo data set, made by gen_demo.go.
//
//go:embed demo/sessions.csv
var demoCSV []byte

// The limits of a run, which keep a bad record from taking seconds and
// gigabytes: a session of year 0026 that should have been 2026 would
// otherwise make 730,000 daily rows. 100,000 buckets are 11 years of hours
// or 273 of days; a million rows take some 300 MB. A window that holds more
// buckets is a bad query (exit 2); sessions that spread over more, or make
// more rows, are bad data (exit 1).
const (
	maxBuckets = 100_000
	maxRows    = 1_000_000
)

const usage = `Usage: sessionagg [flags] [FILE]

sessionagg aggregates sessions into time-bucketed usage statistics: per
bucket (an hour, day, week or month of a zone's wall clock) and group of
labels, the number of session pieces and the min, max, average and sum of
their runtime (seconds) and cost (USD). A session that spans buckets is
split at their boundaries, and its cost is shared in proportion to time.

FILE is CSV with a header row, or JSON Lines if its name ends in .jsonl or
.ndjson or with -input-format jsonl; - reads standard input; with no FILE,
sessionagg runs on a small embedded demo data set. The fields are startTime
and endTime (RFC 3339 with an offset, or integer Unix seconds; required),
costInUsd (a number; empty means 0) and the labels queueId, fleetId, jobId,
jobName, userId, usageType, licenseProduct and instanceType. Other fields
are ignored.

Flags:
  -start TIME, -end TIME
        the window [start, end), RFC 3339 or Unix seconds; only the part
        of a session inside it counts (default: unbounded, nothing clipped)
  -period PERIOD
        HOURLY, DAILY, WEEKLY or MONTHLY, or hour, day, week, month
        (default DAILY); weeks run Monday to Sunday
  -timezone ZONE
        the zone of the buckets and of the times written: UTC, UTC+8,
        UTC-3, UTC+05:30, UTC-09:30 ..., where UTC+8 is 8 hours ahead of
        UTC (default UTC); zone names such as Europe/Paris are not taken
  -group-by FIELDS
        comma list of QUEUE_ID, FLEET_ID, JOB_ID, USER_ID, USAGE_TYPE,
        INSTANCE_TYPE, LICENSE_PRODUCT (default: one group); with JOB_ID
        each row also has the job's name
  -statistics STATS
        comma list of SUM, MIN, MAX, AVG (default: all four); the count is
        always reported
  -queue-ids IDS, -fleet-ids IDS
        count only the sessions of these queues, or fleets: a comma list
        of 1 to 10 ids, and not both flags
  -max-results N
        write at most N rows (default 0: all); the token for the next page
        goes to standard error ("next token: ...") or, with -format json,
        into nextToken
  -next-token TOKEN
        write the page after the one that gave TOKEN; the data and the
        other flags must be the same
  -format FORMAT
        table (aligned, for people; runtimes as h:mm:ss, costs rounded to
        cents), json (the cloud API's response) or csv (default table)
  -input-format FORMAT
        csv or jsonl (default: jsonl for .jsonl and .ndjson files, else csv)

A run fails if its buckets would be more than 100000 (11 years of hours,
273 years of days) or its rows more than 1000000: shorten the window or
lengthen the period.

Exit status: 0 on success; 1 if the input cannot be read, has a bad record
(the message names the line, the field and the value) or has sessions that
break the limits above (the message names the line that did); 2 for a bad
flag, query (a window that holds more buckets than the limit is one) or next
token. Nothing is written to standard output unless the run succeeds.

Example:
  sessionagg -period day -timezone UTC+8 -group-by QUEUE_ID,USER_ID \
      -statistics SUM,AVG -start 2026-03-01T00:00:00+08:00 sessions.csv
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK    = 0
	exitInput = 1 // the input cannot be read or has a bad record
	exitUsage = 2 // a bad flag, query or token
)

// errHelp asks for the usage on standard output.
var errHelp = errors.New("help")

// options are the parsed command line.
type options struct {
	q           sessionagg.Query
	file        string
	demo        bool
	format      string
	inputFormat string
	maxResults  int
	token       string
}

// run is the command: it parses args, aggregates the input and writes the
// page of rows to stdout, or an error to stderr, and returns the exit
// status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if err == errHelp {
		io.WriteString(stdout, usage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: %v\nRun 'sessionagg -h' for help.\n", err)
		return exitUsage
	}
	agg, err := sessionagg.NewAggregator(opts.q)
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: %s%v\nRun 'sessionagg -h' for help.\n", flagOf(err), trim(err))
		return exitUsage
	}

	var in io.Reader
	format := inputFormat(opts.inputFormat, opts.file)
	switch {
	case opts.demo:
		fmt.Fprintf(stderr, "sessionagg: no input file: using the embedded demo data (pass a CSV or JSON Lines file, or - for standard input)\n")
		in, format = bytes.NewReader(demoCSV), "csv"
	case opts.file == "-":
		in = stdin
	default:
		f, err := os.Open(opts.file)
		if err != nil {
			fmt.Fprintf(stderr, "sessionagg: %v\n", err)
			return exitInput
		}
		defer f.Close()
		in = f
	}
	cv := newConverter(&opts.q)
	var src source
	if format == "jsonl" {
		src = newJSONLSource(in, cv)
	} else {
		src = newCSVSource(in, cv)
	}
	if err := aggregate(agg, src); err != nil {
		fmt.Fprintf(stderr, "sessionagg: %s%v\n", prefix(opts), err)
		return exitInput
	}

	res, err := agg.Result()
	if err != nil { // a limit, which aggregate would have reported
		fmt.Fprintf(stderr, "sessionagg: %v\n", trim(err))
		return exitInput
	}
	page, err := res.Page(opts.token, opts.maxResults)
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: -next-token: %v\n", trim(err))
		return exitUsage
	}
	// From here on only writing can fail.
	w := bufio.NewWriterSize(stdout, 64<<10)
	switch opts.format {
	case "json":
		err = writeJSON(w, page)
	case "csv":
		writeCSV(w, &opts.q, page.Rows)
	default:
		writeTable(w, &opts.q, page.Rows)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: writing the output: %v\n", err)
		return exitInput
	}
	if page.NextToken != "" && opts.format != "json" {
		fmt.Fprintf(stderr, "next token: %s\n", page.NextToken)
	}
	return exitOK
}

// prefix names the input in error messages about it: the file, unless it
// is standard input.
func prefix(o options) string {
	switch {
	case o.demo:
		return "demo data: "
	case o.file == "-":
		return ""
	}
	return o.file + ": "
}

// inputFormat returns the format of the input: the flag's, or jsonl for a
// file named *.jsonl or *.ndjson, or csv.
func inputFormat(flagValue, name string) string {
	if flagValue != "" {
		return flagValue
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".jsonl") || strings.HasSuffix(lower, ".ndjson") {
		return "jsonl"
	}
	return "csv"
}

// aggregate adds every session of src to agg. A bad record is an error
// that names its line, and the field and the value where there is one.
func aggregate(agg *sessionagg.Aggregator, src source) error {
	var s sessionagg.Session
	for {
		ok, err := src.next(&s)
		if err != nil || !ok {
			return err
		}
		if err := agg.Add(s); err != nil {
			return addError(src, err)
		}
	}
}

// addError rewrites an error of Aggregator.Add to name the record's line,
// and the field's value as the input wrote it.
func addError(src source, err error) error {
	var fe *sessionagg.FieldError
	if errors.As(err, &fe) {
		if col := rawFieldOf(fe.Field); col >= 0 {
			return &inputError{src.line(), fe.Field, string(src.raw(col)), fe.Err.Error()}
		}
	}
	msg := trim(err).Error()
	if errors.Is(err, sessionagg.ErrTooLarge) {
		msg += fmt.Sprintf(" (the limits are %d buckets and %d rows)", maxBuckets, maxRows)
	}
	return &syntaxError{src.line(), msg}
}

// trim removes the "sessionagg: " that starts the library's messages, which
// the command writes once itself.
func trim(err error) error {
	if s := err.Error(); strings.HasPrefix(s, "sessionagg: ") {
		return errors.New(s[len("sessionagg: "):])
	}
	return err
}

// flagOf returns "-flag: " for a query error about a field that a flag
// sets, or "".
func flagOf(err error) string {
	var fe *sessionagg.FieldError
	if !errors.As(err, &fe) {
		return ""
	}
	f := fe.Field
	if i := strings.IndexByte(f, '['); i >= 0 {
		f = f[:i]
	}
	switch f {
	case "startTime":
		return "-start: "
	case "endTime":
		return "-end: "
	case "period":
		return "-period: "
	case "groupBy":
		return "-group-by: "
	case "statistics":
		return "-statistics: "
	case "queueIds":
		return "-queue-ids: "
	case "fleetIds":
		return "-fleet-ids: "
	case "resourceIds":
		return "-queue-ids, -fleet-ids: "
	}
	return ""
}
