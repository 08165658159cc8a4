package sessionio

import (
	"bytes"
	"io"
	"strconv"
	"strings"
)

// A csvSource reads CSV with a header row: the header says which column
// holds which field.
type csvSource struct {
	sc     *csvScanner
	rd     *Reader
	width  int          // the header's number of fields
	cols   [numCols]int // each field's index in a record, or -1
	header bool         // the header has been read
}

func newCSVSource(r io.Reader, rd *Reader) *csvSource {
	return &csvSource{sc: newCSVScanner(r), rd: rd}
}

func (c *csvSource) line() int { return c.sc.start }

func (c *csvSource) record() []byte { return c.sc.raw }

func (c *csvSource) readHeader() error {
	// A file of JSON Lines read as CSV fails on its first line; say why.
	start, _ := c.sc.r.Peek(16)
	start = bytes.TrimLeft(bytes.TrimPrefix(start, utf8BOM), " \t\r\n")
	hint := ""
	if bytes.HasPrefix(start, []byte("{")) {
		hint = " (is it JSON Lines?)"
	}
	rec, err := c.sc.next()
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Err = &reason{e.Err.Error() + hint, ErrSyntax}
		}
		return err
	}
	c.header = true
	c.width = len(rec)
	for i := range c.cols {
		c.cols[i] = -1
	}
	sh := c.rd.shape
	for i, name := range rec {
		col := c.rd.lookup(name)
		if col == numCols {
			continue
		}
		if j := c.cols[col]; j >= 0 {
			return syntaxError(c.sc.start, "columns "+strconv.Itoa(j+1)+" and "+strconv.Itoa(i+1)+" are both "+colNames[col])
		}
		c.cols[col] = i
	}
	for _, col := range sh.required {
		if c.cols[col] < 0 {
			var names []string
			for _, c := range sh.cols {
				names = append(names, colNames[c])
			}
			return syntaxError(c.sc.start, "the header row has no "+colNames[col]+" column; the columns of "+sh.name+" are "+
				strings.Join(names, ", ")+hint)
		}
	}
	return nil
}

func (c *csvSource) next(values *[numCols][]byte) error {
	if !c.header {
		if err := c.readHeader(); err != nil {
			return err // io.EOF if there is no header: no sessions
		}
	}
	rec, err := c.sc.next()
	if err != nil {
		return err
	}
	if len(rec) != c.width {
		return syntaxError(c.sc.start, "the record has "+strconv.Itoa(len(rec))+" fields, the header "+strconv.Itoa(c.width))
	}
	for _, col := range c.rd.shape.cols {
		if i := c.cols[col]; i >= 0 {
			values[col] = rec[i]
		} else {
			values[col] = nil
		}
	}
	return nil
}
