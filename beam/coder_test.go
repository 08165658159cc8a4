package sessionbeam

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	"pgregory.net/rapid"
)

func genSession(t *rapid.T) sessionagg.Session {
	start := time.Unix(rapid.Int64Range(-1e11, 1e11).Draw(t, "start"), rapid.Int64Range(0, 1e9-1).Draw(t, "nsec")).UTC()
	label := rapid.SampledFrom([]string{"", "q-1", "ü-ñ", "a,b\"c"})
	return sessionagg.Session{
		Start:          start,
		End:            start.Add(time.Duration(rapid.Int64Range(0, 1e15).Draw(t, "length"))),
		CostInUSD:      rapid.Float64Range(0, 1e6).Draw(t, "cost"),
		QueueID:        label.Draw(t, "queue"),
		FleetID:        label.Draw(t, "fleet"),
		JobID:          label.Draw(t, "job"),
		JobName:        label.Draw(t, "jobName"),
		UserID:         label.Draw(t, "user"),
		UsageType:      label.Draw(t, "usage"),
		LicenseProduct: label.Draw(t, "license"),
		InstanceType:   label.Draw(t, "instance"),
	}
}

// TestSessionCoder: a session comes back the same, and every shorter or
// longer form is an error wrapping ErrInvalidData.
func TestSessionCoder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSession(t)
		b := EncodeSession(s)
		got, err := DecodeSession(b)
		if err != nil {
			t.Fatalf("DecodeSession(EncodeSession(%+v)): %v", s, err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		cut := rapid.IntRange(0, len(b)-1).Draw(t, "cut")
		if _, err := DecodeSession(b[:cut]); !errors.Is(err, ErrInvalidData) {
			t.Fatalf("DecodeSession of %d of %d bytes: %v, want ErrInvalidData", cut, len(b), err)
		}
		if _, err := DecodeSession(append(b, 0)); !errors.Is(err, ErrInvalidData) {
			t.Fatalf("DecodeSession with a byte more: %v, want ErrInvalidData", err)
		}
	})
}

// TestPartialAndRowsCoders: a Partial and Rows of random sessions come
// back with the rows of sessionagg.Aggregate, narrowed or not.
func TestPartialAndRowsCoders(t *testing.T) {
	loc, err := LoadZone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	q := sessionagg.Query{Period: sessionagg.Hourly, Location: loc, GroupBy: []sessionagg.Field{sessionagg.QueueID}}
	sp, err := newSpec(q)
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		base := time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
		sessions := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) sessionagg.Session {
			start := base.Add(time.Duration(rapid.Int64Range(0, 48*3600).Draw(t, "start")) * time.Second)
			return sessionagg.Session{Start: start, End: start.Add(time.Duration(rapid.Int64Range(0, 5*3600).Draw(t, "len")) * time.Second),
				CostInUSD: float64(rapid.IntRange(0, 100).Draw(t, "cost")), QueueID: rapid.SampledFrom([]string{"a", "b"}).Draw(t, "queue")}
		}), 0, 20).Draw(t, "sessions")
		fn := &combineFn{Spec: sp}
		p := fn.CreateAccumulator()
		for _, s := range sessions {
			if p, err = fn.AddInput(p, s); err != nil {
				t.Fatal(err)
			}
		}
		b, err := EncodePartial(p)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodePartial(b)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := fn.ExtractOutput(back)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := EncodeRows(rows)
		if err != nil {
			t.Fatal(err)
		}
		rows, err = DecodeRows(rb)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rows.Result()
		if err != nil {
			t.Fatal(err)
		}
		want, err := sessionagg.Aggregate(q, slices.Values(sessions))
		if err != nil {
			t.Fatal(err)
		}
		wj, _ := want.MarshalJSON()
		gj, _ := got.MarshalJSON()
		if diff := cmp.Diff(string(wj), string(gj)); diff != "" {
			t.Fatalf("rows after Partial and Rows coders (-want +got):\n%s", diff)
		}
		for _, cut := range []int{0, 1} { // the version and the window; the rest is checked by load
			if _, err := DecodePartial(b[:cut]); !errors.Is(err, ErrInvalidData) {
				t.Fatalf("DecodePartial of %d bytes: %v, want ErrInvalidData", cut, err)
			}
		}
		if _, err := DecodeRows(rb[:rapid.IntRange(0, 10).Draw(t, "rowsCut")]); !errors.Is(err, ErrInvalidData) {
			t.Fatalf("DecodeRows of a few bytes: %v, want ErrInvalidData", err)
		}
	})
}

// TestZonesTravel: the zones of ParseTimezone and LoadLocation travel by
// name; the local zone and zones of one's own do not.
func TestZonesTravel(t *testing.T) {
	utc8, _ := sessionagg.ParseTimezone("UTC+8")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct {
		loc    *time.Location
		ok     bool
		reason string
	}{
		{time.UTC, true, "UTC"},
		{utc8, true, "ParseTimezone's zone, named UTC+08:00"},
		{berlin, true, "an IANA zone"},
		{time.FixedZone("UTC+08:00", 7*3600), false, "the name of one offset and the offset of another"},
		{time.FixedZone("Beijing", 8*3600), false, "a name no worker knows"},
		{time.Local, false, "the worker's local zone is not the caller's"},
	} {
		_, err := newSpec(sessionagg.Query{Location: c.loc})
		if (err == nil) != c.ok {
			t.Errorf("newSpec with zone %v: %v, want ok %v (%s)", c.loc, err, c.ok, c.reason)
		}
		if err != nil && !errors.Is(err, sessionagg.ErrInvalidTimezone) {
			t.Errorf("newSpec with zone %v: %v, want ErrInvalidTimezone", c.loc, err)
		}
	}
}
