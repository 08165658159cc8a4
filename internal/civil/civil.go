// Package civil is the integer arithmetic of the proleptic Gregorian
// calendar that the library and its reader share: day numbers, days since
// 1970-01-01, computed without time.Time.
package civil

// FloorDiv returns a/b rounded toward negative infinity, for b > 0.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// DaysFromCivil returns the day number of the proleptic Gregorian date
// y-m-d, with m in 1..12. It is Howard Hinnant's days_from_civil.
func DaysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := FloorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// DaysIn returns the number of days of month m (1..12) of year y.
func DaysIn(y, m int64) int64 {
	if m == 12 {
		return 31
	}
	return DaysFromCivil(y, m+1, 1) - DaysFromCivil(y, m, 1)
}
