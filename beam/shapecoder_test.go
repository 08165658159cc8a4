package sessionbeam

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	"pgregory.net/rapid"
)

func genTime(t *rapid.T, name string) time.Time {
	return time.Unix(rapid.Int64Range(-1e11, 1e11).Draw(t, name), rapid.Int64Range(0, 1e9-1).Draw(t, name+"ns")).UTC()
}

// genQueryTime draws a time that a query may start at: in the years 1 to
// 9999, where its buckets can be written.
func genQueryTime(t *rapid.T, name string) time.Time {
	return time.Unix(rapid.Int64Range(-62135596800, 253402300799-86400).Draw(t, name), 0).UTC()
}

// roundTrip checks that v comes back from its coder, and that every
// shorter form is an error wrapping ErrInvalidData.
func roundTrip[T any](t *rapid.T, v T, enc func(T) []byte, dec func([]byte) (T, error), opts ...cmp.Option) {
	b := enc(v)
	got, err := dec(b)
	if err != nil {
		t.Fatalf("decode(encode(%+v)): %v", v, err)
	}
	if diff := cmp.Diff(v, got, opts...); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
	cut := rapid.IntRange(0, len(b)-1).Draw(t, "cut")
	if _, err := dec(b[:cut]); !errors.Is(err, ErrInvalidData) {
		t.Fatalf("decode of %d of %d bytes: %v, want ErrInvalidData", cut, len(b), err)
	}
}

var ids = rapid.SampledFrom([]string{"", "f-1", "ü-ñ", "a,b\"c"})

// TestShapeCoders: the TRRO and Workspace sessions, accumulators and
// reports come back from their coders unchanged.
func TestShapeCoders(t *testing.T) {
	allow := cmp.AllowUnexported(deviceAcc{}, window{}, duration{}, deviceList{}, DeviceReport{}, deviceSpec{}, instant{}, desktopAcc{}, desktopList{}, DesktopReport{}, usageSpec{})
	rapid.Check(t, func(t *rapid.T) {
		roundTrip(t, sessionagg.DeviceSession{Start: genTime(t, "start"), End: genTime(t, "end"), FieldDevice: ids.Draw(t, "f"), RemoteDevice: ids.Draw(t, "r"), Quality: sessionagg.Quality(rapid.IntRange(0, 2).Draw(t, "q"))},
			EncodeDeviceSession, DecodeDeviceSession)
		roundTrip(t, sessionagg.DesktopSession{Start: genTime(t, "start"), End: genTime(t, "end"), ResourceID: ids.Draw(t, "id"), ResourceName: ids.Draw(t, "name")},
			EncodeDesktopSession, DecodeDesktopSession)

		var a deviceAcc
		fn := &deviceBucketFn{}
		for range rapid.IntRange(1, 5).Draw(t, "pieces") {
			a = fn.AddInput(a, devicePiece{w: window{Set: true, Start: genTime(t, "ws"), End: genTime(t, "we")},
				nanos: rapid.Int64Range(0, 1e15).Draw(t, "nanos"), notBad: rapid.Bool().Draw(t, "ok"), field: ids.Draw(t, "f"), remote: ids.Draw(t, "r")})
		}
		roundTrip(t, a, encodeDeviceAcc, decodeDeviceAcc, allow)
		l := fn.ExtractOutput(a)
		roundTrip(t, l, encodeDeviceList, decodeDeviceList, allow)
		sp, err := newDeviceSpec(sessionagg.DeviceQuery{Start: genQueryTime(t, "qs"), Period: sessionagg.Hourly, FillEmpty: true, DeviceID: "f-1"})
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, DeviceReport{spec: sp, stats: l.stats}, must(EncodeDeviceReport), DecodeDeviceReport, allow)

		var d desktopAcc
		dfn := &desktopFn{}
		for range rapid.IntRange(1, 5).Draw(t, "days") {
			d = dfn.AddInput(d, desktopDay{id: "d-1", name: ids.Draw(t, "name"), hasDay: true, day: rapid.Int64Range(0, 5).Draw(t, "day") * 86400, nanos: rapid.Int64Range(0, 1e15).Draw(t, "nanos")})
		}
		roundTrip(t, d, encodeDesktopAcc, decodeDesktopAcc, allow)
		roundTrip(t, desktopDay{id: ids.Draw(t, "id"), name: ids.Draw(t, "name")}, encodeDesktopDay, decodeDesktopDay, cmp.AllowUnexported(desktopDay{}))
		u := sessionagg.DesktopUsage{ResourceID: "d-1", ResourceName: ids.Draw(t, "name"), UsageSeconds: 3600, IdleDays: 1,
			Days: []sessionagg.DayUsage{{Start: genTime(t, "ds"), End: genTime(t, "de"), Seconds: 3600}, {Start: genTime(t, "ds2"), End: genTime(t, "de2")}}}
		roundTrip(t, desktopList{usages: []sessionagg.DesktopUsage{u}}, encodeDesktopList, decodeDesktopList, allow)
		usp, err := newUsageSpec(sessionagg.UsageQuery{Start: time.Unix(0, 0), End: time.Unix(86400, 0), IdleDays: sessionagg.Between(1, 2.5), UsageHours: sessionagg.AtLeast(3)})
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, DesktopReport{spec: usp, usages: []sessionagg.DesktopUsage{u}}, must(EncodeDesktopReport), DecodeDesktopReport, allow)
	})
}

func must[T any](enc func(T) ([]byte, error)) func(T) []byte {
	return func(v T) []byte {
		b, err := enc(v)
		if err != nil {
			panic(err)
		}
		return b
	}
}

// TestRangeTravels: a Range comes back from its String with the same
// bounds.
func TestRangeTravels(t *testing.T) {
	for _, r := range []sessionagg.Range{{}, sessionagg.AtLeast(2), sessionagg.AtMost(0.1), sessionagg.Between(1, 1e300)} {
		got, err := parseRange(r.String())
		if err != nil || got.String() != r.String() {
			t.Errorf("parseRange(%q) = %v, %v, want %v", r.String(), got, err, r)
		}
	}
}
