package sessionio

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonPair is a key and its raw value at the top of a JSON object.
type jsonPair struct {
	key string
	raw json.RawMessage
}

// topPairs returns the key and value pairs of the JSON object line, in
// order, repeats included, as encoding/json reads them, or false if line
// is not a JSON object.
func topPairs(line []byte) ([]jsonPair, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(line, &obj) != nil || obj == nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.Token() // {
	var pairs []jsonPair
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return nil, false
		}
		pairs = append(pairs, jsonPair{tok.(string), raw})
	}
	return pairs, true
}

// FuzzJSONLine checks the hand-walked JSON Lines decoder against
// encoding/json: it accepts a line exactly when the line is a JSON object
// whose keys name no field twice (in any case, trimmed) and whose fields
// have values of the right types and valid text, and then takes the
// values encoding/json reads.
func FuzzJSONLine(f *testing.F) {
	for _, s := range []string{
		`{"startTime": "2026-03-01T09:00:00Z", "endTime": 1772359200, "costInUsd": 1.5, "userId": "a\"b"}`,
		`{"x": {"startTime": [1, "]"]}, "startTime": null, "jobName": "\u00e9\ud83d\ude00"}`,
		`{"st\u0061rtTime": "1", "endTime": "2"}`, `{"userId": 1}`, `{}`, `[]`, `{"a":1,}`, "{\"userId\": \"\xff\"}",
		`{"costInUsd": "1e3", "queueId": "", "fleetId": null}`, `{"startTime": 1, "startTime": 2}`,
		`{" StartTime ": 1, "ENDTIME": 2}`, `{"startTime": 1, "STARTTIME": 2}`, `{"userId": "\ud800"}`, `{"userId": "\ufffd"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsAny(line, "\n\r") {
			return // one line at a time
		}
		rd := NewReader(nil, Options{Format: JSONL})
		if err := rd.start(sessionShape); err != nil {
			t.Fatal(err)
		}
		j := rd.src.(*jsonlScanner)
		j.start = 1
		var values [numCols][]byte
		err := j.decode(line, &values)
		pairs, ok := topPairs(line)
		if !ok {
			if err == nil {
				t.Fatalf("decode(%q) accepts what is not a JSON object", line)
			}
			return
		}
		var want [numCols][]byte
		var seen [numCols]bool
		bad, unsure := false, false
		for _, p := range pairs {
			c := rd.lookup([]byte(p.key))
			if c == numCols {
				continue
			}
			if seen[c] {
				bad = true
			}
			seen[c] = true
			switch v := p.raw; {
			case string(v) == "null":
			case v[0] == '"':
				var s string
				json.Unmarshal(v, &s)
				if strings.ContainsRune(s, utf8.RuneError) {
					unsure = true // invalid text, or a U+FFFD written as such
				}
				want[c] = []byte(s)
			case c == colCost || (c == colStart || c == colEnd) && isUnixSeconds(v):
				want[c] = v
			default:
				bad = true
			}
		}
		switch {
		case bad && err == nil:
			t.Fatalf("decode(%q) accepts a repeated or mistyped field", line)
		case err != nil && !bad && !(unsure && errors.Is(err, ErrInvalidUTF8)):
			t.Fatalf("decode(%q) = %v for a good object", line, err)
		case err == nil:
			for c := range values {
				if (values[c] == nil) != (want[c] == nil) || !bytes.Equal(values[c], want[c]) {
					t.Fatalf("decode(%q): %s = %q, want %q", line, colNames[c], values[c], want[c])
				}
			}
		}
	})
}
