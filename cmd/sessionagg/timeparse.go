package main

import "time"

// Times in the input and in -start and -end are RFC 3339 with an offset or
// integer Unix seconds. They are parsed by hand, without allocating, because
// every record has two of them; FuzzParseTime checks the parser against
// time.Parse.

// Unix seconds of 0000-01-01T00:00:00Z and of 9999-12-31T23:59:59Z: the
// instants that RFC 3339's four-digit years can write. Unix seconds outside
// them are rejected too, so that both notations cover the same instants.
const (
	minUnix = -62167219200
	maxUnix = 253402300799
)

// timeWant says what parseTime accepts, for error messages.
const timeWant = "want RFC 3339 with an offset, such as 2026-03-01T09:00:00Z or 2026-03-01T17:00:00+08:00, or integer Unix seconds"

// parseTime parses b as integer Unix seconds (an optional minus sign and up
// to 12 digits) or as RFC 3339 with an offset, exactly as strict as
// time.Parse(time.RFC3339, ...) in its fast path: four-digit years 0000 to
// 9999, a day that exists in its month, hours 00 to 23, no leap second, any
// number of fractional digits after a '.' (truncated to nanoseconds), and
// "Z" or an offset ±hh:mm with hh below 24. The result is in UTC: the
// offset only places the instant. If b is neither, parseTime returns the
// zero Time and a short reason.
func parseTime(b []byte) (time.Time, string) {
	if len(b) == 0 {
		return time.Time{}, "required; " + timeWant
	}
	if isUnixSeconds(b) {
		return parseUnix(b)
	}
	return parseRFC3339(b)
}

// isUnixSeconds reports whether b is an optional '-' followed by digits
// only, which is never RFC 3339.
func isUnixSeconds(b []byte) bool {
	if b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parseUnix(b []byte) (time.Time, string) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	for len(b) > 1 && b[0] == '0' {
		b = b[1:]
	}
	if len(b) > 12 {
		return time.Time{}, "Unix seconds out of range (years 0000 to 9999)"
	}
	var v int64
	for _, c := range b {
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	if v < minUnix || v > maxUnix {
		return time.Time{}, "Unix seconds out of range (years 0000 to 9999)"
	}
	return time.Unix(v, 0).UTC(), ""
}

// num returns the value of the digits b, or -1 if one is not a digit.
func num(b []byte) int {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

func parseRFC3339(b []byte) (time.Time, string) {
	const layout = len("2006-01-02T15:04:05")
	if len(b) < layout || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, "not a time; " + timeWant
	}
	year, month, day := num(b[0:4]), num(b[5:7]), num(b[8:10])
	hour, minute, sec := num(b[11:13]), num(b[14:16]), num(b[17:19])
	if year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || sec < 0 {
		return time.Time{}, "not a time; " + timeWant
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, "month out of range"
	case day < 1 || day > daysIn(year, month):
		return time.Time{}, "day out of range"
	case hour > 23:
		return time.Time{}, "hour out of range"
	case minute > 59:
		return time.Time{}, "minute out of range"
	case sec > 59:
		return time.Time{}, "second out of range"
	}
	b = b[layout:]

	// Fractional seconds: a '.' and at least one digit, as time.Parse
	// wants; digits beyond the ninth are dropped.
	nsec := 0
	if len(b) >= 2 && b[0] == '.' && '0' <= b[1] && b[1] <= '9' {
		n := 1
		scale := 100000000
		for ; n < len(b) && '0' <= b[n] && b[n] <= '9'; n++ {
			nsec += int(b[n]-'0') * scale
			scale /= 10
		}
		b = b[n:]
	}

	// The offset: Z or ±hh:mm.
	off := 0
	switch {
	case len(b) == 1 && b[0] == 'Z':
	case len(b) == 6 && (b[0] == '+' || b[0] == '-') && b[3] == ':':
		h, m := num(b[1:3]), num(b[4:6])
		if h < 0 || m < 0 {
			return time.Time{}, "bad offset; " + timeWant
		}
		if h > 23 || m > 59 {
			return time.Time{}, "offset out of range"
		}
		off = (h*60 + m) * 60
		if b[0] == '-' {
			off = -off
		}
	case len(b) == 0:
		return time.Time{}, "no offset; add Z for UTC or ±hh:mm"
	default:
		return time.Time{}, "bad offset; " + timeWant
	}
	secs := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec) - int64(off)
	return time.Unix(secs, int64(nsec)).UTC(), ""
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// date of the proleptic Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
