package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"

	"github.com/sessionagg/sessionagg"
)

// A jsonlSource reads JSON Lines: one JSON object per line, blank lines
// skipped. A line is first checked with json.Valid, and then walked by
// hand, which is simple once the syntax is known to be right: the values of
// the known keys are taken where they lie, without allocating unless a
// string has escapes, and other keys are skipped.
//
// startTime and endTime are strings (RFC 3339 or Unix seconds) or integer
// numbers (Unix seconds); costInUsd is a number or a string that holds one;
// labels are strings. null is the same as a missing key: an empty label, a
// cost of 0, a missing time. A key may appear once.
type jsonlSource struct {
	r       *bufio.Reader
	long    []byte
	lines   int
	start   int
	bom     bool
	cv      *converter
	values  [numCols][]byte
	decoded [numCols][]byte // strings with escapes, decoded
}

func newJSONLSource(r io.Reader, cv *converter) *jsonlSource {
	return &jsonlSource{r: bufio.NewReaderSize(r, 64<<10), bom: true, cv: cv}
}

func (j *jsonlSource) line() int { return j.start }

func (j *jsonlSource) raw(col int) []byte { return j.values[col] }

func (j *jsonlSource) next(s *sessionagg.Session) (bool, error) {
	for {
		line, err := readLine(j.r, &j.long, j.lines)
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
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
		if err := j.decode(line); err != nil {
			return false, err
		}
		return true, j.cv.session(s, &j.values, j.start)
	}
}

func (j *jsonlSource) decode(line []byte) error {
	j.values = [numCols][]byte{}
	if !json.Valid(line) {
		var v json.RawMessage
		err := json.Unmarshal(line, &v) // for the reason
		msg := "not JSON"
		if err != nil {
			msg += ": " + err.Error()
		}
		return &syntaxError{j.start, msg}
	}
	i := skipWS(line, 0)
	if line[i] != '{' {
		return &syntaxError{j.start, `want a JSON object, such as {"startTime": "2026-03-01T09:00:00Z", "endTime": "2026-03-01T10:00:00Z"}`}
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
		if col := colOf(key); col >= 0 {
			if seen[col] {
				return &syntaxError{j.start, "the key " + colNames[col] + " appears twice"}
			}
			seen[col] = true
			if err := j.value(col, line[v:i]); err != nil {
				return err
			}
		}
		if i = skipWS(line, i); line[i] == ',' {
			i = skipWS(line, i+1)
		}
	}
	return nil
}

// value checks the JSON value v of column col and stores it.
func (j *jsonlSource) value(col int, v []byte) error {
	switch c := v[0]; {
	case c == 'n': // null
		return nil
	case c == '"':
		s := v[1 : len(v)-1]
		if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
			var str string
			json.Unmarshal(v, &str) // valid, so it cannot fail
			j.decoded[col] = append(j.decoded[col][:0], str...)
			s = j.decoded[col]
		}
		j.values[col] = s
		return nil
	case c == '-' || '0' <= c && c <= '9':
		switch {
		case col == colCost:
		case (col == colStart || col == colEnd) && isUnixSeconds(v):
		default:
			j.values[col] = v
			return &inputError{j.start, colNames[col], string(v), want(col)}
		}
		j.values[col] = v
		return nil
	}
	j.values[col] = v
	return &inputError{j.start, colNames[col], string(v), want(col)}
}

// want says what JSON value column col takes.
func want(col int) string {
	switch col {
	case colStart, colEnd:
		return "want a string in RFC 3339 or integer Unix seconds"
	case colCost:
		return "want a number"
	}
	return "want a string or null"
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
