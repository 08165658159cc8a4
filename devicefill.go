package sessionagg

// fillDevices returns out with a DeviceStats of no sessions for every
// bucket of q's window that has none: from q.Start, or the first bucket
// with a session if the window opens there, to q.End, or the last such
// bucket. With no sessions and a window open on a side there are none.
func fillDevices(q *DeviceQuery, out []DeviceStats) []DeviceStats {
	start, end := q.Start, q.End
	if len(out) > 0 {
		if start.IsZero() {
			start = out[0].Start
		}
		if end.IsZero() {
			end = out[len(out)-1].End
		}
	}
	if start.IsZero() || end.IsZero() {
		return out
	}
	period := q.Period
	if period == 0 {
		period = Daily
	}
	cal := Calendar{Period: period, Location: q.Location}
	var filled []DeviceStats
	i := 0
	for b := range cal.Buckets(start, end) {
		if i < len(out) && out[i].Start.Equal(b.Start) {
			filled = append(filled, out[i])
			i++
			continue
		}
		filled = append(filled, DeviceStats{Start: b.Start, End: b.End})
	}
	return filled
}
