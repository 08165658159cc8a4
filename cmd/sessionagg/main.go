// Command sessionagg aggregates session records into time-bucketed usage
// statistics, as the cloud consoles do, on files of sessions.
//
// Usage:
//
//	sessionagg [flags] [FILE...]           the Deadline Cloud statistics
//	sessionagg devices [flags] [FILE...]   TRRO's statistics of device sessions
//	sessionagg desktops [flags] [FILE...]  Workspace's desktop usage
//
// The FILEs are read as one input, in order: CSV with a header row (each
// file its own), or JSON Lines if a name ends in .jsonl or .ndjson; "-"
// reads standard input, once; with no FILE, sessionagg runs on a small
// embedded demo data set and says so on standard error. Run "sessionagg
// -h", "sessionagg devices -h" or "sessionagg desktops -h" for the flags.
//
// The input is streamed: each record is parsed and added to the
// aggregation at once, and a record that the query does not count (outside
// the window, or of another queue or fleet) makes no string of its
// labels, so memory grows with the rows of the result, not with the
// sessions. Nothing is written to standard output unless the run succeeds,
// but for a failure to write it. The exit status is 0 on success, 1 if the
// input cannot be read or has a bad record, and 2 for a bad flag, query or
// page token.
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
	_ "time/tzdata" // zone names work on a machine without a zone database

	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

//go:generate go run gen_demo.go

// The demo data sets, made by gen_demo.go.
var (
	//go:embed demo/sessions.csv
	demoCSV []byte
	//go:embed demo/devices.csv
	demoDevices []byte
	//go:embed demo/desktops.csv
	demoDesktops []byte
)

// The limits of a run, which keep a bad record from taking seconds and
// gigabytes: a session of year 0026 that should have been 2026 would
// otherwise make 730,000 daily rows. 100,000 buckets are 11 years of hours
// or 273 of days. Rows are what takes memory: 990,000 rows (a session of
// its own user each) peaked at 0.8 to 1.0 GB written as CSV or a table and
// at 1.1 to 1.2 GB as JSON, which is built whole before it is written
// (/usr/bin/time -v on the built command; 1.7 to 2.0 GB when the JSON was
// made from a Row per row). A window that holds more
// buckets is a bad query (exit 2); sessions that spread over
// more, or make more rows, are bad data (exit 1).
const (
	maxBuckets = 100_000
	maxRows    = 1_000_000
)

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

// run is the command: it parses args, aggregates the input and writes the
// result to stdout, or an error to stderr, and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "devices":
			return runDevices(args[1:], stdin, stdout, stderr)
		case "desktops":
			return runDesktops(args[1:], stdin, stdout, stderr)
		}
	}
	return runSessions(args, stdin, stdout, stderr)
}

// usageError reports a bad flag or query, and returns exitUsage.
func usageError(stderr io.Writer, cmd string, err error) int {
	name := "sessionagg"
	if cmd != "" {
		name += " " + cmd
	}
	fmt.Fprintf(stderr, "sessionagg: %v\nRun '%s -h' for help.\n", trim(err), name)
	return exitUsage
}

// runSessions is the default report: Deadline Cloud's statistics.
func runSessions(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if err == errHelp {
		io.WriteString(stdout, usage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "", err)
	}
	agg, err := sessionagg.NewAggregator(opts.q)
	if err != nil {
		return usageError(stderr, "", fmt.Errorf("%s%v", flagOf(err), trim(err)))
	}
	if opts.follow {
		return runFollow(&opts, agg, stdin, stdout, stderr)
	}
	ropt := opts.in.readerOptions()
	ropt.Query = &opts.q
	err = opts.in.sessions(stdin, stderr, demoCSV, ropt, func(rd *sessionio.Reader, s sessionagg.Session) error {
		if err := agg.Add(s); err != nil {
			return addError(rd.Line(), err)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: %v\n", err)
		return exitInput
	}
	res, err := agg.Result()
	if err != nil { // a limit, which Add would have reported
		fmt.Fprintf(stderr, "sessionagg: %v\n", trim(err))
		return exitInput
	}
	// JSON is the page as the library appends it; the other formats read
	// the page's rows as columns. Neither makes a Row per row.
	var (
		page []byte // the JSON
		next string // the next token, for the other formats
		rows sessionagg.RowColumns
	)
	if opts.in.outFormat == "json" {
		page, err = res.AppendPageJSON(nil, opts.token, opts.maxResults)
	} else {
		next, err = res.PageColumns(&rows, opts.token, opts.maxResults)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: -next-token: %v\n", trim(err))
		return exitUsage
	}
	status := write(stdout, stderr, func(w *bufio.Writer) error {
		switch opts.in.outFormat {
		case "json":
			indentJSON(w, page)
			return w.WriteByte('\n')
		case "csv":
			writeCSV(w, &opts.q, &rows)
		default:
			writeTable(w, &opts.q, &rows)
		}
		return nil
	})
	if status == exitOK && next != "" {
		fmt.Fprintf(stderr, "next token: %s\n", next)
	}
	return status
}

// write writes the output through a buffer, and reports a failure to
// write it.
func write(stdout, stderr io.Writer, f func(w *bufio.Writer) error) int {
	w := bufio.NewWriterSize(stdout, 64<<10)
	err := f(w)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: writing the output: %v\n", err)
		return exitInput
	}
	return exitOK
}

// addError names the line of a session that Aggregator.Add rejects: one
// that exceeds the limits, as the reader has checked the rest.
func addError(line int, err error) error {
	msg := trim(err).Error()
	if errors.Is(err, sessionagg.ErrTooLarge) {
		msg += fmt.Sprintf(" (the limits are %d buckets and %d rows)", maxBuckets, maxRows)
	}
	return fmt.Errorf("line %d: %s", line, msg)
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
	f, _, _ := strings.Cut(fe.Field, "[")
	if name, ok := queryFlags[f]; ok {
		return name + ": "
	}
	return ""
}

// queryFlags are the flags that set the fields of the queries, by the
// fields' names in the library's errors.
var queryFlags = map[string]string{
	"startTime": "-start", "endTime": "-end", "period": "-period", "groupBy": "-group-by",
	"statistics": "-statistics", "queueIds": "-queue-ids", "fleetIds": "-fleet-ids",
	"resourceIds": "-queue-ids, -fleet-ids",
	"start_time":  "-start", "end_time": "-end",
	"max_idle_days": "-max-idle-days", "usage_max_hours": "-usage-max-hours", "sort_field": "-sort-field",
}

// demoNote says on standard error that the run reads the demo data.
func demoNote(stderr io.Writer) {
	fmt.Fprintf(stderr, "sessionagg: no input file: using the embedded demo data (pass CSV or JSON Lines files, or - for standard input)\n")
}

var _ = bytes.NewReader
