package civil

import (
	"testing"
	"time"
)

// TestAgainstTime checks day numbers and month lengths against the time
// package over years -400 to 10000.
func TestAgainstTime(t *testing.T) {
	for y := int64(-400); y <= 10000; y += 7 {
		for m := int64(1); m <= 12; m++ {
			first := time.Date(int(y), time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			if got, want := DaysFromCivil(y, m, 1), first.Unix()/86400; got != want && first.Unix()%86400 == 0 {
				t.Fatalf("DaysFromCivil(%d, %d, 1) = %d, want %d", y, m, got, want)
			}
			if got, want := DaysIn(y, m), int64(first.AddDate(0, 1, -1).Day()); got != want {
				t.Fatalf("DaysIn(%d, %d) = %d, want %d", y, m, got, want)
			}
		}
	}
}
