// Package sessionio reads sessions for the sessionagg package from CSV
// with a header row and from JSON Lines, as its command does: one record a
// session, streamed, allocating nothing per record once its labels have
// been seen.
//
// # Fields
//
// Records name their fields as the cloud APIs do, in any ASCII letter
// case and with space around them trimmed: startTime, endTime, costInUsd
// and the labels queueId, fleetId, jobId, jobName, userId, usageType,
// licenseProduct and instanceType for a [sessionagg.Session]; fieldDevice,
// remoteDevice and quality for a [sessionagg.DeviceSession]; resourceId
// and resourceName for a [sessionagg.DesktopSession]. Other columns or
// keys are ignored; Options.Columns maps other names onto the fields.
//
// # Times
//
// Times are RFC 3339 with an offset or integer Unix seconds, and, when
// Options.Location names their zone, local times without an offset. A
// local time that the zone's clock skips (a daylight saving gap) or shows
// twice (when it goes back) is an error that names the line, the field,
// the value and the zone: the reader never guesses. See [ParseTime].
//
// # Errors
//
// A bad record ends the reading with an *[Error] that names the line on
// which the record starts, the field and the value, and wraps a sentinel
// such as [ErrInvalidTime], or an error of the sessionagg package such as
// sessionagg.ErrInvalidSession for an end before the start. Text that is
// not UTF-8 is an error, never replaced by U+FFFD, so that two different
// labels never become one.
//
// # Index
//
//   - [Sessions], [DeviceSessions], [DesktopSessions]: a reader's sessions
//     as an iter.Seq2.
//   - [Reader]: the same one record at a time, with the line number, and
//     with Options.Query, only the labels a query uses.
//   - [ParseTime]: the times the readers take.
package sessionio
