package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

const devicesUsage = `Usage: sessionagg devices [flags] [FILE...]

sessionagg devices computes Tencent Cloud TRRO's session statistics by
interval: per hour, day or month, the number of session pieces, their total
duration in minutes, the distinct field and remote devices active, and the
percentage of pieces whose session was not rated bad. A session that spans
buckets is split at their boundaries.

The FILEs are read as for sessionagg (see sessionagg -h): CSV or JSON
Lines, each file with its own header, - for standard input once, the demo
data with no FILE. The fields, named in any letter case, are startTime and
endTime (required), fieldDevice and remoteDevice (an empty one is no
device) and quality (good, normal or bad, in any letter case; required).

Flags:
  -start TIME, -end TIME, -timezone ZONE, -input-timezone ZONE,
  -format FORMAT, -input-format FORMAT
        as for sessionagg; -format json writes TRRO's response,
        {"SessionStatistics": [...]}, with times as Unix seconds
  -period PERIOD
        hour, day or month (TRRO's intervals), or week (default day)
  -device-id ID
        count only the sessions whose field or remote device is ID
  -fill-empty
        also write each bucket of the window that has no session

Exit status: 0 on success, 1 for bad input, 2 for a bad flag.

Example:
  sessionagg devices -period hour -timezone Asia/Shanghai devices.csv
`

// runDevices is the TRRO report.
func runDevices(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sessionagg devices", flag.ContinueOnError)
	var shared inputFlags
	shared.define(fs)
	var q sessionagg.DeviceQuery
	period := fs.String("period", "day", "")
	fs.StringVar(&q.DeviceID, "device-id", "", "")
	fs.BoolVar(&q.FillEmpty, "fill-empty", false, "")
	files, err := parseFlags(fs, args)
	if err == errHelp {
		io.WriteString(stdout, devicesUsage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "devices", err)
	}
	in, err := shared.parse(files)
	if err != nil {
		return usageError(stderr, "devices", err)
	}
	if q.Period, err = sessionagg.ParsePeriod(*period); err != nil {
		return usageError(stderr, "devices", fmt.Errorf("-period: %v", trim(err)))
	}
	q.Start, q.End, q.Location = in.start, in.end, in.loc
	if err := (&sessionagg.Query{Start: q.Start, End: q.End, Period: q.Period, MaxBuckets: maxBuckets}).Validate(); err != nil {
		return usageError(stderr, "devices", fmt.Errorf("%s%v", flagOf(err), trim(err)))
	}
	var readErr error
	stats, err := sessionagg.AggregateDevices(q, sessionsOf(&in, stdin, stderr, demoDevices, &readErr, (*sessionio.Reader).ReadDeviceSession))
	if failed(stderr, readErr, err) {
		return exitInput
	}
	return write(stdout, stderr, func(w *bufio.Writer) error {
		switch in.outFormat {
		case "json":
			return writeJSONArray(w, "SessionStatistics", stats)
		case "csv":
			return writeDevicesCSV(w, stats)
		default:
			writeDevicesTable(w, stats)
		}
		return nil
	})
}

// sessionsOf returns the sessions of the input files, read by read, as
// one sequence. A bad record or file ends it, and its error goes to *err.
func sessionsOf[S any](in *input, stdin io.Reader, stderr io.Writer, demo []byte, err *error, read func(*sessionio.Reader, *S) error) iter.Seq[S] {
	return func(yield func(S) bool) {
		stop := fmt.Errorf("stop")
		e := in.each(stdin, stderr, demo, func(name string, r io.Reader) error {
			opt := in.readerOptions()
			opt.Format = in.format(name)
			rd := sessionio.NewReader(r, opt)
			for {
				var s S
				err := read(rd, &s)
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				if !yield(s) {
					return stop
				}
			}
		})
		if e != nil && e != stop {
			*err = e
		}
	}
}

// failed reports the error of reading the input, or else that of the
// library's report, if there is one.
func failed(stderr io.Writer, readErr, err error) bool {
	if readErr != nil {
		fmt.Fprintf(stderr, "sessionagg: %v\n", readErr)
		return true
	}
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: %v\n", trim(err))
		return true
	}
	return false
}

// deviceColumns are the columns of the CSV output, TRRO's names.
var deviceColumns = []string{"StartTime", "EndTime", "SessionNum", "TotalDuration", "ActiveFieldDeviceNum", "ActiveRemoteDeviceNum", "NotBadSessionRatio"}

// writeDevicesCSV writes a record per bucket with the numbers of the JSON
// output, in TRRO's names and units (times as Unix seconds); a bucket with
// no sessions has no ratio.
func writeDevicesCSV(w *bufio.Writer, stats []sessionagg.DeviceStats) error {
	w.WriteString(strings.Join(deviceColumns, ","))
	w.WriteByte('\n')
	for _, d := range stats {
		values, err := jsonFields(d)
		if err != nil {
			return err
		}
		for i, c := range deviceColumns {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(values[c].String())
		}
		w.WriteByte('\n')
	}
	return nil
}

// jsonFields returns the numbers of v's JSON object by name, as written.
func jsonFields(v json.Marshaler) (map[string]json.Number, error) {
	b, err := v.MarshalJSON()
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]json.Number
	err = dec.Decode(&m)
	return m, err
}

// writeDevicesTable writes a line per bucket for people: times in the
// zone, minutes and the percentage to two decimals.
func writeDevicesTable(w *bufio.Writer, stats []sessionagg.DeviceStats) {
	header := []string{"START", "END", "SESSIONS", "MINUTES", "FIELD_DEVICES", "REMOTE_DEVICES", "NOT_BAD_%"}
	writeAligned(w, header, 2, len(stats), func(i int, rec []string) []string {
		d := &stats[i]
		return append(rec, d.Start.Format(time.RFC3339Nano), d.End.Format(time.RFC3339Nano),
			strconv.FormatInt(d.Sessions, 10), strconv.FormatFloat(d.TotalMinutes, 'f', 2, 64),
			strconv.Itoa(d.ActiveFieldDevices), strconv.Itoa(d.ActiveRemoteDevices),
			maybe(d.Sessions > 0, strconv.FormatFloat(d.NotBadPercent, 'f', 2, 64)))
	})
}
