package sessionio_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

// benchData is n sessions as CSV: times in RFC 3339 or Unix seconds, a
// cost and four labels, as the command's benchmark has them.
func benchData(n int, rfc bool) []byte {
	var b bytes.Buffer
	b.WriteString("startTime,endTime,costInUsd,queueId,userId,usageType,instanceType\n")
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		s := from.Add(time.Duration(i*7919%(90*86400)) * time.Second)
		e := s.Add(time.Duration(600+i%7200) * time.Second)
		if rfc {
			fmt.Fprintf(&b, "%s,%s", s.Format(time.RFC3339), e.Format(time.RFC3339))
		} else {
			fmt.Fprintf(&b, "%d,%d", s.Unix(), e.Unix())
		}
		fmt.Fprintf(&b, ",%d.%04d,queue-%02d,user-%03d,COMPUTE,c%d.xlarge\n", i%9, i%10000, i%20, i%200, i%10)
	}
	return b.Bytes()
}

// BenchmarkReadSession reads 100,000 sessions for a query grouped by two
// labels, as the command does.
func BenchmarkReadSession(b *testing.B) {
	for _, rfc := range []bool{false, true} {
		data := benchData(100_000, rfc)
		q := sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID, sessionagg.UserID}}
		b.Run(map[bool]string{false: "unix", true: "rfc3339"}[rfc], func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for range b.N {
				rd := sessionio.NewReader(bytes.NewReader(data), sessionio.Options{Query: &q})
				var s sessionagg.Session
				for {
					if err := rd.ReadSession(&s); err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						break
					}
				}
			}
		})
	}
}
