package sessionio

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
)

// A csvScanner splits CSV text into records of fields, as encoding/csv's
// Reader does with its default settings (RFC 4180 quoting; "\r\n" read as
// "\n"; blank lines skipped; a bare or stray quote is an error), plus a
// UTF-8 byte order mark at the start is skipped. FuzzCSVScanner checks it
// against encoding/csv.
//
// It is faster than encoding/csv because it does not convert fields to
// strings: a record is a slice of byte slices that point into the
// bufio.Reader's buffer, valid until the next call of next. A line with no
// quote in it, the usual case, is cut at its commas where it lies; only a
// line with quotes is copied and unquoted, into a buffer kept for the next
// record.
type csvScanner struct {
	r      *bufio.Reader
	lines  int      // lines read so far
	start  int      // the line on which the current record starts
	fields [][]byte // the current record
	buf    []byte   // the unquoted fields of a record with quotes
	ends   []int    // where each field ends in buf
	long   []byte   // a line longer than r's buffer
	bom    bool     // the first line is yet to be read
	keep   bool     // keep the bytes of each record in raw
	raw    []byte
}

// maxRecord bounds the bytes of one line or one record, so that a file
// with no line breaks fails with an error instead of filling memory.
const maxRecord = 64 << 20

var utf8BOM = []byte("\xef\xbb\xbf")

func newCSVScanner(r io.Reader) *csvScanner {
	return &csvScanner{r: bufio.NewReaderSize(r, 64<<10), bom: true}
}

func errTooLong(line int) error {
	return syntaxError(line, "record longer than "+strconv.Itoa(maxRecord>>20)+" MiB")
}

// readLine returns the next line, with its "\n" if it has one, "\r\n"
// turned into "\n", and a "\r" before the end of the input dropped, as
// encoding/csv does. At the end of the input it returns io.EOF. If raw is
// not nil, the line as it was read, before any of that, is appended to it.
func readLine(r *bufio.Reader, long *[]byte, lines int, raw *[]byte) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		*long = append((*long)[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(*long) > maxRecord {
				return nil, errTooLong(lines + 1)
			}
			line, err = r.ReadSlice('\n')
			*long = append(*long, line...)
		}
		line = *long
	}
	if raw != nil {
		*raw = append(*raw, line...)
	}
	if len(line) > 0 && err == io.EOF {
		err = nil
		if line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
	}
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func (c *csvScanner) readLine() ([]byte, error) {
	var raw *[]byte
	if c.keep {
		raw = &c.raw
	}
	line, err := readLine(c.r, &c.long, c.lines, raw)
	if err == nil {
		c.lines++
	}
	if c.bom {
		c.bom = false
		line = bytes.TrimPrefix(line, utf8BOM)
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// next returns the next record, or io.EOF at the end of the input, or a
// *syntaxError, or an error of the underlying reader. The record and its
// fields are valid until the next call.
func (c *csvScanner) next() ([][]byte, error) {
	var line []byte
	for {
		c.raw = c.raw[:0] // blank lines are no record's
		var err error
		if line, err = c.readLine(); err != nil {
			return nil, err
		}
		if len(line) > lengthNL(line) {
			break
		}
	}
	c.start = c.lines
	if bytes.IndexByte(line, '"') >= 0 {
		return c.quoted(line)
	}
	line = line[:len(line)-lengthNL(line)]
	f := c.fields[:0]
	for {
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			break
		}
		f = append(f, line[:i:i])
		line = line[i+1:]
	}
	c.fields = append(f, line)
	return c.fields, nil
}

// quoted parses a record with quotes in it, which may go on over more
// lines, as encoding/csv does.
func (c *csvScanner) quoted(line []byte) ([][]byte, error) {
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	var err error
field:
	for {
		if len(line) == 0 || line[0] != '"' {
			// A field without quotes, which must not have a quote in it.
			i := bytes.IndexByte(line, ',')
			f := line
			if i >= 0 {
				f = f[:i]
			} else {
				f = f[:len(f)-lengthNL(f)]
			}
			if bytes.IndexByte(f, '"') >= 0 {
				return nil, syntaxError(c.lines, `bare " in a field that is not quoted (quote the field and double the quotes in it)`)
			}
			c.buf = append(c.buf, f...)
			c.ends = append(c.ends, len(c.buf))
			if i < 0 {
				break field
			}
			line = line[i+1:]
			continue
		}
		// A quoted field: up to the quote that is not doubled.
		line = line[1:]
		for {
			if i := bytes.IndexByte(line, '"'); i >= 0 {
				c.buf = append(c.buf, line[:i]...)
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					c.buf = append(c.buf, '"')
					line = line[1:]
				case len(line) > 0 && line[0] == ',':
					line = line[1:]
					c.ends = append(c.ends, len(c.buf))
					continue field
				case lengthNL(line) == len(line):
					c.ends = append(c.ends, len(c.buf))
					break field
				default:
					return nil, syntaxError(c.lines, `extraneous " after a quoted field`)
				}
			} else if len(line) > 0 {
				// The field goes on over the line break.
				c.buf = append(c.buf, line...)
				if len(c.buf) > maxRecord {
					return nil, errTooLong(c.start)
				}
				// At the end of the input line is empty, and the
				// next turn reports the missing quote.
				if line, err = c.readLine(); err != nil && err != io.EOF {
					return nil, err
				}
			} else {
				return nil, syntaxError(c.start, `quoted field not closed: a " is missing`)
			}
		}
	}
	f := c.fields[:0]
	prev := 0
	for _, end := range c.ends {
		f = append(f, c.buf[prev:end:end])
		prev = end
	}
	c.fields = f
	return f, nil
}
