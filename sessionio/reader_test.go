package sessionio_test

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/sessionio"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no zone %s: %v", name, err)
	}
	return loc
}

// readAll returns the sessions of text, or the first error.
func readAll(text string, opt sessionio.Options) ([]sessionagg.Session, error) {
	var out []sessionagg.Session
	for s, err := range sessionio.Sessions(strings.NewReader(text), opt) {
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

func TestSessions(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	for _, tc := range []struct {
		reason string
		text   string
		opt    sessionio.Options
		want   []sessionagg.Session
	}{
		{reason: "every field, CSV",
			text: "startTime,endTime,costInUsd,queueId,fleetId,jobId,jobName,userId,usageType,licenseProduct,instanceType\n" +
				"2026-03-01T09:00:00Z,1772359200,1.5,q,f,j,n,u,COMPUTE,l,i\n",
			want: []sessionagg.Session{{Start: utc(2026, 3, 1, 9, 0), End: utc(2026, 3, 1, 10, 0), CostInUSD: 1.5,
				QueueID: "q", FleetID: "f", JobID: "j", JobName: "n", UserID: "u", UsageType: "COMPUTE", LicenseProduct: "l", InstanceType: "i"}}},
		{reason: "headers in any case, with space around, and other columns",
			text: " StartTime ,ENDTIME,note,UserID\n2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,x,u\n",
			want: []sessionagg.Session{{Start: utc(2026, 3, 1, 9, 0), End: utc(2026, 3, 1, 10, 0), UserID: "u"}}},
		{reason: "other names mapped onto the fields; start_time is otherwise another column",
			text: "start_time,Ende,user\n2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,u\n",
			opt:  sessionio.Options{Columns: map[string]string{"start_time": "startTime", " ende": "ENDTIME", "user": "userId"}},
			want: []sessionagg.Session{{Start: utc(2026, 3, 1, 9, 0), End: utc(2026, 3, 1, 10, 0), UserID: "u"}}},
		{reason: "local times in a DST zone, before and after the change",
			text: "startTime,endTime\n2026-03-29 01:30:00,2026-03-29T03:30:00\n",
			opt:  sessionio.Options{Location: berlin},
			want: []sessionagg.Session{{Start: utc(2026, 3, 29, 0, 30), End: utc(2026, 3, 29, 1, 30)}}},
		{reason: "JSON Lines with keys in any case, numbers and strings",
			text: `{"STARTTIME": 1772355600, "endTime": "2026-03-01T10:00:00Z", "costInUsd": "2e-3", "queueId": "q\u00e9"}` + "\n\n",
			opt:  sessionio.Options{Format: sessionio.JSONL},
			want: []sessionagg.Session{{Start: utc(2026, 3, 1, 9, 0), End: utc(2026, 3, 1, 10, 0), CostInUSD: 0.002, QueueID: "qé"}}},
		{reason: "a cost of -0 is 0",
			text: "startTime,endTime,costInUsd\n0,1,-0\n",
			want: []sessionagg.Session{{Start: time.Unix(0, 0).UTC(), End: time.Unix(1, 0).UTC()}}},
	} {
		got, err := readAll(tc.text, tc.opt)
		if err != nil {
			t.Errorf("%s: %v", tc.reason, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.reason, diff)
		}
		if len(got) == 1 && math.Signbit(got[0].CostInUSD) {
			t.Errorf("%s: a cost of -0", tc.reason)
		}
	}
}

func TestSessionErrors(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	const h = "startTime,endTime,costInUsd,userId\n"
	for _, tc := range []struct {
		reason string
		text   string
		opt    sessionio.Options
		is     error
		want   string // the message
	}{
		{"a DST gap", h + "2026-03-29 02:30:00,2026-03-29T04:00:00+02:00,,\n", sessionio.Options{Location: berlin}, sessionio.ErrSkippedTime,
			`line 2: startTime "2026-03-29 02:30:00": in Europe/Berlin the clock skips 2026-03-29 02:30:00 (it jumps forward over it): write the time with its offset`},
		{"a DST fold", h + "2026-10-25T00:00:00Z,2026-10-25T02:15:00,,\n", sessionio.Options{Location: berlin}, sessionio.ErrRepeatedTime,
			`line 2: endTime "2026-10-25T02:15:00": in Europe/Berlin the clock shows 2026-10-25 02:15:00 twice, at 2026-10-25T02:15:00+02:00 and at 2026-10-25T02:15:00+01:00: write the time with its offset`},
		{"a local time without a zone", h + "2026-03-01 09:00:00,2026-03-01T10:00:00Z,,\n", sessionio.Options{}, sessionio.ErrNoLocation,
			`line 2: startTime "2026-03-01 09:00:00": no offset`},
		{"invalid UTF-8 in CSV", h + "0,1,,\xff\n", sessionio.Options{}, sessionio.ErrInvalidUTF8,
			`line 2: userId "\xff": not valid UTF-8`},
		{"invalid UTF-8 in JSON Lines", "{\"startTime\":0,\"endTime\":1,\"userId\":\"\xfe\"}", sessionio.Options{Format: sessionio.JSONL}, sessionio.ErrInvalidUTF8,
			`line 1: userId "\"\xfe\"": not valid UTF-8`},
		{"a lone surrogate in JSON Lines", `{"startTime":0,"endTime":1,"userId":"\udc00"}`, sessionio.Options{Format: sessionio.JSONL}, sessionio.ErrInvalidUTF8,
			`line 1: userId "\"\\udc00\""`},
		{"an underscore in a cost", h + "0,1,1_000,\n", sessionio.Options{}, sessionio.ErrInvalidNumber, `line 2: costInUsd "1_000": want a plain decimal`},
		{"a hexadecimal cost", h + "0,1,0x1p-2,\n", sessionio.Options{}, sessionio.ErrInvalidNumber, `costInUsd "0x1p-2"`},
		{"a cost that underflows", h + "0,1,1e-400,\n", sessionio.Options{}, sessionio.ErrInvalidNumber, `costInUsd "1e-400": too small`},
		{"a cost that overflows", h + "0,1,1e400,\n", sessionio.Options{}, sessionio.ErrInvalidNumber, `costInUsd "1e400": out of range`},
		{"Inf", h + "0,1,Inf,\n", sessionio.Options{}, sessionio.ErrInvalidNumber, `costInUsd "Inf"`},
		{"a negative cost", h + "0,1,-1,\n", sessionio.Options{}, sessionagg.ErrInvalidSession, `line 2: costInUsd "-1": want a finite number`},
		{"an end before the start", h + "5,4,,\n", sessionio.Options{}, sessionagg.ErrInvalidSession, `line 2: endTime "4": before startTime`},
		{"an unset start, the zero time", h + "0001-01-01T00:00:00Z,9999-12-31T23:59:59Z,,\n", sessionio.Options{}, sessionagg.ErrInvalidSession, `line 2: startTime "0001-01-01T00:00:00Z": the zero time`},
		{"an unset end, the zero time", h + "2026-03-01T00:00:00Z,0001-01-01T00:00:00Z,,\n", sessionio.Options{}, sessionagg.ErrInvalidSession, `line 2: endTime "0001-01-01T00:00:00Z": the zero time`},
		{"a missing end", h + "5,,,\n", sessionio.Options{}, sessionio.ErrMissing, `line 2: endTime "": required`},
		{"two columns for one field", "startTime,endTime,STARTTIME\n", sessionio.Options{}, sessionio.ErrSyntax, `line 1: columns 1 and 3 are both startTime`},
		{"an alias onto a field that does not exist", h, sessionio.Options{Columns: map[string]string{"x": "nope"}}, sessionio.ErrSyntax, `Options.Columns["x"] = "nope"`},
	} {
		_, err := readAll(tc.text, tc.opt)
		if err == nil || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one wrapping %v that says %q", tc.reason, err, tc.is, tc.want)
		}
		var e *sessionio.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %T is not an *Error", tc.reason, err)
		}
	}
}

// TestQueryLabels checks that with a Query the reader makes strings of the
// labels the query uses only, for the sessions it counts.
func TestQueryLabels(t *testing.T) {
	text := "startTime,endTime,queueId,userId,jobId,jobName\n" +
		"2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,q-1,u,j,n\n" +
		"2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,q-2,u,j,n\n" +
		"2020-03-01T09:00:00Z,2020-03-01T10:00:00Z,q-1,u,j,n\n"
	q := sessionagg.Query{Start: utc(2026, 1, 1, 0, 0), GroupBy: []sessionagg.Field{sessionagg.UserID}, QueueIDs: []string{"q-1"}}
	got, err := readAll(text, sessionio.Options{Query: &q})
	if err != nil {
		t.Fatal(err)
	}
	want := []sessionagg.Session{
		{Start: utc(2026, 3, 1, 9, 0), End: utc(2026, 3, 1, 10, 0), QueueID: "q-1", UserID: "u"},
		{Start: utc(2026, 3, 1, 9, 0), End: utc(2026, 3, 1, 10, 0)},
		{Start: utc(2020, 3, 1, 9, 0), End: utc(2020, 3, 1, 10, 0), QueueID: "q-1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDeviceAndDesktopSessions(t *testing.T) {
	dev := "startTime,endTime,fieldDevice,remoteDevice,Quality\n0,60,f,r,GOOD\n60,120,f,,bad\n"
	var got []sessionagg.DeviceSession
	for s, err := range sessionio.DeviceSessions(strings.NewReader(dev), sessionio.Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []sessionagg.DeviceSession{
		{Start: time.Unix(0, 0).UTC(), End: time.Unix(60, 0).UTC(), FieldDevice: "f", RemoteDevice: "r", Quality: sessionagg.Good},
		{Start: time.Unix(60, 0).UTC(), End: time.Unix(120, 0).UTC(), FieldDevice: "f", Quality: sessionagg.Bad},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("device sessions (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ reason, text, want string }{
		{"an empty quality", "startTime,endTime,quality\n0,1,\n", `line 2: quality "": required`},
		{"no quality column", "startTime,endTime\n0,1\n", `line 1: the header row has no quality column`},
		{"an unknown quality", "startTime,endTime,quality\n0,1,great\n", `line 2: quality "great": unknown session quality`},
	} {
		for _, err := range sessionio.DeviceSessions(strings.NewReader(tc.text), sessionio.Options{}) {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", tc.reason, err, tc.want)
			}
		}
	}
	for _, err := range sessionio.DesktopSessions(strings.NewReader("startTime,endTime,resourceId\n0,1,\n"), sessionio.Options{}) {
		if err == nil || !errors.Is(err, sessionio.ErrMissing) || !strings.Contains(err.Error(), `line 2: resourceId "": required`) {
			t.Errorf("an empty resourceId: %v", err)
		}
	}
}

// TestReaderStops checks that a Reader repeats its error, and io.EOF.
func TestReaderStops(t *testing.T) {
	rd := sessionio.NewReader(strings.NewReader("startTime,endTime\n0,x\n0,1\n"), sessionio.Options{})
	var s sessionagg.Session
	err1 := rd.ReadSession(&s)
	err2 := rd.ReadSession(&s)
	if err1 == nil || err1 != err2 || rd.Line() != 2 {
		t.Errorf("errors %v then %v at line %d, want the same error twice, line 2", err1, err2, rd.Line())
	}
	rd = sessionio.NewReader(strings.NewReader(""), sessionio.Options{})
	if err := rd.ReadSession(&s); err != io.EOF {
		t.Errorf("empty input: %v, want io.EOF", err)
	}
}

// TestRecordVerbatim checks that Record returns each record's bytes as
// they came in, carriage returns and all, so that a caller who keeps some
// records (the command's -late) keeps them exactly.
func TestRecordVerbatim(t *testing.T) {
	for _, tc := range []struct {
		reason  string
		opt     sessionio.Options
		head    string   // what precedes the records
		records []string // each record's bytes
	}{
		{"CSV with LF line ends", sessionio.Options{Format: sessionio.CSV}, "startTime,endTime,userId\n",
			[]string{"0,1,a\n", "1,2,b\n"}},
		{"CSV with CRLF line ends and a quoted CRLF", sessionio.Options{Format: sessionio.CSV}, "startTime,endTime,userId\r\n",
			[]string{"0,1,a\r\n", "1,2,\"b\r\nc\"\r\n", "2,3,d\r"}},
		{"JSON Lines with CRLF line ends", sessionio.Options{Format: sessionio.JSONL}, "",
			[]string{"{\"startTime\":0,\"endTime\":1}\r\n", " {\"startTime\":1,\"endTime\":2} \r\n", "{\"startTime\":2,\"endTime\":3}"}},
	} {
		tc.opt.KeepRecords = true
		rd := sessionio.NewReader(strings.NewReader(tc.head+strings.Join(tc.records, "")), tc.opt)
		var got []string
		for {
			var s sessionagg.Session
			err := rd.ReadSession(&s)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			got = append(got, string(rd.Record()))
		}
		if diff := cmp.Diff(tc.records, got); diff != "" {
			t.Errorf("%s: records (-want +got):\n%s", tc.reason, diff)
		}
	}
}
