package sessionagg_test

import (
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
)

// benchSink keeps the pieces of the benchmarks alive.
var benchSink time.Time

// benchZones are the zones of the benchmarks: a fixed offset, on the
// integer fast path, and a zone with DST, on the general path.
func benchZones(tb testing.TB) []struct {
	name string
	loc  *time.Location
} {
	fixed, err := sessionagg.ParseTimezone("UTC+08:00")
	if err != nil {
		tb.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		tb.Fatal(err)
	}
	return []struct {
		name string
		loc  *time.Location
	}{{"UTC+08:00", fixed}, {"America/New_York", ny}}
}

// benchSpans are sessions of each period long enough for several hundred
// pieces.
var benchSpans = []struct {
	period sessionagg.Period
	span   time.Duration
}{
	{sessionagg.Hourly, 30 * 24 * time.Hour},        // 721 pieces
	{sessionagg.Daily, 2 * 365 * 24 * time.Hour},    // 731 pieces
	{sessionagg.Weekly, 5 * 365 * 24 * time.Hour},   // 262 pieces
	{sessionagg.Monthly, 30 * 365 * 24 * time.Hour}, // 360 pieces
}

// benchStart is not on any boundary, so that the first and last pieces
// are partial.
var benchStart = time.Date(2026, 1, 1, 7, 13, 20, 0, time.UTC)

// BenchmarkSplit splits one long session, in each zone and period, and
// reports the time per piece.
func BenchmarkSplit(b *testing.B) {
	for _, z := range benchZones(b) {
		for _, s := range benchSpans {
			b.Run(z.name+"/"+s.period.String(), func(b *testing.B) {
				cal := sessionagg.Calendar{Period: s.period, Location: z.loc}
				end := benchStart.Add(s.span)
				b.ReportAllocs()
				pieces := 0
				for range b.N {
					for p := range cal.Split(benchStart, end) {
						benchSink = p.End
						pieces++
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pieces), "ns/piece")
			})
		}
	}
}

// BenchmarkBucket finds the bucket of one instant, in each zone and period.
func BenchmarkBucket(b *testing.B) {
	for _, z := range benchZones(b) {
		for _, s := range benchSpans {
			b.Run(z.name+"/"+s.period.String(), func(b *testing.B) {
				cal := sessionagg.Calendar{Period: s.period, Location: z.loc}
				b.ReportAllocs()
				for range b.N {
					benchSink = cal.Bucket(benchStart).End
				}
			})
		}
	}
}

// benchSplit ranges over the pieces of [start, end), as a caller of Split
// does.
func benchSplit(cal sessionagg.Calendar, start, end time.Time) {
	for p := range cal.Split(start, end) {
		benchSink = p.End
	}
}

// benchBuckets ranges over the buckets of [start, end).
func benchBuckets(cal sessionagg.Calendar, start, end time.Time) {
	for b := range cal.Buckets(start, end) {
		benchSink = b.End
	}
}

// TestSplitAllocs checks that Split, Buckets, Bucket and Next allocate
// nothing, however many pieces a split has: the grid and the cursor live
// on the stack, and so do the closures, since Split inlines into a range
// over it. Where the compiler does not inline it (under coverage
// instrumentation, or in some nestings of closures) the closures and the
// grid move to the heap: a few allocations per split, never per piece.
func TestSplitAllocs(t *testing.T) {
	most := 0.0
	if testing.CoverMode() != "" {
		most = 4
	}
	for _, z := range benchZones(t) {
		for _, s := range benchSpans {
			cal := sessionagg.Calendar{Period: s.period, Location: z.loc}
			short, long := benchStart.Add(time.Minute), benchStart.Add(s.span)
			few := testing.AllocsPerRun(20, func() { benchSplit(cal, benchStart, short) })
			many := testing.AllocsPerRun(20, func() { benchSplit(cal, benchStart, long) })
			if few > most || many > few {
				t.Errorf("%s in %s: Split allocates %v times for one piece and %v for several hundred, want at most %v for both",
					s.period, z.name, few, many, most)
			}
			if n := testing.AllocsPerRun(20, func() { benchBuckets(cal, benchStart, long) }); n > most {
				t.Errorf("%s in %s: Buckets allocates %v times, want at most %v", s.period, z.name, n, most)
			}
			if n := testing.AllocsPerRun(20, func() { benchSink = cal.Bucket(benchStart).End }); n != 0 {
				t.Errorf("%s in %s: Bucket allocates %v times, want none", s.period, z.name, n)
			}
			if n := testing.AllocsPerRun(20, func() { benchSink = cal.Next(benchStart) }); n != 0 {
				t.Errorf("%s in %s: Next allocates %v times, want none", s.period, z.name, n)
			}
		}
	}
}
