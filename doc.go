// Package sessionagg turns session records into time-bucketed usage
// statistics, as cloud consoles compute them, locally and without I/O.
//
// A session is a run of something: "this job ran on this fleet from 09:12
// to 14:40 and cost 3.10 USD". Given many of them, sessionagg answers the
// questions of AWS Deadline Cloud's sessions-statistics aggregation ("daily
// cost per queue in UTC+8"), of Tencent TRRO's per-interval session
// statistics and of Huawei Workspace's daily desktop usage, with the same
// numbers, reproducibly, and faster than loading the data into a database.
//
// # Sessions and buckets
//
// A [Session] is a half-open interval [Start, End) of absolute time, a cost
// in US dollars for the whole interval, and string labels (queue, fleet,
// job, user ...). A [Calendar] divides time into buckets of one [Period]
// (an hour, day, week or month) of the wall clock in one *time.Location.
//
// A query's window clips sessions: only the part inside it counts. What is
// left is cut at every bucket boundary into pieces, and each piece belongs
// to the bucket that contains it. A piece's runtime is its length in
// seconds; its cost is the session's cost prorated over the session's
// whole, unclipped length, so a session half inside the window brings half
// its cost. A zero-length session (Start equal to End) whose Start lies in
// the window is one piece of length 0 that carries its whole cost.
//
// # Time zones and daylight saving time
//
// Buckets follow the wall clock, so they are not all the same length: a day
// in America/New_York lasts 23 hours when clocks go forward and 25 when they
// go back; an hour on Australia/Lord_Howe lasts 30 or 90 minutes when its
// clocks move by half an hour; a repeated hour is two buckets, a repeated
// midnight does not split a day. The exact rules are in the documentation
// of [Calendar]. Like the time package, this package has no fixed-length
// Day: all calendar arithmetic goes through a *time.Location.
//
// [ParseTimezone] reads the cloud APIs' fixed-offset notation, "UTC+8" or
// "UTC-09:30", in which "+8" means eight hours ahead of UTC (the opposite
// of POSIX TZ and of Etc/GMT+8). Zones with daylight saving time come from
// [time.LoadLocation], which the caller does: this package never reads the
// zone database, or the clock, or anything else.
//
// # Statistics
//
// A [Query] names the window, period, zone, group-by labels, statistics
// and queue or fleet ids, as the cloud API's request does. [Aggregate]
// returns a [Result]: one [Row] per bucket and group that holds a piece,
// ordered by bucket start and then by the group's labels as byte strings,
// whatever the order of the input. A row counts its pieces (a session
// spanning three buckets counts once in each) and summarises their runtime
// and cost in a [Stats]: count, sum, minimum, maximum and mean. Sums are
// compensated, so a billion additions lose no precision. Rows marshal to
// JSON in the cloud API's response shape.
//
// Where the cloud API is silent, this package chooses, and says so in the
// documentation of the name concerned: an empty label is a value like any
// other; the zero Query aggregates everything into UTC days with all four
// statistics; a repeated group-by field or statistic is an error; sessions
// that the queue or fleet ids exclude are skipped, while an invalid session
// is an error, never silently dropped; a cost above [MaxCostInUSD], some
// 1.9e289 dollars, is invalid, so that no sum overflows; a session whose
// Start or End is the zero time.Time is invalid, since the zero time
// means a field left unset far more often than year 1; and rows whose
// times fall outside the years 0001 to 9999, which RFC 3339 cannot
// write, are an error ([ErrOutOfRange]).
//
// # Merging partial results
//
// An [Aggregator] takes sessions one at a time ([Aggregator.Add]) or a
// sequence at a time ([Aggregator.AddAll], faster when the rows outgrow the
// processor's cache). Aggregators of the same
// query merge ([Aggregator.Merge]): merging is associative and commutative
// with the empty Aggregator as identity, so shards aggregated in goroutines
// ([AggregateParallel]) or in other processes ([Aggregator.MarshalBinary],
// [Aggregator.UnmarshalBinary]) give the rows of aggregating everything at
// once. Memory grows with the number of rows and groups, never with the
// number of sessions. The zero Aggregator is an empty one of the zero
// Query.
//
// The binary form carries a checksum, and decoding accepts only rows that
// an aggregation could have produced, in their order, each once: corrupt
// or crafted data is an error ([ErrInvalidData]), checked whole before any
// row is built, so that memory follows the rows of valid data and not
// what invalid data claims.
//
// # Pages and limits
//
// [Result.Page] reads a result a page of rows at a time, with an opaque
// token for the next page that is bound to the query and to the rows: a
// token of another query, of the same query over other data, or a forged
// or corrupted one, is an error, never a wrong page.
//
// Query.MaxBuckets and Query.MaxRows make a query that would be too large
// fail fast with [ErrTooLarge], the cloud API's TIMEOUT. On a side of the
// window left open, where the sessions decide how many buckets there are,
// a query without a MaxBuckets has [DefaultMaxBuckets], a million, so
// that no session, however long, exhausts memory; set MaxBuckets to raise
// it, or to [NoLimit] to lift it. UsageQuery has MaxDays and MaxRows.
//
// # Streaming
//
// A long-running caller adds sessions as they end and calls
// [Aggregator.Close] with a watermark W, its promise that no session
// added later has a piece before W. Close returns the rows of every
// bucket that ends at or before W, in row order, and forgets them, so
// that memory holds the open buckets' rows only: a stream of any length
// whose sessions are bounded in length runs in constant memory.
// Watermarks only move forward; an earlier one closes nothing. A session
// added later with a piece in a closed bucket is refused with an error
// wrapping [ErrLate] that names the session and the bucket; none of it is
// added, and the aggregation goes on.
//
// The rows of every Close, followed by those of the final Result, are the
// rows of aggregating every session at once: same rows, same order, the
// same values up to the last bits of floating-point sums. With FillEmpty,
// a close emits the empty rows of closed buckets that the rows seen so
// far prove: on an open end of the window, the empty buckets after the
// last row so far come out only once a later row shows that the result
// reaches them. One difference remains: with FillEmpty and GroupBy, a
// group whose first row comes after a close has no empty rows in the
// buckets closed before it (nor does a group whose rows were all closed
// after a round trip through the binary form, which holds open rows
// only). Aggregators of a stream merge only when closed at the same
// watermark, or both never closed ([ErrMismatch] otherwise); their
// binary form carries the watermark. MaxRows bounds the rows held, open
// ones; closed rows no longer count.
//
// # Errors
//
// Bad input gets an error that names the field and the value, as a
// *[FieldError], and wraps one of the exported sentinels ([ErrInvalidQuery],
// [ErrInvalidSession], [ErrInvalidPeriod], [ErrInvalidTimezone] ...), to be
// matched with [errors.Is]. Nothing panics on bad input.
//
// # Other shapes
//
// [AggregateDevices] computes Tencent TRRO's statistics: per bucket, the
// sessions, their total minutes, the distinct active field and remote
// devices, and the share of sessions not rated bad. [DesktopUsageReport]
// computes Huawei Workspace's desktop usage: per desktop, the usage of each
// day with sessions split at midnight, the idle days, with filters and
// sorting.
//
// # Index
//
//   - [ParsePeriod], [Period], [WeekStart]: the length of a bucket.
//   - [ParseTimezone]: the cloud APIs' UTC±H[:MM] zones.
//   - [Calendar], [Bucket], [Piece]: buckets and the split of an interval.
//   - [Session], [Query], [Aggregate], [AggregateParallel]: a query at once.
//   - [Aggregator]: incremental, mergeable and serialisable aggregation.
//   - [Aggregator.Close], [ErrLate]: streams, closing finished buckets.
//   - [Columns], [Aggregator.AddColumns]: sessions column by column, as
//     Arrow and Parquet hold them.
//   - [Result], [Row], [Stats], [Page]: what comes out.
//   - [Result.AppendColumns], [Result.AppendPageJSON],
//     [Result.AppendRowsJSON]: many rows out, with no Row made per row.
//   - [AggregateDevices], [DesktopUsageReport]: the TRRO and Workspace shapes.
package sessionagg
