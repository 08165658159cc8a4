package sessionbeam

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/sessionagg/sessionagg"
)

// ReadSessions returns the sessions of the files that glob matches, a
// PCollection of sessionagg.Session. Each file is CSV with its own header
// row, or JSON Lines: format is "csv" or "jsonl", or "" to take JSON
// Lines for names ending in .jsonl or .ndjson and CSV for the others. The
// fields are those of the command sessionagg: startTime, endTime,
// costInUsd and the labels, matched case-insensitively.
//
// Files are spread over the workers; each is read whole, as a stream, by
// one worker: the header of a CSV
// file is needed for all its lines, and the line numbers of errors must be
// right. So give a big input as many files (Beam's textio would split a
// file into ranges of lines, and lose both). A glob that matches nothing,
// and a bad record, fail the pipeline; the error names the file, the line,
// the field and the value.
func ReadSessions(s beam.Scope, glob, format string) beam.PCollection {
	s = s.Scope("sessionbeam.ReadSessions")
	files := fileio.MatchFiles(s, glob, fileio.MatchEmptyDisallow())
	readable := fileio.ReadMatches(s, files, fileio.ReadUncompressed())
	// The files come from one element, the glob: without a reshuffle a
	// runner that fuses steps (Dataflow, Flink) would read them all on
	// the worker that matched them.
	readable = beam.Reshuffle(s, readable)
	return beam.ParDo(s, &readFn{Format: format}, readable)
}

// readFn reads the sessions of one file.
type readFn struct {
	Format string
}

func (f *readFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(sessionagg.Session)) error {
	rc, err := file.Open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	for s, err := range parseSessions(rc, fileFormat(f.Format, file.Metadata.Path)) {
		if err != nil {
			return fmt.Errorf("%s: %w", file.Metadata.Path, err)
		}
		emit(s)
	}
	return nil
}

// fileFormat returns the format of the file name: the flag's, or jsonl
// for *.jsonl and *.ndjson, or csv.
func fileFormat(format, name string) string {
	if format != "" {
		return format
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".jsonl") || strings.HasSuffix(lower, ".ndjson") {
		return "jsonl"
	}
	return "csv"
}

// parseSessions is the one place that turns a file into sessions: a bad
// record is an error naming its line, field and value, and ends the
// sequence. Every session it yields is valid (Session.Validate).
//
// It stands in for the project's reader package, with the same fields and
// time formats (RFC 3339 with an offset, or integer Unix seconds); local
// times without an offset are refused.
func parseSessions(r io.Reader, format string) iter.Seq2[sessionagg.Session, error] {
	return func(yield func(sessionagg.Session, error) bool) {
		records := csvRecords
		if format == "jsonl" {
			records = jsonRecords
		}
		for rec, err := range records(r) {
			if err != nil {
				yield(sessionagg.Session{}, err)
				return
			}
			s, err := rec.session()
			if err != nil {
				yield(s, err)
				return
			}
			if !yield(s, nil) {
				return
			}
		}
	}
}

// The input's fields, in the cloud API's spelling.
var fieldNames = [...]string{"startTime", "endTime", "costInUsd", "queueId", "fleetId", "jobId", "jobName", "userId", "usageType", "licenseProduct", "instanceType"}

// fieldOf returns the field that a header name or JSON key names, or -1.
func fieldOf(name string) int {
	name = strings.TrimSpace(name)
	for i, n := range fieldNames {
		if strings.EqualFold(name, n) {
			return i
		}
	}
	return -1
}

// A record is the values of one record's fields and the line it starts on.
type record struct {
	line   int
	values [len(fieldNames)]string
}

func (rec *record) errorf(field int, format string, args ...any) error {
	return fmt.Errorf("line %d: %s %q: %s", rec.line, fieldNames[field], rec.values[field], fmt.Sprintf(format, args...))
}

func (rec *record) session() (sessionagg.Session, error) {
	var s sessionagg.Session
	var err error
	if s.Start, err = parseTime(rec.values[0]); err != nil {
		return s, rec.errorf(0, "%v", err)
	}
	if s.End, err = parseTime(rec.values[1]); err != nil {
		return s, rec.errorf(1, "%v", err)
	}
	if v := rec.values[2]; v != "" {
		if s.CostInUSD, err = strconv.ParseFloat(v, 64); err != nil {
			return s, rec.errorf(2, "want a number")
		}
	}
	for i, l := range []*string{&s.QueueID, &s.FleetID, &s.JobID, &s.JobName, &s.UserID, &s.UsageType, &s.LicenseProduct, &s.InstanceType} {
		*l = rec.values[3+i]
	}
	if err := s.Validate(); err != nil {
		var fe *sessionagg.FieldError
		if errors.As(err, &fe) {
			if f := fieldOf(fe.Field); f >= 0 {
				return s, rec.errorf(f, "%v", fe.Err)
			}
		}
		return s, fmt.Errorf("line %d: %v", rec.line, err)
	}
	return s, nil
}

// parseTime reads RFC 3339 with an offset, or integer Unix seconds.
func parseTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, errors.New("required: want RFC 3339 or Unix seconds")
	}
	if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(sec, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return t, errors.New("want RFC 3339 with an offset, such as 2026-03-01T08:00:00+08:00, or Unix seconds")
	}
	return t, nil
}

// csvRecords reads CSV with a header row.
func csvRecords(r io.Reader) iter.Seq2[*record, error] {
	return func(yield func(*record, error) bool) {
		cr := csv.NewReader(r)
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			yield(nil, err)
			return
		}
		cols := make([]int, len(header))
		seen := make([]bool, len(fieldNames))
		for i, h := range header {
			cols[i] = fieldOf(h)
			if c := cols[i]; c >= 0 {
				if seen[c] {
					yield(nil, fmt.Errorf("line 1: header %q: a second column for %s", h, fieldNames[c]))
					return
				}
				seen[c] = true
			}
		}
		for _, c := range []int{0, 1} {
			if !seen[c] {
				yield(nil, fmt.Errorf("line 1: header: no column %s", fieldNames[c]))
				return
			}
		}
		var rec record
		for {
			row, err := cr.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			rec.line, _ = cr.FieldPos(0)
			rec.values = [len(fieldNames)]string{}
			for i, v := range row {
				if c := cols[i]; c >= 0 {
					rec.values[c] = v
				}
			}
			if !yield(&rec, nil) {
				return
			}
		}
	}
}

// jsonRecords reads JSON Lines, one object a line; blank lines are
// skipped.
func jsonRecords(r io.Reader) iter.Seq2[*record, error] {
	return func(yield func(*record, error) bool) {
		br := bufio.NewReaderSize(r, 1<<16)
		var rec record
		for line := 1; ; line++ {
			b, err := br.ReadBytes('\n')
			if len(strings.TrimSpace(string(b))) > 0 {
				rec = record{line: line}
				if perr := rec.decodeJSON(b); perr != nil {
					yield(nil, perr)
					return
				}
				if !yield(&rec, nil) {
					return
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
		}
	}
}

func (rec *record) decodeJSON(b []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("line %d: want a JSON object: %v", rec.line, err)
	}
	seen := make([]bool, len(fieldNames))
	for k, raw := range obj {
		f := fieldOf(k)
		if f < 0 {
			continue
		}
		if seen[f] {
			return fmt.Errorf("line %d: key %q: a second key for %s", rec.line, k, fieldNames[f])
		}
		seen[f] = true
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("line %d: %s: %v", rec.line, fieldNames[f], err)
		}
		switch v := v.(type) {
		case nil:
		case string:
			rec.values[f] = v
		case float64:
			rec.values[f] = string(raw)
		default:
			return fmt.Errorf("line %d: %s %s: want a string or a number", rec.line, fieldNames[f], raw)
		}
	}
	return nil
}
