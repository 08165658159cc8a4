package sessionbeam_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
	sessionbeam "github.com/sessionagg/sessionagg/beam"
)

// The tests run their pipelines on Prism, Beam's portable runner, in
// this process: it encodes every element between stages and pre-combines
// before the shuffle, as Dataflow and Flink do, where the direct runner
// would hide a missing coder.
func TestMain(m *testing.M) { ptest.Main(m) }

var (
	seed  = flag.Uint64("seed", 0, "seed of the random cases (0: the time)")
	cases = flag.Int("cases", 8, "number of random queries in TestMatchesAggregate")
)

// A testCase is a query, its sessions, and where its pipeline writes.
type testCase struct {
	q        sessionagg.Query
	sessions []sessionagg.Session
	global   string // the file of Aggregate's rows
	sharded  string // the files of AggregateSharded's rows: sharded-*
}

var zones = []string{"UTC", "UTC+8", "UTC+05:30", "UTC-09:30", "America/New_York", "Australia/Lord_Howe", "Europe/Berlin", "America/Havana"}

// randomCase returns a random query and sessions around a DST change,
// many crossing bucket edges and the window's edges.
func randomCase(r *rand.Rand) (sessionagg.Query, []sessionagg.Session) {
	loc, err := sessionbeam.LoadZone(zones[r.IntN(len(zones))])
	if err != nil {
		panic(err)
	}
	base := []time.Time{
		time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC),  // New York springs forward
		time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC), // Lord Howe springs forward
		time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), // Havana's repeated midnight
		time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), // Berlin
	}[r.IntN(4)]
	q := sessionagg.Query{
		Period:    sessionagg.Period(1 + r.IntN(4)),
		Location:  loc,
		WeekStart: sessionagg.WeekStart(r.IntN(2)),
	}
	if r.IntN(2) == 0 {
		q.Start = base.Add(time.Duration(r.Int64N(int64(48 * time.Hour)))).In(loc)
	}
	if r.IntN(2) == 0 {
		q.End = base.Add(48*time.Hour + time.Duration(r.Int64N(int64(96*time.Hour)))).In(loc)
	}
	fields := []sessionagg.Field{sessionagg.QueueID, sessionagg.UserID, sessionagg.JobID, sessionagg.FleetID}
	r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	q.GroupBy = fields[:r.IntN(3)]
	stats := []sessionagg.Statistic{sessionagg.Sum, sessionagg.Min, sessionagg.Max, sessionagg.Avg}
	q.Statistics = stats[:r.IntN(5)]
	if r.IntN(4) == 0 {
		q.QueueIDs = []string{"q-0", "q-2"}
	}

	sessions := make([]sessionagg.Session, 100+r.IntN(400))
	for i := range sessions {
		start := base.Add(time.Duration(r.Int64N(int64(5 * 24 * time.Hour))))
		var d time.Duration
		switch r.IntN(4) {
		case 0: // zero length
		case 1:
			d = time.Duration(r.Int64N(int64(time.Hour)))
		case 2:
			d = time.Duration(r.Int64N(int64(6 * time.Hour)))
		default:
			d = time.Duration(r.Int64N(int64(72 * time.Hour)))
		}
		sessions[i] = sessionagg.Session{
			Start:     start,
			End:       start.Add(d),
			CostInUSD: math.Round(r.Float64()*1000) / 100,
			QueueID:   fmt.Sprintf("q-%d", r.IntN(4)),
			FleetID:   fmt.Sprintf("f-%d", r.IntN(3)),
			JobID:     fmt.Sprintf("j-%d", r.IntN(6)),
			JobName:   []string{"", "render", "bake", "sim"}[r.IntN(4)],
			UserID:    fmt.Sprintf("u-%d", r.IntN(5)),
		}
	}
	return q, sessions
}

// TestMatchesAggregate runs random queries over random sessions through
// Aggregate and AggregateSharded, on Prism, in one pipeline, and checks
// that the rows written are those of sessionagg.Aggregate: in the same
// order for Aggregate's one file, as a set over AggregateSharded's files.
func TestMatchesAggregate(t *testing.T) {
	s0 := *seed
	if s0 == 0 {
		s0 = uint64(time.Now().UnixNano())
	}
	t.Logf("-seed %d", s0)
	r := rand.New(rand.NewPCG(s0, 0))
	dir := t.TempDir()
	p, s := beam.NewPipelineWithRoot()
	var all []testCase
	for i := range *cases {
		q, sessions := randomCase(r)
		c := testCase{q: q, sessions: sessions,
			global:  filepath.Join(dir, fmt.Sprintf("case%d", i)),
			sharded: filepath.Join(dir, fmt.Sprintf("case%d-sharded", i)),
		}
		in := beam.CreateList(s, sessions)
		rows, err := sessionbeam.Aggregate(s, q, in)
		if err != nil {
			t.Fatalf("case %d: Aggregate: %v", i, err)
		}
		if err := sessionbeam.WriteJSONLines(s, c.global, 0, rows); err != nil {
			t.Fatal(err)
		}
		sharded, err := sessionbeam.AggregateSharded(s, q, 1+r.IntN(4), in)
		if err != nil {
			t.Fatalf("case %d: AggregateSharded: %v", i, err)
		}
		if err := sessionbeam.WriteJSONLines(s, c.sharded, 1+r.IntN(3), sharded); err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
	for i, c := range all {
		res, err := sessionagg.Aggregate(c.q, slices.Values(c.sessions))
		if err != nil {
			t.Fatalf("case %d: sessionagg.Aggregate: %v", i, err)
		}
		want := resultRows(t, res)
		desc := fmt.Sprintf("case %d (%v in %v, window [%v, %v), by %v, %v, ids %v)", i, c.q.Period, c.q.Location, c.q.Start, c.q.End, c.q.GroupBy, c.q.Statistics, c.q.QueueIDs)
		got := readRows(t, c.global)
		if diff := cmp.Diff(want, got, floatsClose); diff != "" {
			t.Errorf("%s: Aggregate's rows (-want +got):\n%s", desc, diff)
		}
		files, _ := filepath.Glob(c.sharded + "-*")
		var gotSharded []map[string]any
		for _, f := range files {
			gotSharded = append(gotSharded, readRows(t, f)...)
		}
		sortRows(want)
		sortRows(gotSharded)
		if diff := cmp.Diff(want, gotSharded, floatsClose); diff != "" {
			t.Errorf("%s: AggregateSharded's rows over %d files (-want +got):\n%s", desc, len(files), diff)
		}
	}
}

// floatsClose compares the sums of merged partial results, which may
// differ from one aggregation's in the last bits.
var floatsClose = cmp.Comparer(func(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
})

// resultRows returns the rows of res as the library marshals them.
func resultRows(t *testing.T, res *sessionagg.Result) []map[string]any {
	t.Helper()
	b, err := res.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Statistics []map[string]any }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v.Statistics
}

// readRows reads a file of JSON Lines.
func readRows(t *testing.T, name string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("%s: %v: %q", name, err, line)
		}
		rows = append(rows, row)
	}
	return rows
}

// sortRows orders rows by their bucket and labels.
func sortRows(rows []map[string]any) {
	key := func(r map[string]any) string {
		start, _ := time.Parse(time.RFC3339Nano, r["aggregationStartTime"].(string))
		return fmt.Sprintf("%020d %v %v %v %v", start.UnixNano(), r["queueId"], r["userId"], r["jobId"], r["fleetId"])
	}
	slices.SortFunc(rows, func(a, b map[string]any) int { return strings.Compare(key(a), key(b)) })
}
