// Package sessionagg turns session records into time-bucketed usage
// statistics, as cloud consoles compute them, locally and without I/O.
//
// # Sessions and buckets
//
// A session is a half-open interval [Start, End) of absolute time. A
// [Calendar] divides time into buckets of one [Period] (an hour, day, week
// or month) of the wall clock in one *time.Location, and [Calendar.Split]
// cuts a session at every bucket boundary into pieces that each lie in one
// bucket.
//
// # Time zones and daylight saving time
//
// Buckets follow the wall clock, so they are not all the same length: a day
// in America/New_York lasts 23 hours when clocks go forward and 25 when they
// go back, and an hour on Australia/Lord_Howe lasts 30 or 90 minutes when
// its clocks move by half an hour. The exact rules are in the documentation
// of [Calendar]. [ParseTimezone] reads the cloud APIs' fixed-offset
// notation, "UTC+8" or "UTC-09:30", in which "+8" means ahead of UTC; zones
// with daylight saving time come from [time.LoadLocation], which the caller
// does: this package never reads the zone database.
//
// # Index
//
//   - [ParsePeriod], [Period], [WeekStart]: the length of a bucket.
//   - [ParseTimezone]: the cloud APIs' UTC±H[:MM] zones.
//   - [Calendar], [Bucket], [Piece]: buckets and the split of an interval.
package sessionagg
