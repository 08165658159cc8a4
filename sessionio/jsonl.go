package sessionio

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// A jsonlScanner reads JSON Lines: one JSON object per line, blank lines
// skipped. A line is first checked with json.Valid, and then walked by
// hand, which is simple once the syntax is known to be right: the values
// of the known keys are taken where they lie, without allocating unless a
// string has escapes, and other keys are skipped.
//
// startTime and endTime are strings or integer numbers (Unix seconds);
// costInUsd is a number or a string that holds one; the other fields are
// strings. null is the same as a missing key. A key may appear once. A
// string must be valid UTF-8, and its escapes must make valid UTF-16: a
// lone surrogate such as "\ud800" is an error, not a U+FFFD.
type jsonlScanner struct {
	r       *bufio.Reader
	rd      *Reader
	long    []byte
	lines   int
	start   int
	bom     bool
	decoded [numCols][]byte // strings with escapes, decoded
	keep    bool            // keep each record's bytes in raw
	raw     []byte
}

func (j *jsonlScanner) record() []byte { return j.raw }

func newJSONLScanner(r io.Reader, rd *Reader) *jsonlScanner {
	return &jsonlScanner{r: bufio.NewReaderSize(r, 64<<10), rd: rd, bom: true}
}

func (j *jsonlScanner) line() int { return j.start }

func (j *jsonlScanner) next(values *[numCols][]byte) error {
	for {
		var raw *[]byte
		if j.keep {
			j.raw = j.raw[:0]
			raw = &j.raw
		}
		line, err := readLine(j.r, &j.long, j.lines, raw)
		if err != nil {
			return err
		}
		j.lines++
		if j.bom {
			j.bom = false
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if skipWS(line, 0) == len(line) {
			continue
		}
		j.start = j.lines
		return j.decode(line, values)
	}
}

func (j *jsonlScanner) decode(line []byte, values *[numCols][]byte) error {
	*values = [numCols][]byte{}
	if !json.Valid(line) {
		var v json.RawMessage
		err := json.Unmarshal(line, &v) // for the reason
		msg := "not JSON"
		if err != nil {
			msg += ": " + err.Error()
		}
		return syntaxError(j.start, msg)
	}
	i := skipWS(line, 0)
	if line[i] != '{' {
		return syntaxError(j.start, `want a JSON object, such as {"startTime": "2026-03-01T09:00:00Z", "endTime": "2026-03-01T10:00:00Z"}`)
	}
	var seen [numCols]bool
	i = skipWS(line, i+1)
	for line[i] != '}' {
		// A key, a colon and a value, then a comma or the end.
		k := i
		i = endOfString(line, i)
		key := line[k+1 : i-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			json.Unmarshal(line[k:i], &s) // valid, so it cannot fail
			key = []byte(s)
		}
		i = skipWS(line, skipWS(line, i)+1)
		v := i
		i = endOfValue(line, i)
		if col := j.rd.lookup(key); col != numCols {
			if seen[col] {
				return syntaxError(j.start, "two keys are "+colNames[col])
			}
			seen[col] = true
			if err := j.value(col, line[v:i], values); err != nil {
				return err
			}
		}
		if i = skipWS(line, i); line[i] == ',' {
			i = skipWS(line, i+1)
		}
	}
	return nil
}

// value checks the JSON value v of field col and stores it.
func (j *jsonlScanner) value(col column, v []byte, values *[numCols][]byte) error {
	switch c := v[0]; {
	case c == 'n': // null
		return nil
	case c == '"':
		s := v[1 : len(v)-1]
		if bytes.IndexByte(s, '\\') >= 0 {
			var ok bool
			if j.decoded[col], ok = unquote(j.decoded[col][:0], s); !ok {
				return &Error{Line: j.start, Field: colNames[col], Value: string(v), Err: &reason{"a \\u escape of half a UTF-16 surrogate pair", ErrInvalidUTF8}}
			}
			s = j.decoded[col]
		}
		if !utf8.Valid(s) {
			return &Error{Line: j.start, Field: colNames[col], Value: string(v), Err: &reason{"not valid UTF-8", ErrInvalidUTF8}}
		}
		values[col] = s
		return nil
	case c == '-' || '0' <= c && c <= '9':
		if col == colCost || (col == colStart || col == colEnd) && isUnixSeconds(v) {
			values[col] = v
			return nil
		}
	}
	return &Error{Line: j.start, Field: colNames[col], Value: string(v), Err: &reason{want(col), ErrInvalidType}}
}

// want says what JSON value field col takes.
func want(col column) string {
	switch col {
	case colStart, colEnd:
		return "want a string or integer Unix seconds"
	case colCost:
		return "want a number"
	}
	return "want a string or null"
}

// unquote appends the JSON string body s, which json.Valid has checked,
// with its escapes decoded. It reports false for a \u escape of a lone
// surrogate, which encoding/json would turn into U+FFFD.
func unquote(b, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(s[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 >= len(s) || s[i+1] != '\\' || s[i+2] != 'u' {
					return b, false
				}
				r = utf16.DecodeRune(r, hex4(s[i+3:i+7]))
				if r == utf8.RuneError {
					return b, false
				}
				i += 6
			}
			b = utf8.AppendRune(b, r)
		default: // " \ /
			b = append(b, s[i])
		}
	}
	return b, true
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// endOfString returns the index after the JSON string that starts at b[i],
// which must be valid.
func endOfString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// endOfValue returns the index after the JSON value that starts at b[i],
// which must be valid.
func endOfValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return endOfString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = endOfString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
