package sessionagg

import (
	"fmt"
	"math"
	"strings"
)

// Stats accumulates the count, sum, minimum and maximum of a stream of
// float64 values. The zero value is empty and ready to use.
//
// The sum is compensated (Neumaier's improvement of Kahan summation), so
// its error does not grow with the number of values: a billion day-long
// runtimes, or a billion costs of a few cents, add up to within a few units
// in the last place of the true sum. The count is an int64; Merge does not
// check it for overflow, which takes 2^63 values (Aggregator.Merge does).
//
// Stats is a plain value; it is not safe for concurrent use.
type Stats struct {
	count    int64
	sum, c   float64 // running sum and its compensation
	min, max float64
}

// Add adds v to s. Callers must not add NaN or infinities; the aggregation
// rejects the sessions that would produce them.
func (s *Stats) Add(v float64) {
	if s.count == 0 {
		s.min, s.max = v, v
	} else {
		s.min = min(s.min, v)
		s.max = max(s.max, v)
	}
	s.count++
	s.addSum(v)
}

// addSum adds v to the compensated sum.
func (s *Stats) addSum(v float64) {
	t := s.sum + v
	if math.Abs(s.sum) >= math.Abs(v) {
		s.c += (s.sum - t) + v
	} else {
		s.c += (v - t) + s.sum
	}
	s.sum = t
}

// Merge adds every value that o has seen to s, as if they had been added to
// s one by one. Merging is associative and commutative, and the zero Stats
// is its identity; sums may differ in the last bits of rounding.
func (s *Stats) Merge(o Stats) {
	if o.count == 0 {
		return
	}
	if s.count == 0 {
		*s = o
		return
	}
	s.count += o.count
	s.min = min(s.min, o.min)
	s.max = max(s.max, o.max)
	s.addSum(o.sum)
	s.addSum(o.c)
}

// Count returns the number of values added.
func (s Stats) Count() int64 { return s.count }

// Sum returns the sum of the values, or 0 if there are none.
func (s Stats) Sum() float64 { return s.sum + s.c }

// Min returns the smallest value, or 0 if there are none.
func (s Stats) Min() float64 { return s.min }

// Max returns the largest value, or 0 if there are none.
func (s Stats) Max() float64 { return s.max }

// Avg returns Sum divided by Count, or 0 if there are no values (not NaN, so
// that an empty row can be written as JSON; use Count to tell an empty Stats
// apart).
func (s Stats) Avg() float64 {
	if s.count == 0 {
		return 0
	}
	// The mean of the values lies between their minimum and maximum;
	// rounding could put the quotient one unit outside, so clamp it.
	return min(max(s.Sum()/float64(s.count), s.min), s.max)
}

// A Statistic is one of the summaries a query reports for the runtime and
// the cost of the pieces in a row. The count is always reported and is not
// a Statistic.
type Statistic uint8

// The statistics of the cloud API.
const (
	Sum Statistic = iota + 1
	Min
	Max
	Avg
)

var statisticNames = [...]string{Sum: "SUM", Min: "MIN", Max: "MAX", Avg: "AVG"}

func (s Statistic) valid() bool { return s >= Sum && s <= Avg }

// String returns "SUM", "MIN", "MAX" or "AVG", or "Statistic(N)" for any
// other value.
func (s Statistic) String() string {
	if s.valid() {
		return statisticNames[s]
	}
	return fmt.Sprintf("Statistic(%d)", uint8(s))
}

// ParseStatistic returns the Statistic named s: SUM, MIN, MAX or AVG, in
// any letter case. Any other string, COUNT included (the count is always
// reported), is an error that wraps [ErrInvalidStatistic].
func ParseStatistic(s string) (Statistic, error) {
	for st := Sum; st <= Avg; st++ {
		if strings.EqualFold(s, statisticNames[st]) {
			return st, nil
		}
	}
	if strings.EqualFold(s, "COUNT") {
		return 0, fmt.Errorf("%w %q: the count is always reported; want SUM, MIN, MAX or AVG", ErrInvalidStatistic, s)
	}
	return 0, fmt.Errorf("%w %q: want SUM, MIN, MAX or AVG", ErrInvalidStatistic, s)
}

// sums is what a cell accumulates for its pieces: their runtimes and their
// costs. A cell with a count of zero is empty.
type sums struct{ runtime, cost Stats }
