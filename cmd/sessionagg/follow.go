package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

// runFollow is the -follow mode: it adds each record as it is read, moves
// the watermark (the largest endTime seen less -max-session) after each,
// and writes and flushes the rows of the buckets that the watermark
// closes; at the end of the input, the remaining rows.
func runFollow(opts *options, agg *sessionagg.Aggregator, stdin io.Reader, stdout, stderr io.Writer) int {
	var late *os.File
	if opts.late != "" {
		f, err := os.OpenFile(opts.late, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return usageError(stderr, "", fmt.Errorf("-late: %v", err))
		}
		defer f.Close()
		late = f
	}
	w := bufio.NewWriterSize(stdout, 64<<10)
	q := &opts.q
	if opts.in.outFormat == "csv" {
		writeCSVHeader(w, q)
		w.Flush()
	}
	var (
		cols sessionagg.RowColumns
		buf  []byte
	)
	emit := func(r *sessionagg.Result) error {
		if r.Len() == 0 {
			return nil
		}
		if opts.in.outFormat == "csv" {
			cols.Reset()
			r.AppendColumns(&cols, 0, r.Len())
			writeCSVRows(w, q, &cols)
		} else {
			buf = writeJSONLines(w, r, buf)
		}
		return w.Flush()
	}
	var (
		maxEnd  sessionagg.Session // End: the largest endTime seen
		nLate   int
		lateErr error
	)
	ropt := opts.in.readerOptions()
	ropt.Query = q
	ropt.KeepRecords = late != nil
	err := opts.in.sessions(stdin, stderr, demoCSV, ropt, func(rd *sessionio.Reader, s sessionagg.Session) error {
		if err := agg.Add(s); errors.Is(err, sessionagg.ErrLate) && late != nil {
			rec := rd.Record()
			if !bytes.HasSuffix(rec, []byte("\n")) {
				rec = append(rec, '\n')
			}
			if _, err := late.Write(rec); err != nil {
				lateErr = fmt.Errorf("-late: %v", err)
				return lateErr
			}
			nLate++
		} else if err != nil {
			return addError(rd.Line(), err)
		}
		if s.End.After(maxEnd.End) {
			maxEnd.End = s.End
			res, err := agg.Close(s.End.Add(-opts.maxSession))
			if err != nil {
				return addError(rd.Line(), err)
			}
			return emit(res)
		}
		return nil
	})
	if late != nil {
		fmt.Fprintf(stderr, "sessionagg: %d late records appended to %s\n", nLate, opts.late)
	}
	if err == nil {
		var res *sessionagg.Result
		if res, err = agg.Result(); err == nil {
			err = emit(res)
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "sessionagg: %v\n", trim(err))
		return exitInput
	}
	return exitOK
}

// writeJSONLines writes r's rows one a line, each as -format json writes
// it in its statistics array, appending them a few thousand at a time.
func writeJSONLines(w *bufio.Writer, r *sessionagg.Result, buf []byte) []byte {
	const chunk = 4096
	for i := 0; i < r.Len(); i += chunk {
		buf = r.AppendRowsJSON(buf[:0], i, min(i+chunk, r.Len()), '\n')
		buf = append(buf, '\n')
		w.Write(buf)
	}
	return buf
}
