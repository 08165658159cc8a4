package sessionbeam

import (
	"bufio"
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
)

// WriteJSONLines writes rows, a PCollection of Rows, as JSON Lines in the
// cloud API's row shape (Rows.JSONLines), and returns nothing.
//
// With shards 0 it writes the one file path: the rows of Aggregate come
// out in the order of sessionagg.Result, as the command sessionagg writes
// them. With shards n >= 1 it writes n files, path-00000-of-0000n and so
// on, each by its own worker: file i holds the Rows of AggregateSharded's
// shards of groups i, i+n, ..., sorted by the start of their buckets, so
// that with as many files as shards each file is in the order of
// sessionagg.Result (and holds the rows of its groups only). Every file is
// written, also one that gets no rows, so that a reader sees that none is
// missing.
//
// Files are written with Beam's filesystem package: the program registers
// the schemes it needs (beamx registers the local one and gs://). A file
// is written from the start again if its worker is retried.
func WriteJSONLines(s beam.Scope, path string, shards int, rows beam.PCollection) error {
	if shards < 0 {
		return fmt.Errorf("sessionbeam: WriteJSONLines with %d shards: want 0 for one file, or more", shards)
	}
	filesystem.ValidateScheme(path)
	s = s.Scope("sessionbeam.WriteJSONLines")
	n := max(shards, 1)
	files := make([]int, n)
	for i := range files {
		files[i] = i
	}
	index := beam.ParDo(s, fileFn, beam.CreateList(s, files))
	keyed := beam.ParDo(s, &rowsFileFn{Files: n}, rows)
	grouped := beam.CoGroupByKey(s, index, keyed)
	beam.ParDo0(s, &writeFn{Path: path, Shards: shards}, grouped)
	return nil
}

// fileFn keys a file's number by itself.
func fileFn(i int) (int, int) { return i, i }

// rowsFileFn keys Rows by the file they go to: that of their shard of
// groups.
type rowsFileFn struct {
	Files int
}

func (f *rowsFileFn) ProcessElement(r Rows) (int, Rows) {
	return r.shard % f.Files, r
}

// writeFn writes one file.
type writeFn struct {
	Path   string
	Shards int
}

func (f *writeFn) name(i int) string {
	if f.Shards == 0 {
		return f.Path
	}
	return fmt.Sprintf("%s-%05d-of-%05d", f.Path, i, f.Shards)
}

func (f *writeFn) ProcessElement(ctx context.Context, i int, _ func(*int) bool, rowsOf func(*Rows) bool) (err error) {
	var all []Rows
	var r Rows
	for rowsOf(&r) {
		all = append(all, r)
	}
	slices.SortFunc(all, func(a, b Rows) int { return a.w.Start.Compare(b.w.Start) })
	return writeLines(ctx, f.name(i), func(yield func([]byte, error) bool) {
		for _, r := range all {
			for line, err := range r.JSONLines() {
				if !yield(line, err) || err != nil {
					return
				}
			}
		}
	})
}

// writeLines writes lines to the file name, each followed by a newline;
// an error from lines stops the writing and is returned.
func writeLines(ctx context.Context, name string, lines iter.Seq2[[]byte, error]) (err error) {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fs.Close()
	wc, err := fs.OpenWrite(ctx, name)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(wc, 1<<16)
	for line, err := range lines {
		if err != nil {
			return err
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	return w.Flush()
}

// WriteDevicesJSONLines writes the DeviceReport of AggregateDevices, a
// PCollection of one, to the file path as JSON Lines, one TRRO
// SessionIntervalStatistic a line (DeviceReport.JSONLines), in time
// order. Files are written as by WriteJSONLines.
func WriteDevicesJSONLines(s beam.Scope, path string, reports beam.PCollection) {
	filesystem.ValidateScheme(path)
	beam.ParDo0(s.Scope("sessionbeam.WriteDevicesJSONLines"), &writeDevicesFn{Path: path}, reports)
}

type writeDevicesFn struct{ Path string }

func (f *writeDevicesFn) ProcessElement(ctx context.Context, r DeviceReport) error {
	return writeLines(ctx, f.Path, r.JSONLines())
}

// WriteDesktopsJSONLines writes the DesktopReport of DesktopUsageReport,
// a PCollection of one, to the file path as JSON Lines, one Workspace
// desktop a line (DesktopReport.JSONLines), in the report's order. Files
// are written as by WriteJSONLines.
func WriteDesktopsJSONLines(s beam.Scope, path string, reports beam.PCollection) {
	filesystem.ValidateScheme(path)
	beam.ParDo0(s.Scope("sessionbeam.WriteDesktopsJSONLines"), &writeDesktopsFn{Path: path}, reports)
}

type writeDesktopsFn struct{ Path string }

func (f *writeDesktopsFn) ProcessElement(ctx context.Context, r DesktopReport) error {
	return writeLines(ctx, f.Path, r.JSONLines())
}
