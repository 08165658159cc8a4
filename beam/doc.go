// Package sessionbeam runs sessionagg's aggregation as an Apache Beam
// pipeline, so that the same rows come out of Prism on a laptop and of
// Dataflow, Flink or Spark over billions of sessions.
//
// Import it as github.com/sessionagg/sessionagg/beam. It imports no
// runner: the program that builds the pipeline chooses one (the command
// sessionagg-beam uses beamx, whose default is Prism).
//
// # Two forms
//
// [Aggregate] combines every session into one partial aggregate, a
// [Partial], with the library's Aggregator as a Beam CombineFn: each worker
// adds the sessions it reads to its own Partial, and the Partials merge,
// in any grouping, into the rows of sessionagg.Aggregate. The last merge
// holds every row of the result, on one worker.
//
// [AggregateSharded] spreads the rows over many keys, so that no worker has
// to hold or merge them all: a session goes to every bucket it has a piece
// in, and within a bucket to one of n shards by a hash of its group labels.
// Each key's Partial aggregates its sessions over the query's window
// narrowed to that bucket, which yields exactly the pieces, costs and row
// times that the whole window yields in that bucket; so the keys' rows,
// together, are the rows of sessionagg.Aggregate, each row made by exactly
// one key and merged on that key's worker.
//
// Both forms produce [Rows] values, from which [Rows.Result] gives a
// sessionagg.Result, and which [WriteJSONLines] writes as JSON Lines in the
// cloud API's row shape.
//
// # TRRO and Workspace
//
// [AggregateDevices] gives sessionagg.AggregateDevices' statistics: pieces
// keyed by bucket, each bucket's accumulator holding counts, an exact
// integer total of nanoseconds and the sets of field and remote devices,
// merged by sums and set union. [DesktopUsageReport] gives
// sessionagg.DesktopUsageReport's desktops: day usage keyed by desktop,
// merged by sums, each desktop finished by the library itself over its
// per-day usage (so its days, idle days and filters are the library's),
// and the kept desktops sorted on one worker. Their results are one
// [DeviceReport] or [DesktopReport], which [WriteDevicesJSONLines] and
// [WriteDesktopsJSONLines] write.
//
// # What travels
//
// The query travels by value: its window as instants, its zone by name
// (UTC±HH:MM from sessionagg.ParseTimezone, or an IANA name from
// time.LoadLocation, rebuilt on the workers from the embedded
// time/tzdata), the rest by the names of its period, fields and
// statistics. It is validated when the pipeline is built, with the
// library's errors; a zone that cannot be rebuilt by name (time.Local, a
// time.FixedZone of one's own) is an error then, not on a worker.
//
// Sessions, Partials and Rows have registered binary coders: a Session in
// some 30 bytes plus its labels, a Partial and Rows as
// sessionagg.Aggregator.MarshalBinary. Every DoFn, CombineFn and type is
// registered, so that the pipeline runs without reflection on any runner.
//
// Errors on workers reach the caller as text: errors.Is does not match the
// library's sentinels across a runner.
package sessionbeam
