package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// fuzzQueries are the queries FuzzRun runs its inputs through, chosen by a
// byte of the fuzzer's.
var fuzzQueries = [][]string{
	{},
	{"-format", "json", "-period", "hour", "-group-by", "JOB_ID,USER_ID"},
	{"-format", "csv", "-period", "month", "-timezone", "UTC-09:30", "-group-by", "QUEUE_ID", "-statistics", "AVG"},
	{"-format", "json", "-start", "2026-03-01T00:00:00Z", "-end", "2026-03-02T00:00:00Z", "-period", "hour", "-max-results", "2"},
	{"-period", "week", "-queue-ids", "q-1,q-2", "-group-by", "USAGE_TYPE,LICENSE_PRODUCT,INSTANCE_TYPE,FLEET_ID"},
}

// FuzzRun feeds arbitrary bytes to the command as a CSV or a JSON Lines
// file. It must never panic; it must succeed or fail with exit 1 for bad
// input, and write nothing to standard output when it fails; its JSON
// output must be JSON.
func FuzzRun(f *testing.F) {
	demo, err := os.ReadFile(demoFile)
	if err != nil {
		f.Fatal(err)
	}
	tricky, err := os.ReadFile("testdata/tricky.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo[:2000], false, byte(0))
	f.Add(demo[:1000], false, byte(1))
	f.Add(tricky, true, byte(1))
	f.Add(tricky, true, byte(2))
	f.Add([]byte(header+good), false, byte(3))
	f.Add([]byte("queueId,"+header+"q-1,"+good), false, byte(4))
	f.Add([]byte(header+"0,253402300799,1e308\n-62167219200,0,\n"), false, byte(1))
	f.Add([]byte(`{"startTime":"0001-01-01T00:00:00Z","endTime":"9999-12-31T23:59:59Z"}`), true, byte(2))
	f.Fuzz(func(t *testing.T, in []byte, jsonl bool, which byte) {
		args := append([]string(nil), fuzzQueries[int(which)%len(fuzzQueries)]...)
		format := "csv"
		if jsonl {
			format = "jsonl"
		}
		args = append(args, "-input-format", format, "-")
		var out, errOut bytes.Buffer
		status := run(args, bytes.NewReader(in), &out, &errOut)
		switch status {
		case 0:
			if len(args) > 1 && args[1] == "json" && !json.Valid(out.Bytes()) {
				t.Fatalf("sessionagg %s: the output is not JSON:\n%s", strings.Join(args, " "), out.Bytes())
			}
		case 1:
			if out.Len() != 0 {
				t.Fatalf("sessionagg %s: exit 1 with output %q", strings.Join(args, " "), out.Bytes())
			}
			if !strings.HasPrefix(errOut.String(), "sessionagg: standard input: line ") {
				t.Fatalf("sessionagg %s: exit 1 with %q, want a message naming the line", strings.Join(args, " "), errOut.Bytes())
			}
		default:
			t.Fatalf("sessionagg %s: exit %d: %s", strings.Join(args, " "), status, errOut.Bytes())
		}
	})
}
