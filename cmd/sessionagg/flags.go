package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

// input is what the three reports share: the files, the zones, the window
// and the formats.
type input struct {
	files      []string
	start, end time.Time
	loc        *time.Location // -timezone
	inLoc      *time.Location // -input-timezone, or nil
	outFormat  string
	inFormat   string // "" for each file's name to say
}

// inputFlags are the values of the shared flags, as written.
type inputFlags struct {
	start, end, zone, inZone, format, inFormat string
}

// define defines the shared flags on fs.
func (v *inputFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&v.start, "start", "", "")
	fs.StringVar(&v.end, "end", "", "")
	fs.StringVar(&v.zone, "timezone", "UTC", "")
	fs.StringVar(&v.inZone, "input-timezone", "", "")
	fs.StringVar(&v.format, "format", "table", "")
	fs.StringVar(&v.inFormat, "input-format", "", "")
}

// parseFlags parses args with fs, flags before and after the files, and
// returns the files. After "--" everything is a file. It returns errHelp
// for -h.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var flagErr bytes.Buffer
	fs.SetOutput(&flagErr)
	fs.Usage = func() {}
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			files = append(files, rest...)
			break
		}
		files, args = append(files, rest[0]), rest[1:]
	}
	stdin := 0
	for _, f := range files {
		if f == "-" {
			if stdin++; stdin > 1 {
				return nil, errors.New("- (standard input) may be given once")
			}
		}
	}
	return files, nil
}

// parse turns the shared flags into in.
func (v *inputFlags) parse(files []string) (input, error) {
	in := input{files: files}
	var err error
	if in.loc, err = parseZone("-timezone", v.zone); err != nil {
		return in, err
	}
	if v.inZone != "" {
		if in.inLoc, err = parseZone("-input-timezone", v.inZone); err != nil {
			return in, err
		}
	}
	if in.start, err = flagTime("-start", v.start, in.loc); err != nil {
		return in, err
	}
	if in.end, err = flagTime("-end", v.end, in.loc); err != nil {
		return in, err
	}
	switch v.format {
	case "table", "json", "csv":
		in.outFormat = v.format
	default:
		return in, fmt.Errorf("-format %q: want table, json or csv", v.format)
	}
	switch v.inFormat {
	case "", "csv", "jsonl":
		in.inFormat = v.inFormat
	case "ndjson":
		in.inFormat = "jsonl"
	default:
		return in, fmt.Errorf("-input-format %q: want csv or jsonl", v.inFormat)
	}
	return in, nil
}

// parseZone parses a zone flag: the cloud APIs' UTC±H[:MM], or an IANA
// zone name, which the embedded zone database knows if the machine does
// not.
func parseZone(name, v string) (*time.Location, error) {
	loc, err := sessionagg.ParseTimezone(v)
	if err == nil {
		return loc, nil
	}
	if v != "" && v != "Local" && !strings.HasPrefix(v, "UTC") && !strings.HasPrefix(v, "GMT") {
		if loc, lerr := time.LoadLocation(v); lerr == nil {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("%s %q: want UTC, UTC±H[:MM] (such as UTC+8 or UTC-09:30, hours ahead of UTC, -12:00 to +14:00) or an IANA zone name such as Europe/Berlin", name, v)
}

// flagTime parses the value of -start or -end: RFC 3339, Unix seconds, or
// a local date or date-time read on loc's clock; empty for none. A date is
// the first instant of that date in loc, which always exists; a date-time
// that loc's clock skips or shows twice is an error.
func flagTime(name, v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	var t time.Time
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		// Noon of the date in loc, then the start of its day: noon is
		// on the date unless loc skips the whole date, and then the
		// day after starts first.
		y, m, dd := d.Date()
		noon := time.Date(y, m, dd, 12, 0, 0, 0, loc)
		t = sessionagg.Calendar{Period: sessionagg.Daily, Location: loc}.Bucket(noon).Start
	} else if t, err = sessionio.ParseTime(v, loc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "sessionio: ")
		if errors.Is(err, sessionio.ErrInvalidTime) {
			msg += "; or a local date or date-time such as 2026-03-01 or 2026-03-01T08:00:00 on -timezone's clock"
		}
		return t, fmt.Errorf("%s %q: %s", name, v, msg)
	}
	if t.IsZero() {
		// The library reads the zero time as an open side.
		return t, fmt.Errorf("%s %q: the zero time 0001-01-01T00:00:00Z stands for no bound; leave the flag out for an open window", name, v)
	}
	return t, nil
}

// readerOptions returns the options of the reader of the input.
func (in *input) readerOptions() sessionio.Options {
	return sessionio.Options{Location: in.inLoc}
}

// format returns the format of the file name: the flag's, or the name's.
func (in *input) format(name string) sessionio.Format {
	switch in.inFormat {
	case "jsonl":
		return sessionio.JSONL
	case "csv":
		return sessionio.CSV
	}
	return sessionio.FormatOf(name)
}

// each calls read with each input file, in order, named in its errors: the
// demo data if there are none. A file that cannot be opened is an error.
func (in *input) each(stdin io.Reader, stderr io.Writer, demo []byte, read func(name string, r io.Reader) error) error {
	if len(in.files) == 0 {
		demoNote(stderr)
		if err := read("demo.csv", bytes.NewReader(demo)); err != nil {
			return fmt.Errorf("demo data: %w", hint(err))
		}
		return nil
	}
	for _, name := range in.files {
		if name == "-" {
			if err := read(name, stdin); err != nil {
				return named("standard input: ", err)
			}
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = read(name, f)
		f.Close()
		if err != nil {
			return named(name+": ", err)
		}
	}
	return nil
}

// sessions reads the sessions of every input, as one (see each), with
// the reader options opt, and calls add with each and the reader that read
// it, which knows its line and record. It stops at the first error.
func (in *input) sessions(stdin io.Reader, stderr io.Writer, demo []byte, opt sessionio.Options, add func(rd *sessionio.Reader, s sessionagg.Session) error) error {
	return in.each(stdin, stderr, demo, func(name string, r io.Reader) error {
		opt.Format = in.format(name)
		rd := sessionio.NewReader(r, opt)
		var s sessionagg.Session
		for {
			err := rd.ReadSession(&s)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := add(rd, s); err != nil {
				return err
			}
		}
	})
}

// named prefixes err with the file's name.
func named(prefix string, err error) error {
	return fmt.Errorf("%s%w", prefix, hint(err))
}

// hint adds to a reader's error the flag that would help.
func hint(err error) error {
	switch {
	case errors.Is(err, sessionio.ErrNoLocation):
		return fmt.Errorf("%w (name their zone with -input-timezone)", err)
	case errors.Is(err, sessionio.ErrSyntax) && strings.Contains(err.Error(), "JSON Lines?"):
		return fmt.Errorf("%w: use -input-format jsonl or a file name ending in .jsonl", err)
	}
	return err
}
