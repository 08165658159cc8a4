package sessionagg

import "github.com/sessionagg/sessionagg/internal/civil"

// Integer calendar arithmetic on Unix seconds and day numbers (days since
// 1970-01-01 in the proleptic Gregorian calendar). These are the fast path
// for fixed-offset zones: no time.Time and no zone lookups.

// floorDiv returns a/b rounded toward negative infinity, for b > 0.
func floorDiv(a, b int64) int64 { return civil.FloorDiv(a, b) }

// daysFromCivil returns the day number of the proleptic Gregorian date
// y-m-d, with m in 1..12. It is Howard Hinnant's days_from_civil.
func daysFromCivil(y, m, d int64) int64 { return civil.DaysFromCivil(y, m, d) }

// civilFromDays returns the year and month (1..12) of day number z. It is
// the inverse of daysFromCivil, less the day of the month.
func civilFromDays(z int64) (y, m int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m
}

// monthOrdinal returns the number of months from year 0 to the month that
// holds day number z: year*12 + month - 1.
func monthOrdinal(z int64) int64 {
	y, m := civilFromDays(z)
	return y*12 + m - 1
}

// monthFirstDay returns the day number of the first day of the month with
// ordinal n, the inverse of monthOrdinal.
func monthFirstDay(n int64) int64 {
	return daysFromCivil(floorDiv(n, 12), n-floorDiv(n, 12)*12+1, 1)
}

// monthDays returns the number of days in the month with ordinal n (see
// monthOrdinal): monthFirstDay(n+1) - monthFirstDay(n).
func monthDays(n int64) int64 {
	y := floorDiv(n, 12)
	switch m := n - y*12; m {
	case 1: // February
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	default:
		// Bit m of 0xad5 is set for the months of 31 days: January,
		// March, May, July, August, October and December.
		return 30 + (0xad5>>m)&1
	}
}
