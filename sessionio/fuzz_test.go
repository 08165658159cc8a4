package sessionio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

// checkAccepted checks what a reader accepts: valid sessions of years
// 0000 to 9999, in UTC, with valid UTF-8 labels and a cost that is not -0;
// and that an error is an *Error naming a line.
func checkAccepted(t *testing.T, in []byte, got []sessionagg.Session, err error) {
	t.Helper()
	for _, s := range got {
		if verr := s.Validate(); verr != nil {
			t.Fatalf("%q: accepted an invalid session %+v: %v", in, s, verr)
		}
		if s.Start.Year() < 0 || s.End.Year() > 9999 || s.Start.Location() != time.UTC || s.End.Location() != time.UTC {
			t.Fatalf("%q: accepted times %v, %v", in, s.Start, s.End)
		}
		if math.Signbit(s.CostInUSD) {
			t.Fatalf("%q: accepted a cost of -0", in)
		}
		for _, l := range []string{s.QueueID, s.FleetID, s.JobID, s.JobName, s.UserID, s.UsageType, s.LicenseProduct, s.InstanceType} {
			if !utf8.ValidString(l) {
				t.Fatalf("%q: accepted the label %q", in, l)
			}
		}
	}
	if err != nil {
		var e *sessionio.Error
		if !errors.As(err, &e) || e.Line < 1 {
			t.Fatalf("%q: error %v is not an *Error naming a line", in, err)
		}
	}
}

// cost writes a cost back as the readers take it.
func cost(c float64) string { return strconv.FormatFloat(c, 'g', -1, 64) }

// FuzzCSV reads arbitrary bytes as CSV, checks what it accepts, and writes
// the accepted sessions back as CSV, which must read as the same sessions.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"startTime,endTime,costInUsd,userId\n2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,1.5,u\n",
		"StartTime,ENDTIME,jobName\n0,1,\"a,b\"\n\n1,2,\"x\"\"y\"\n",
		"startTime,endTime,costInUsd\n0,1,1e-400\n", "startTime,endTime\n2026-03-01 09:00:00,1\n",
		"\xef\xbb\xbfendTime,startTime,queueId\r\n5,4,q\r\n", "startTime,endTime,userId\n0,1,\xff\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := readAll(string(in), sessionio.Options{})
		checkAccepted(t, in, got, err)
		var b strings.Builder
		b.WriteString("startTime,endTime,costInUsd,queueId,fleetId,jobId,jobName,userId,usageType,licenseProduct,instanceType\n")
		for _, s := range got {
			fields := []string{s.Start.Format(time.RFC3339Nano), s.End.Format(time.RFC3339Nano), cost(s.CostInUSD),
				s.QueueID, s.FleetID, s.JobID, s.JobName, s.UserID, s.UsageType, s.LicenseProduct, s.InstanceType}
			for i, v := range fields {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
			}
			b.WriteByte('\n')
		}
		again, err := readAll(b.String(), sessionio.Options{})
		if err != nil {
			t.Fatalf("%q: the sessions written back fail: %v", in, err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("%q: the sessions written back read otherwise (-first +again):\n%s", in, diff)
		}
	})
}

// FuzzJSONL reads arbitrary bytes as JSON Lines, checks what it accepts,
// and writes the accepted sessions back with encoding/json, which must
// read as the same sessions.
func FuzzJSONL(f *testing.F) {
	for _, s := range []string{
		`{"startTime": "2026-03-01T09:00:00Z", "endTime": 1772359200, "costInUsd": 1.5, "userId": "a\"b"}`,
		`{"STARTTIME": 0, "endTime": "1", "jobName": "\u00e9\ud83d\ude00", "x": [1, {"y": null}]}` + "\n\n" + `{"startTime": 0, "endTime": 0}`,
		`{"startTime": 0, "endTime": 1, "userId": "\udc00"}`, "{\"startTime\": 0, \"endTime\": 1, \"userId\": \"\xff\"}",
		`{"startTime": 0, "endTime": 1, "costInUsd": -0}`, `{"startTime": 1, "startTime": 2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		opt := sessionio.Options{Format: sessionio.JSONL}
		got, err := readAll(string(in), opt)
		checkAccepted(t, in, got, err)
		var b bytes.Buffer
		for _, s := range got {
			line, err := json.Marshal(map[string]any{
				"startTime": s.Start.Format(time.RFC3339Nano), "endTime": s.End.Format(time.RFC3339Nano), "costInUsd": s.CostInUSD,
				"queueId": s.QueueID, "fleetId": s.FleetID, "jobId": s.JobID, "jobName": s.JobName, "userId": s.UserID,
				"usageType": s.UsageType, "licenseProduct": s.LicenseProduct, "instanceType": s.InstanceType,
			})
			if err != nil {
				t.Fatal(err)
			}
			b.Write(line)
			b.WriteByte('\n')
		}
		again, err := readAll(b.String(), opt)
		if err != nil {
			t.Fatalf("%q: the sessions written back fail: %v", in, err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("%q: the sessions written back read otherwise (-first +again):\n%s", in, diff)
		}
	})
}

// localZones are the zones FuzzLocalTime reads local times in: gaps and
// folds of an hour, of 30 minutes, and at midnight.
var localZones = []string{"Europe/Berlin", "Australia/Lord_Howe", "America/Havana", "America/Santiago", "America/New_York"}

// FuzzLocalTime parses local wall-clock readings in zones with daylight
// saving time. An accepted reading must be the one instant at which the
// zone's clock shows it: it formats back to the same reading, and no
// instant within a day of it reads the same. A reading refused as skipped
// must be one that no instant shows; one refused as repeated must be shown
// by two instants.
func FuzzLocalTime(f *testing.F) {
	f.Add(uint8(0), int64(1774747800)) // Berlin, 2026-03-29 01:30 UTC: in the gap
	f.Add(uint8(0), int64(1792885500)) // Berlin, 2026-10-25 00:45 UTC: in the fold
	f.Add(uint8(1), int64(1775314800))
	f.Add(uint8(2), int64(1793505600))
	f.Add(uint8(3), int64(1788750000))
	f.Fuzz(func(t *testing.T, zone uint8, unix int64) {
		loc, err := time.LoadLocation(localZones[int(zone)%len(localZones)])
		if err != nil {
			t.Skip(err)
		}
		// A reading near unix, as wall-clock fields, at minute precision
		// with a fraction so that odd instants come up too.
		const lo, hi = -2208988800, 4102444800 // 1900 to 2100
		unix = lo + (unix%(hi-lo)+(hi-lo))%(hi-lo)
		wall := time.Unix(unix, 0).UTC() // the reading, as if in UTC
		text := wall.Format("2006-01-02 15:04:05")
		got, err := sessionio.ParseTime(text, loc)
		// The instants that read wall: an offset in force within a day.
		var shown []time.Time
		offsets := map[int]bool{}
		for d := -26 * time.Hour; d <= 26*time.Hour; d += 15 * time.Minute {
			_, off := wall.Add(d).In(loc).Zone()
			offsets[off] = true
		}
		for off := range offsets {
			u := wall.Add(-time.Duration(off) * time.Second)
			if _, uoff := u.In(loc).Zone(); uoff == off {
				shown = append(shown, u)
			}
		}
		switch {
		case err == nil:
			if local := got.In(loc).Format("2006-01-02 15:04:05"); local != text {
				t.Fatalf("ParseTime(%q, %s) = %v, which reads %s there", text, loc, got, local)
			}
			if len(shown) != 1 || !shown[0].Equal(got) {
				t.Fatalf("ParseTime(%q, %s) = %v; the instants that read it: %v", text, loc, got, shown)
			}
		case errors.Is(err, sessionio.ErrSkippedTime):
			if len(shown) != 0 {
				t.Fatalf("ParseTime(%q, %s): %v; but %v reads it", text, loc, err, shown)
			}
		case errors.Is(err, sessionio.ErrRepeatedTime):
			if len(shown) < 2 {
				t.Fatalf("ParseTime(%q, %s): %v; but only %v read it", text, loc, err, shown)
			}
			if !strings.Contains(err.Error(), loc.String()) {
				t.Fatalf("ParseTime(%q, %s): %v does not name the zone", text, loc, err)
			}
		default:
			t.Fatalf("ParseTime(%q, %s): %v", text, loc, err)
		}
	})
}

// ExampleSessions reads CSV whose times are local to Berlin, and shows an
// error for a time that Berlin's clock skipped.
func ExampleSessions() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		fmt.Println(err)
		return
	}
	text := "start_time,endTime,costInUsd,userId\n" +
		"2026-03-29 01:00:00,2026-03-29 03:30:00,1.5,alice\n" +
		"2026-03-29 02:30:00,2026-03-29 04:00:00,1,bruno\n"
	opt := sessionio.Options{Location: berlin, Columns: map[string]string{"start_time": "startTime"}}
	for s, err := range sessionio.Sessions(strings.NewReader(text), opt) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(s.UserID, s.Start, s.End.Sub(s.Start))
	}
	// Output:
	// alice 2026-03-29 00:00:00 +0000 UTC 1h30m0s
	// line 3: startTime "2026-03-29 02:30:00": in Europe/Berlin the clock skips 2026-03-29 02:30:00 (it jumps forward over it): write the time with its offset
}
