package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

// The benchmark data: n sessions starting uniformly over 90 days from
// 2026-01-01T00:00:00Z, lognormal runtimes with a median of 30 minutes,
// on 20 queues, 200 users and 10 instance types, with a cost of a price
// per hour of the instance type. The bytes depend only on n and the
// time format.
func benchCSV(n int, rfc bool) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	const span = 90 * 86400
	b := make([]byte, 0, n*110)
	b = append(b, "startTime,endTime,costInUsd,queueId,userId,usageType,instanceType\n"...)
	for range n {
		start := from + r.Int64N(span)
		secs := int64(1800 * math.Exp(r.NormFloat64()))
		it := r.IntN(10)
		rate := 0.25 * float64(it+1)
		if rfc {
			b = time.Unix(start, 0).UTC().AppendFormat(b, time.RFC3339)
			b = append(b, ',')
			b = time.Unix(start+secs, 0).UTC().AppendFormat(b, time.RFC3339)
		} else {
			b = strconv.AppendInt(b, start, 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, start+secs, 10)
		}
		b = append(b, ',')
		b = strconv.AppendFloat(b, rate*float64(secs)/3600, 'f', 4, 64)
		b = fmt.Appendf(b, ",queue-%02d,user-%03d,COMPUTE,c%d.xlarge\n", r.IntN(20), r.IntN(200), it)
	}
	return b
}

var benchFile = flag.String("bench-csv", "", "write the 1,000,000-session benchmark CSV (Unix seconds) to this file, for measuring the built command")

// TestWriteBenchCSV writes the benchmark data to the file named by
// -bench-csv, so that the built command can be timed on it:
//
//	go test ./cmd/sessionagg -run TestWriteBenchCSV -bench-csv /tmp/sessions-1m.csv
func TestWriteBenchCSV(t *testing.T) {
	if *benchFile == "" {
		t.Skip("no -bench-csv file")
	}
	if err := os.WriteFile(*benchFile, benchCSV(1_000_000, false), 0o644); err != nil {
		t.Fatal(err)
	}
}

var benchData = struct {
	once  sync.Once
	files map[string]string
}{}

// benchInputs writes the benchmark files once, outside the timers.
func benchInputs(b *testing.B) map[string]string {
	benchData.once.Do(func() {
		dir, err := os.MkdirTemp("", "sessionagg-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchData.files = map[string]string{}
		for _, rfc := range []bool{false, true} {
			name := map[bool]string{false: "unix", true: "rfc3339"}[rfc]
			path := filepath.Join(dir, name+".csv")
			if err := os.WriteFile(path, benchCSV(1_000_000, rfc), 0o644); err != nil {
				b.Fatal(err)
			}
			benchData.files[name] = path
		}
	})
	return benchData.files
}

// BenchmarkRunCSV runs the whole command, reading a 1,000,000-session CSV
// file, parsing and aggregating it, and writing the result, on one core:
//
//	go test ./cmd/sessionagg -run '^$' -bench RunCSV -cpu 1 -benchtime 5x
func BenchmarkRunCSV(b *testing.B) {
	files := benchInputs(b)
	for _, tc := range []struct {
		name, file string
		args       []string
	}{
		{"unix-DAILY", "unix", []string{"-period", "DAILY"}},
		{"rfc3339-DAILY", "rfc3339", []string{"-period", "DAILY"}},
		{"unix-DAILY-QUEUE_ID+USER_ID", "unix", []string{"-period", "DAILY", "-group-by", "QUEUE_ID,USER_ID", "-format", "csv"}},
		{"unix-DAILY-QUEUE_ID+USER_ID-json", "unix", []string{"-period", "DAILY", "-group-by", "QUEUE_ID,USER_ID", "-format", "json"}},
		{"unix-HOURLY-INSTANCE_TYPE", "unix", []string{"-period", "HOURLY", "-group-by", "INSTANCE_TYPE", "-format", "csv"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			path := files[tc.file]
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(st.Size())
			args := append(tc.args, path)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var errOut bytes.Buffer
				if status := run(args, nil, io.Discard, &errOut); status != 0 {
					b.Fatalf("exit %d: %s", status, errOut.Bytes())
				}
			}
			perSession := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / 1e6
			b.ReportMetric(perSession, "ns/session")
			b.ReportMetric(1e9/perSession, "sessions/s")
		})
	}
}

// TestHotPathAllocs checks that reading a CSV record and adding it to the
// aggregation allocates nothing once the rows and labels exist.
func TestHotPathAllocs(t *testing.T) {
	for _, rfc := range []bool{false, true} {
		// Twenty sessions, over and over: after the first round every
		// row and label exists.
		head, body, _ := bytes.Cut(benchCSV(20, rfc), []byte("\n"))
		data := append(bytes.Clone(head), '\n')
		data = append(data, bytes.Repeat(body, 300)...)
		q := sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID, sessionagg.UserID}, MaxBuckets: maxBuckets}
		agg, err := sessionagg.NewAggregator(q)
		if err != nil {
			t.Fatal(err)
		}
		rd := sessionio.NewReader(bytes.NewReader(data), sessionio.Options{Query: &q})
		var s sessionagg.Session
		add := func() {
			if err := rd.ReadSession(&s); err != nil {
				t.Fatalf("ReadSession: %v", err)
			}
			if err := agg.Add(s); err != nil {
				t.Fatal(err)
			}
		}
		for range 100 {
			add()
		}
		if n := testing.AllocsPerRun(500, add); n != 0 {
			t.Errorf("rfc3339 %v: a record allocates %v times, want 0", rfc, n)
		}
	}
}
