package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/sessionagg/sessionagg"
)

const usage = `Usage: sessionagg [flags] [FILE...]
       sessionagg devices [flags] [FILE...]   (see sessionagg devices -h)
       sessionagg desktops [flags] [FILE...]  (see sessionagg desktops -h)

sessionagg aggregates sessions into time-bucketed usage statistics, as AWS
Deadline Cloud reports them: per bucket (an hour, day, week or month of a
zone's wall clock) and group of labels, the number of session pieces and
the min, max, average and sum of their runtime (seconds) and cost (USD). A
session that spans buckets is split at their boundaries, and its cost is
shared in proportion to time.

The FILEs are read as one input, in order: CSV with a header row (each file
its own), or JSON Lines if a name ends in .jsonl or .ndjson or with
-input-format jsonl; - reads standard input, once; with no FILE, sessionagg
runs on a small embedded demo data set. The fields, named in any letter
case, are startTime and endTime (RFC 3339 with an offset, integer Unix
seconds or, with -input-timezone, a local time such as 2026-03-25 11:12:12;
required), costInUsd (a decimal number; empty means 0) and the labels
queueId, fleetId, jobId, jobName, userId, usageType, licenseProduct and
instanceType. Other fields are ignored.

Flags:
  -start TIME, -end TIME
        the window [start, end): RFC 3339, Unix seconds, or a local date
        (its first instant) or date-time on -timezone's clock; only the
        part of a session inside it counts (default: unbounded)
  -period PERIOD
        HOURLY, DAILY, WEEKLY or MONTHLY, or hour, day, week, month
        (default DAILY); weeks run Monday to Sunday
  -timezone ZONE
        the zone of the buckets and of the times written: UTC, UTC+8,
        UTC-3, UTC+05:30 ... (UTC+8 is 8 hours ahead of UTC), or an IANA
        name such as Europe/Berlin, with its daylight saving time
        (default UTC)
  -input-timezone ZONE
        the zone of input times written without an offset (default none:
        such times are errors); a local time that the zone's clock skips
        or shows twice is an error
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
  -fill-empty
        also write a row, with a count of 0, for each bucket of the window
        in which a group has no session (on an open side of the window,
        from the first or to the last bucket with a session)
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
  -follow
        stream: read the input as it arrives (tail -f sessions.jsonl |
        sessionagg -follow ...) and write the rows of each bucket as soon
        as it is closed: when the largest endTime seen so far, less
        -max-session, is at or past the bucket's end; the remaining rows
        at the end of the input. With -format jsonl (one row a line, the
        rows of -format json) or csv (one header); not table, and
        -fill-empty only without -group-by
  -max-session DURATION
        the longest a session may last, such as 24h (required with -follow)
  -late FILE
        with -follow, append late records (those with a piece in a closed
        bucket) to FILE as they were read, count them on standard error,
        and go on; without it, a late record stops the run with exit 1

A run fails if its buckets would be more than 100000 (11 years of hours,
273 years of days) or its rows more than 1000000: shorten the window or
lengthen the period.

Exit status: 0 on success; 1 if the input cannot be read, has a bad record
(the message names the file, the line, the field and the value) or has
sessions that break the limits above (the message names the line that
did); 2 for a bad flag, query (a window that holds more buckets than the
limit is one) or next token. Nothing is written to standard output unless
the run succeeds.

Example:
  sessionagg -period day -timezone Europe/Berlin -group-by QUEUE_ID,USER_ID \
      -statistics SUM,AVG -start 2026-03-01 sessions.csv
`

// options are the parsed command line of the default report.
type options struct {
	in         input
	q          sessionagg.Query
	maxResults int
	token      string

	follow     bool          // -follow: stream the rows as buckets close
	maxSession time.Duration // -max-session
	late       string        // -late FILE
}

// parseArgs parses the command line into options. The values of the
// query's flags are parsed with the library's parsers (ParsePeriod,
// ParseField, ParseStatistic); the query as a whole is checked by
// NewAggregator, so the command reports what the library would. Flags may
// come before and after the files. It returns errHelp for -h.
func parseArgs(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("sessionagg", flag.ContinueOnError)
	var shared inputFlags
	shared.define(fs)
	var period, groupBy, stats, queues, fleets string
	fs.StringVar(&period, "period", "DAILY", "")
	fs.StringVar(&groupBy, "group-by", "", "")
	fs.StringVar(&stats, "statistics", "", "")
	fs.StringVar(&queues, "queue-ids", "", "")
	fs.StringVar(&fleets, "fleet-ids", "", "")
	fs.BoolVar(&o.q.FillEmpty, "fill-empty", false, "")
	fs.IntVar(&o.maxResults, "max-results", 0, "")
	fs.StringVar(&o.token, "next-token", "", "")
	fs.BoolVar(&o.follow, "follow", false, "")
	fs.DurationVar(&o.maxSession, "max-session", 0, "")
	fs.StringVar(&o.late, "late", "", "")
	files, err := parseFlags(fs, args)
	if err != nil {
		return o, err
	}
	jsonl := shared.format == "jsonl"
	if jsonl {
		shared.format = "json"
	}
	if o.in, err = shared.parse(files); err != nil {
		return o, err
	}
	if jsonl {
		o.in.outFormat = "jsonl"
	}
	switch {
	case o.follow && o.maxSession <= 0:
		return o, fmt.Errorf("-follow needs -max-session DURATION, the longest a session may last, such as 24h")
	case o.follow && o.in.outFormat == "table":
		return o, fmt.Errorf("-format table cannot be used with -follow: use -format jsonl or csv")
	case o.follow && o.q.FillEmpty && groupBy != "":
		// A group first seen after a close would have had empty rows in
		// the buckets already written: the stream could not equal the
		// batch run.
		return o, fmt.Errorf("-fill-empty with -group-by cannot be used with -follow: a group first seen after a bucket closed would lack its empty rows there")
	case o.follow && (o.maxResults != 0 || o.token != ""):
		return o, fmt.Errorf("-max-results and -next-token cannot be used with -follow")
	case !o.follow && (o.maxSession != 0 || o.late != ""):
		return o, fmt.Errorf("-max-session and -late need -follow")
	case !o.follow && jsonl:
		return o, fmt.Errorf("-format jsonl needs -follow; use -format json")
	}
	q := &o.q
	q.Start, q.End, q.Location = o.in.start, o.in.end, o.in.loc
	if q.Period, err = sessionagg.ParsePeriod(period); err != nil {
		return o, fmt.Errorf("-period: %v", trim(err))
	}
	for _, s := range list(groupBy) {
		var f sessionagg.Field
		if err := f.UnmarshalText([]byte(s)); err != nil {
			return o, fmt.Errorf("-group-by: %v", trim(err))
		}
		q.GroupBy = append(q.GroupBy, f)
	}
	for _, s := range list(stats) {
		var st sessionagg.Statistic
		if err := st.UnmarshalText([]byte(s)); err != nil {
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
