package sessionagg

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// White-box tests of the groups: numbering and the label caches' hash.

// TestGroupIndex checks that ofLabels numbers groups densely in the order
// they first appear, finds each again, and keeps tuples that differ in
// any label, or only in their split between labels, apart.
func TestGroupIndex(t *testing.T) {
	gs := newGroups([]Field{QueueID, UserID, JobID})
	var keys []labels
	for i := range 3000 {
		keys = append(keys, labels{fmt.Sprint(i % 7), fmt.Sprint(i / 7), ""})
	}
	keys = append(keys, labels{"ab", "c", ""}, labels{"a", "bc", ""}, labels{"", "", ""}, labels{"", "", "x"}, labels{"x", "", ""})
	for round := range 2 {
		for i, k := range keys {
			if g, _ := gs.ofLabels(&k); g != int32(i) {
				t.Fatalf("round %d: ofLabels(%q) = %d, want %d", round, k, g, i)
			}
			if gs.labels[i] != k {
				t.Fatalf("labels[%d] = %q, want %q", i, gs.labels[i], k)
			}
		}
	}
}

// TestGroupNumbers checks groups.of and ofLabels against a map from label
// tuples to numbers in order of first appearance, with labels built to
// defeat the label caches' cheap hash: equal in length and in their first
// and last eight bytes, differing only in the middle, or empty.
func TestGroupNumbers(t *testing.T) {
	label := rapid.Custom(func(t *rapid.T) string {
		mid := rapid.StringMatching(`[ab]{0,3}`).Draw(t, "middle")
		switch rapid.IntRange(0, 3).Draw(t, "shape") {
		case 0:
			return "prefix-0" + mid + "-suffix0" // same ends, same length for the same middle length
		case 1:
			return mid // short, or empty
		case 2:
			return "qu" + mid + "e"
		}
		return rapid.String().Draw(t, "any")
	})
	fieldSets := [][]Field{{QueueID}, {QueueID, UserID}, {UserID, QueueID, InstanceType}, {JobID, FleetID, UserID, QueueID}}
	rapid.Check(t, func(t *rapid.T) {
		fields := rapid.SampledFrom(fieldSets).Draw(t, "groupBy")
		gs := newGroups(fields)
		want := map[labels]int32{}
		for range rapid.IntRange(1, 300).Draw(t, "sessions") {
			s := Session{QueueID: label.Draw(t, "queue"), FleetID: label.Draw(t, "fleet"), JobID: label.Draw(t, "job"),
				UserID: label.Draw(t, "user"), InstanceType: label.Draw(t, "type")}
			var k labels
			for i, f := range fields {
				k[i] = s.label(f)
			}
			w, ok := want[k]
			if !ok {
				w = int32(len(want))
				want[k] = w
			}
			var g int32
			var isNew bool
			if rapid.Bool().Draw(t, "byLabels") {
				g, isNew = gs.ofLabels(&k)
			} else {
				g, isNew = gs.of(&s)
			}
			if g != w || isNew != !ok {
				t.Fatalf("group of %q = %d, new %v; want %d, new %v", k[:len(fields)], g, isNew, w, !ok)
			}
			if gs.labels[g] != k {
				t.Fatalf("labels[%d] = %q, want %q", g, gs.labels[g], k)
			}
		}
	})
}

// TestQuickHashSpreads checks that the labelDict cache's hash spreads
// labels of the shapes real data has over the cache: ids with a common
// prefix and a counter, hexadecimal ids, short codes. (A hash that lumped
// them would give right answers, slowly: every look-up a map's.)
func TestQuickHashSpreads(t *testing.T) {
	shapes := map[string]func(i int) string{
		"counter": func(i int) string { return fmt.Sprintf("user-%03d", i) },
		"hex id":  func(i int) string { return fmt.Sprintf("queue-%032x", uint64(i)*0x9e3779b97f4a7c15) },
		"code":    func(i int) string { return fmt.Sprintf("c%d", i) },
		"long":    func(i int) string { return fmt.Sprintf("render-farm-%d-east", i) },
	}
	const labels, slots = 200, 1024
	for name, label := range shapes {
		used := map[uint64]bool{}
		for i := range labels {
			used[quickHash(label(i))>>(64-10)] = true
		}
		// 200 random labels in 1024 slots take 183 on average.
		if len(used) < 160 {
			t.Errorf("%s: %d labels take %d of %d slots", name, labels, len(used), slots)
		}
	}
}
