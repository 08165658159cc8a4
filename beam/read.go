package sessionbeam

import (
	"context"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

// ReadSessions returns the sessions of the files that glob matches, a
// PCollection of sessionagg.Session, read by the project's reader,
// sessionio, as the command sessionagg reads them. Each file is CSV with
// its own header row, or JSON Lines: format is "csv" or "jsonl", or "" to
// take JSON Lines for names ending in .jsonl or .ndjson and CSV for the
// others. inputZone, if not empty, is the zone (a name, as LoadZone takes)
// of times written without an offset; otherwise such times are errors.
//
// Files are spread over the workers; each is read whole, as a stream, by
// one worker: the header of a CSV file is needed for all its lines, and
// the line numbers of errors must be right. So give a big input as many
// files (Beam's textio would split a file into ranges of lines, and lose
// both). A glob that matches nothing, and a bad record, fail the pipeline;
// the error names the file, the line, the field and the value.
func ReadSessions(s beam.Scope, glob, format, inputZone string) (beam.PCollection, error) {
	switch format {
	case "", "csv", "jsonl":
	default:
		return beam.PCollection{}, fmt.Errorf("sessionbeam: input format %q: want csv or jsonl", format)
	}
	if inputZone != "" {
		loc, err := LoadZone(inputZone)
		if err != nil {
			return beam.PCollection{}, err
		}
		inputZone = loc.String()
	}
	s = s.Scope("sessionbeam.ReadSessions")
	files := fileio.MatchFiles(s, glob, fileio.MatchEmptyDisallow())
	readable := fileio.ReadMatches(s, files, fileio.ReadUncompressed())
	// The files come from one element, the glob: without a reshuffle a
	// runner that fuses steps (Dataflow, Flink) would read them all on
	// the worker that matched them.
	readable = beam.Reshuffle(s, readable)
	return beam.ParDo(s, &readFn{Format: format, Zone: inputZone}, readable), nil
}

// readFn reads the sessions of one file.
type readFn struct {
	Format string
	Zone   string // of times without an offset; empty for none
}

func (f *readFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(sessionagg.Session)) error {
	opt := sessionio.Options{Format: sessionio.FormatOf(file.Metadata.Path)}
	switch f.Format {
	case "csv":
		opt.Format = sessionio.CSV
	case "jsonl":
		opt.Format = sessionio.JSONL
	}
	if f.Zone != "" {
		loc, err := zoneNamed(f.Zone)
		if err != nil {
			return err
		}
		opt.Location = loc
	}
	rc, err := file.Open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	for s, err := range sessionio.Sessions(rc, opt) {
		if err != nil {
			return fmt.Errorf("%s: %w", file.Metadata.Path, err)
		}
		emit(s)
	}
	return nil
}
