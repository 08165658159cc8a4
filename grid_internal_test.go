package sessionagg

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// White-box tests of the grid: the bucket cache and the fixed step.

// engineGrids returns grids of every period in UTC+05:45 and in New York.
func engineGrids(t *testing.T) []*grid {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var grids []*grid
	for _, loc := range []*time.Location{time.FixedZone("UTC+05:45", 20700), ny} {
		for p := Hourly; p <= Monthly; p++ {
			grids = append(grids, Calendar{Period: p, Location: loc, WeekStart: Sunday}.grid())
		}
	}
	return grids
}

// engineSecond draws a Unix second in 2025 to 2027.
func engineSecond(t *rapid.T, label string) int64 {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	return base + rapid.Int64Range(-366*86400, 366*86400).Draw(t, label)
}

// TestBucketCache checks that the cache returns the bucket that grid.at
// does, for instants in any order.
func TestBucketCache(t *testing.T) {
	for _, g := range engineGrids(t) {
		t.Run(fmt.Sprintf("%v/%v", g.period, g.loc), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				var bc bucketCache
				bc.init(g)
				secs := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) int64 { return engineSecond(t, "sec") }), 1, 50).Draw(t, "secs")
				for _, sec := range secs {
					// Neighbours of a boundary, too.
					for _, s := range []int64{sec, g.at(sec).start, g.at(sec).start - 1, g.at(sec).end} {
						got, want := bc.at(g, s), g.at(s)
						if got.key != want.key || got.start != want.start || got.end != want.end {
							t.Fatalf("bucketCache.at(%d) = [%d, %d) key %d, want [%d, %d) key %d", s, got.start, got.end, got.key, want.start, want.end, want.key)
						}
					}
				}
			})
		})
	}
}

// TestStepAt checks the division that finds hours, days and weeks at a
// fixed offset against grid.at, for offsets of whole and odd minutes,
// either week start, and instants before and after 1970.
func TestStepAt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		off := rapid.IntRange(-12*60, 14*60).Draw(t, "offsetMinutes") * 60
		g := Calendar{
			Period:    rapid.SampledFrom([]Period{Hourly, Daily, Weekly}).Draw(t, "period"),
			Location:  time.FixedZone("", off),
			WeekStart: rapid.SampledFrom([]WeekStart{Monday, Sunday}).Draw(t, "weekStart"),
		}.grid()
		sec := rapid.Int64Range(-1e11, 1e11).Draw(t, "sec")
		for _, s := range []int64{sec, g.at(sec).start, g.at(sec).start - 1, g.at(sec).end} {
			got, want := g.stepAt(s), g.at(s)
			if got != want {
				t.Fatalf("%v at UTC%+d: stepAt(%d) = [%d, %d) key %d, want [%d, %d) key %d", g.period, off, s, got.start, got.end, got.key, want.start, want.end, want.key)
			}
		}
	})
}
