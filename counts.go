package sessionagg

import (
	"slices"
)

// This file holds what readers of sessions need of the model: a label by
// its field, whether a query counts a session, and the checks of the
// other shapes' sessions.

// Label returns s's value of the label f, or "" if f is not a field.
func (s *Session) Label(f Field) string { return s.label(f) }

// SetLabel sets s's label f to v. It does nothing if f is not a field.
func (s *Session) SetLabel(f Field, v string) {
	switch f {
	case QueueID:
		s.QueueID = v
	case FleetID:
		s.FleetID = v
	case JobID:
		s.JobID = v
	case UserID:
		s.UserID = v
	case UsageType:
		s.UsageType = v
	case InstanceType:
		s.InstanceType = v
	case LicenseProduct:
		s.LicenseProduct = v
	}
}

// Counts reports whether q counts s: whether s passes q's queue or fleet
// ids and has a piece in q's window, a part of it inside the window or,
// if s has zero length, a Start inside it. [Aggregator.Add] skips the
// sessions that q does not count; a reader can skip them sooner, before
// it makes strings of their labels. Counts does not validate s.
func (q *Query) Counts(s *Session) bool {
	switch {
	case len(q.QueueIDs) > 0 && !slices.Contains(q.QueueIDs, s.QueueID):
		return false
	case len(q.FleetIDs) > 0 && !slices.Contains(q.FleetIDs, s.FleetID):
		return false
	}
	w := newWindow(q.Start, q.End)
	_, _, ok := w.clipSession(instantOf(s.Start), instantOf(s.End))
	return ok
}

// Validate reports whether s can be aggregated: its End must not be
// before its Start, and its Quality must be one of the three. The error
// is a *[FieldError] naming "endTime" or "quality" and wraps
// [ErrInvalidSession].
func (s *DeviceSession) Validate() error {
	if err := (&Session{Start: s.Start, End: s.End}).Validate(); err != nil {
		return err
	}
	if s.Quality > Bad {
		return sessionError("quality", s.Quality.String(), ErrInvalidQuality)
	}
	return nil
}

// Validate reports whether s can be aggregated: its End must not be
// before its Start. The error is a *[FieldError] naming "endTime" and
// wraps [ErrInvalidSession].
func (s *DesktopSession) Validate() error {
	return (&Session{Start: s.Start, End: s.End}).Validate()
}
