package sessionbeam

import (
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // IANA zones travel by name; workers may have no zone database

	"github.com/sessionagg/sessionagg"
)

// spec is a sessionagg.Query in a form that Beam serialises into a DoFn
// (as JSON of its exported fields) and that a worker turns back into the
// same query: a time.Time would lose its *time.Location on the way, and
// the Location itself does not serialise, so the zone travels by name.
type spec struct {
	Start, End instant
	Period     string // HOURLY ...
	Zone       string // UTC, UTC+08:00, or an IANA name
	WeekStart  int
	GroupBy    []string
	Statistics []string
	QueueIDs   []string
	FleetIDs   []string
	FillEmpty  bool
	MaxBuckets int
	MaxRows    int
}

// instant is a time.Time as Unix seconds and nanoseconds; Set is false for
// the zero time, an open side of the window.
type instant struct {
	Set  bool
	Sec  int64
	Nsec int64
}

func instantOf(t time.Time) instant {
	if t.IsZero() {
		return instant{}
	}
	return instant{Set: true, Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
}

func (i instant) time(loc *time.Location) time.Time {
	if !i.Set {
		return time.Time{}
	}
	return time.Unix(i.Sec, i.Nsec).In(loc)
}

// newSpec validates q with the library and returns it in travelling form.
// The zone must be one that LoadZone rebuilds by its name.
func newSpec(q sessionagg.Query) (spec, error) {
	if _, err := sessionagg.NewAggregator(q); err != nil {
		return spec{}, err
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	if err := travels(loc); err != nil {
		return spec{}, err
	}
	p := q.Period
	if p == 0 {
		p = sessionagg.Daily
	}
	sp := spec{
		Start:      instantOf(q.Start),
		End:        instantOf(q.End),
		Period:     p.String(),
		Zone:       loc.String(),
		WeekStart:  int(q.WeekStart),
		QueueIDs:   q.QueueIDs,
		FleetIDs:   q.FleetIDs,
		FillEmpty:  q.FillEmpty,
		MaxBuckets: q.MaxBuckets,
		MaxRows:    q.MaxRows,
	}
	for _, f := range q.GroupBy {
		sp.GroupBy = append(sp.GroupBy, f.String())
	}
	for _, s := range q.Statistics {
		sp.Statistics = append(sp.Statistics, s.String())
	}
	return sp, nil
}

// travels reports whether loc comes back from zoneNamed(loc.String()) as
// the same zone: the same name, and the same offset at two instants.
func travels(loc *time.Location) error {
	if back, err := zoneNamed(loc.String()); err == nil && back.String() == loc.String() {
		same := true
		for _, t := range []time.Time{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 7, 1, 0, 0, 0, 0, time.UTC)} {
			_, o1 := t.In(loc).Zone()
			_, o2 := t.In(back).Zone()
			same = same && o1 == o2
		}
		if same {
			return nil
		}
	}
	return fmt.Errorf("%w: zone %q cannot be rebuilt on a worker from its name: use sessionagg.ParseTimezone or time.LoadLocation", sessionagg.ErrInvalidTimezone, loc.String())
}

// LoadZone returns the zone named name: the fixed zone of
// sessionagg.ParseTimezone for the cloud APIs' notation ("UTC", "UTC+8",
// "UTC-09:30"), and otherwise time.LoadLocation's zone for an IANA name
// ("Europe/Berlin"), from the zone database embedded in this package
// (time/tzdata) where the system has none. "Local" and "" are errors: the
// local zone of a worker is not the caller's. Every error wraps
// sessionagg.ErrInvalidTimezone.
func LoadZone(name string) (*time.Location, error) {
	if loc, err := sessionagg.ParseTimezone(name); err == nil {
		return loc, nil
	}
	return loadLocation(name)
}

// zoneNamed is LoadZone for a zone's own name, loc.String(): the fixed
// zone only when ParseTimezone names it so ("UTC+08:00"), so that an IANA
// zone called "GMT" comes back as itself.
func zoneNamed(name string) (*time.Location, error) {
	if loc, err := sessionagg.ParseTimezone(name); err == nil && loc.String() == name {
		return loc, nil
	}
	return loadLocation(name)
}

func loadLocation(name string) (*time.Location, error) {
	if name != "" && name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("%w: %q: want UTC, UTC±H[:MM] or an IANA zone name such as Europe/Berlin", sessionagg.ErrInvalidTimezone, name)
}

// query turns sp back into the query it was made from. Only a spec that
// newSpec did not make can fail.
func (sp *spec) query() (sessionagg.Query, error) {
	loc, err := zoneNamed(sp.Zone)
	if err != nil {
		return sessionagg.Query{}, err
	}
	q := sessionagg.Query{
		Start:      sp.Start.time(loc),
		End:        sp.End.time(loc),
		Location:   loc,
		WeekStart:  sessionagg.WeekStart(sp.WeekStart),
		QueueIDs:   sp.QueueIDs,
		FleetIDs:   sp.FleetIDs,
		FillEmpty:  sp.FillEmpty,
		MaxBuckets: sp.MaxBuckets,
		MaxRows:    sp.MaxRows,
	}
	if q.Period, err = sessionagg.ParsePeriod(sp.Period); err != nil {
		return q, err
	}
	for _, s := range sp.GroupBy {
		f, err := sessionagg.ParseField(s)
		if err != nil {
			return q, err
		}
		q.GroupBy = append(q.GroupBy, f)
	}
	for _, s := range sp.Statistics {
		st, err := sessionagg.ParseStatistic(s)
		if err != nil {
			return q, err
		}
		q.Statistics = append(q.Statistics, st)
	}
	return q, nil
}

// errFillEmptySharded: AggregateSharded's shards see only their own
// buckets and groups, so they cannot fill in the buckets that no session
// reached.
var errFillEmptySharded = errors.New("sessionbeam: FillEmpty needs every row in one place: use Aggregate, not AggregateSharded")
