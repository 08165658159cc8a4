package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzJSONLine checks the hand-walked JSON Lines decoder against
// encoding/json: it accepts a line exactly when the line is a JSON object
// with no known key twice and known keys of the right types, and then
// takes the values encoding/json reads.
func FuzzJSONLine(f *testing.F) {
	for _, s := range []string{
		`{"startTime": "2026-03-01T09:00:00Z", "endTime": 1772359200, "costInUsd": 1.5, "userId": "a\"b"}`,
		`{"x": {"startTime": [1, "]"]}, "startTime": null, "jobName": "\u00e9\ud83d\ude00"}`,
		`{"st\u0061rtTime": "1", "endTime": "2"}`, `{"userId": 1}`, `{}`, `[]`, `{"a":1,}`, "{\"userId\": \"\xff\"}",
		`{"costInUsd": "1e3", "queueId": "", "fleetId": null}`, `{"startTime": 1, "startTime": 2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsAny(line, "\n\r") {
			return // one line at a time
		}
		j := &jsonlSource{start: 1}
		err := j.decode(line)
		var obj map[string]json.RawMessage
		if json.Unmarshal(line, &obj) != nil || obj == nil {
			if err == nil {
				t.Fatalf("decode(%q) accepts what is not a JSON object", line)
			}
			return
		}
		if err != nil {
			// Only a repeated or mistyped known key is refused.
			var dup bool
			var keys int
			for k := range obj {
				if colOf([]byte(k)) >= 0 {
					keys++
				}
			}
			dup = keys < countKnownKeys(line)
			if !dup && !mistyped(obj) {
				t.Fatalf("decode(%q) = %v for a good object", line, err)
			}
			return
		}
		for col, name := range colNames {
			raw, ok := obj[name]
			got := j.values[col]
			if !ok || string(raw) == "null" {
				if got != nil {
					t.Fatalf("decode(%q): %s = %q, want none", line, name, got)
				}
				continue
			}
			want := []byte(raw)
			var s string
			if json.Unmarshal(raw, &s) == nil {
				want = []byte(s)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("decode(%q): %s = %q, want %q", line, name, got, want)
			}
		}
	})
}

// countKnownKeys counts the known keys at the top level of the JSON object
// line, repeats included.
func countKnownKeys(line []byte) int {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.Token() // {
	n := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		if k, ok := tok.(string); ok && colOf([]byte(k)) >= 0 {
			n++
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return n
		}
	}
	return n
}

// mistyped reports whether a known key of obj has a value of a type its
// column does not take.
func mistyped(obj map[string]json.RawMessage) bool {
	for k, v := range obj {
		col := colOf([]byte(k))
		if col < 0 {
			continue
		}
		switch v[0] {
		case 'n', '"':
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			if col != colCost && !((col == colStart || col == colEnd) && isUnixSeconds(v)) {
				return true
			}
		default:
			return true
		}
	}
	return false
}
