package sessionbeam

import (
	"context"
	"fmt"
	"io"

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
	files, zone, err := matchFiles(s.Scope("sessionbeam.ReadSessions"), glob, format, inputZone)
	if err != nil {
		return beam.PCollection{}, err
	}
	return beam.ParDo(s, &readFn{Format: format, Zone: zone}, files), nil
}

// ReadDeviceSessions is ReadSessions for TRRO's sessions: it returns a
// PCollection of sessionagg.DeviceSession, read as the command
// sessionagg devices reads them.
func ReadDeviceSessions(s beam.Scope, glob, format, inputZone string) (beam.PCollection, error) {
	files, zone, err := matchFiles(s.Scope("sessionbeam.ReadDeviceSessions"), glob, format, inputZone)
	if err != nil {
		return beam.PCollection{}, err
	}
	return beam.ParDo(s, &readDevicesFn{Format: format, Zone: zone}, files), nil
}

// ReadDesktopSessions is ReadSessions for Workspace's sessions: it
// returns a PCollection of sessionagg.DesktopSession, read as the command
// sessionagg desktops reads them.
func ReadDesktopSessions(s beam.Scope, glob, format, inputZone string) (beam.PCollection, error) {
	files, zone, err := matchFiles(s.Scope("sessionbeam.ReadDesktopSessions"), glob, format, inputZone)
	if err != nil {
		return beam.PCollection{}, err
	}
	return beam.ParDo(s, &readDesktopsFn{Format: format, Zone: zone}, files), nil
}

// matchFiles checks the format and the zone, and returns the files that
// glob matches, spread over the workers, and the zone's name.
func matchFiles(s beam.Scope, glob, format, inputZone string) (beam.PCollection, string, error) {
	switch format {
	case "", "csv", "jsonl":
	default:
		return beam.PCollection{}, "", fmt.Errorf("sessionbeam: input format %q: want csv or jsonl", format)
	}
	if inputZone != "" {
		loc, err := LoadZone(inputZone)
		if err != nil {
			return beam.PCollection{}, "", err
		}
		inputZone = loc.String()
	}
	files := fileio.MatchFiles(s, glob, fileio.MatchEmptyDisallow())
	readable := fileio.ReadMatches(s, files, fileio.ReadUncompressed())
	// The files come from one element, the glob: without a reshuffle a
	// runner that fuses steps (Dataflow, Flink) would read them all on
	// the worker that matched them.
	return beam.Reshuffle(s, readable), inputZone, nil
}

// openFile opens file and returns the reader's options for it.
func openFile(ctx context.Context, file fileio.ReadableFile, format, zone string) (io.ReadCloser, sessionio.Options, error) {
	opt := sessionio.Options{Format: sessionio.FormatOf(file.Metadata.Path)}
	switch format {
	case "csv":
		opt.Format = sessionio.CSV
	case "jsonl":
		opt.Format = sessionio.JSONL
	}
	if zone != "" {
		loc, err := zoneNamed(zone)
		if err != nil {
			return nil, opt, err
		}
		opt.Location = loc
	}
	rc, err := file.Open(ctx)
	return rc, opt, err
}

// readFn reads the sessions of one file.
type readFn struct {
	Format string
	Zone   string // of times without an offset; empty for none
}

func (f *readFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(sessionagg.Session)) error {
	rc, opt, err := openFile(ctx, file, f.Format, f.Zone)
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

// readDevicesFn reads the TRRO sessions of one file.
type readDevicesFn struct {
	Format string
	Zone   string
}

func (f *readDevicesFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(sessionagg.DeviceSession)) error {
	rc, opt, err := openFile(ctx, file, f.Format, f.Zone)
	if err != nil {
		return err
	}
	defer rc.Close()
	for s, err := range sessionio.DeviceSessions(rc, opt) {
		if err != nil {
			return fmt.Errorf("%s: %w", file.Metadata.Path, err)
		}
		emit(s)
	}
	return nil
}

// readDesktopsFn reads the Workspace sessions of one file.
type readDesktopsFn struct {
	Format string
	Zone   string
}

func (f *readDesktopsFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(sessionagg.DesktopSession)) error {
	rc, opt, err := openFile(ctx, file, f.Format, f.Zone)
	if err != nil {
		return err
	}
	defer rc.Close()
	for s, err := range sessionio.DesktopSessions(rc, opt) {
		if err != nil {
			return fmt.Errorf("%s: %w", file.Metadata.Path, err)
		}
		emit(s)
	}
	return nil
}
