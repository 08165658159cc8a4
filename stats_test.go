package sessionagg_test

import (
	"math"
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// statsOf returns the Stats of vs, added one by one.
func statsOf(vs []float64) sessionagg.Stats {
	var s sessionagg.Stats
	for _, v := range vs {
		s.Add(v)
	}
	return s
}

// merged returns a with b merged into it.
func merged(a, b sessionagg.Stats) sessionagg.Stats {
	a.Merge(b)
	return a
}

// statsValues draws values as the aggregation adds them: finite, zero or
// more, over many magnitudes, with repeats.
func statsValues(t *rapid.T, label string) []float64 {
	return rapid.SliceOfN(rapid.OneOf(
		rapid.Float64Range(0, 1),
		rapid.Float64Range(0, 1e6),
		rapid.SampledFrom([]float64{0, 1e-9, 0.1, 3600, 86400.1, 1e12}),
	), 0, 20).Draw(t, label)
}

// TestStatsMerge checks the algebra of Merge: the zero Stats is its
// identity, it is commutative and associative, and merging equals adding
// the values one by one; counts, minima and maxima exactly, sums up to
// rounding.
func TestStatsMerge(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		av, bv, cv := statsValues(t, "a"), statsValues(t, "b"), statsValues(t, "c")
		a, b, c := statsOf(av), statsOf(bv), statsOf(cv)
		var zero sessionagg.Stats
		all := append(append(append([]float64(nil), av...), bv...), cv...)
		tests := []struct {
			reason    string
			got, want sessionagg.Stats
		}{
			{"a + 0 = a", merged(a, zero), a},
			{"0 + a = a", merged(zero, a), a},
			{"a + b = b + a", merged(a, b), merged(b, a)},
			{"(a + b) + c = a + (b + c)", merged(merged(a, b), c), merged(a, merged(b, c))},
			{"a + b + c = adding all the values", merged(merged(a, b), c), statsOf(all)},
		}
		for _, tt := range tests {
			if diff := cmp.Diff(aggStatsOf(tt.want), aggStatsOf(tt.got), aggApprox); diff != "" {
				t.Fatalf("%s (-want +got):\n%s", tt.reason, diff)
			}
		}
	})
}

// TestStatsSameValues checks that the mean of equal values is that value
// exactly, rounding notwithstanding: Avg stays within [Min, Max].
func TestStatsSameValues(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.Float64Range(0, 1e9).Draw(t, "v")
		n := rapid.IntRange(1, 50).Draw(t, "n")
		var s sessionagg.Stats
		for range n {
			s.Add(v)
		}
		if s.Avg() != v || s.Min() != v || s.Max() != v || s.Count() != int64(n) {
			t.Fatalf("Stats of %d × %v: count %d, min %v, max %v, avg %v; want %d and %v", n, v, s.Count(), s.Min(), s.Max(), s.Avg(), n, v)
		}
	})
}

// TestStatsEmpty checks the zero Stats: every accessor returns 0, and Avg
// is 0 rather than NaN.
func TestStatsEmpty(t *testing.T) {
	var s sessionagg.Stats
	s.Merge(sessionagg.Stats{})
	if got := aggStatsOf(s); got != (aggStats{}) {
		t.Errorf("zero Stats = %+v, want all zero", got)
	}
}

// TestStatsCompensatedSum checks that sums do not drift as the input
// grows: a hundred million values of 86400.1 added one by one, a billion
// as merged shards of ten million, and a compensation that Merge must
// carry over.
func TestStatsCompensatedSum(t *testing.T) {
	const v = 86400.1
	exact := func(n int64) float64 {
		f, _ := new(big.Float).Mul(new(big.Float).SetInt64(n), big.NewFloat(v)).Float64()
		return f
	}
	check := func(reason string, s sessionagg.Stats, n int64) {
		t.Helper()
		want := exact(n)
		if rel := math.Abs(s.Sum()-want) / want; s.Count() != n || rel > 1e-9 {
			t.Errorf("%s: Sum() = %v (count %d), want %v (count %d): relative error %.3g", reason, s.Sum(), s.Count(), want, n, rel)
		}
	}

	var stream sessionagg.Stats
	for range 100_000_000 {
		stream.Add(v)
	}
	check("1e8 values added one by one", stream, 100_000_000)

	var shard sessionagg.Stats
	for range 10_000_000 {
		shard.Add(v)
	}
	var total sessionagg.Stats
	for range 100 {
		total.Merge(shard)
	}
	check("100 shards of 1e7 values merged", total, 1_000_000_000)

	// The compensation of a shard carries what its sum lost: 1 next to
	// 1e16, whose float64 spacing is 2. Merge must add it, too.
	large, small := statsOf([]float64{1e16, 1}), statsOf([]float64{-1e16})
	if got := merged(small, large).Sum(); got != 1 {
		t.Errorf("Sum() of {-1e16} merged with {1e16, 1} = %v, want 1", got)
	}
	if got := merged(large, small).Sum(); got != 1 {
		t.Errorf("Sum() of {1e16, 1} merged with {-1e16} = %v, want 1", got)
	}
}
