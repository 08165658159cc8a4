package sessionio

import "strconv"

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

const costWant = "want a plain decimal number of US dollars, such as 1.25 or 2e-3"

// parseCost parses a cost: empty is 0, and otherwise a plain decimal
// number: an optional minus sign, digits with an optional fraction (at
// least one digit in all), and an optional exponent, as in -1, 0.25, .5,
// 3e-2. Underscores, hexadecimal, Inf and NaN are errors; so is a number
// whose magnitude rounds to infinity, or a nonzero one that rounds to zero.
// -0 is 0. Negative costs are left to Session.Validate, which names the
// field.
//
// A plain decimal of at most 15 digits, the usual case, is converted
// directly: its digits as an integer and the power of ten are both exact
// in a float64, so one division rounds correctly.
func parseCost(b []byte) (float64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var m uint64
	digits, frac, dot := 0, 0, false
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
			continue
		case c == '.' && !dot:
			dot = true
			continue
		}
		digits = 99 // anything else: the slow way
		break
	}
	if digits > 0 && digits <= 15 {
		return float64(m) / pow10[frac], nil
	}
	nonzero, ok := plainDecimal(b)
	if !ok {
		return 0, &reason{costWant, ErrInvalidNumber}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, &reason{"out of range", ErrInvalidNumber}
	}
	if f == 0 {
		if nonzero {
			return 0, &reason{"too small: it rounds to 0", ErrInvalidNumber}
		}
		return 0, nil // -0 too
	}
	return f, nil
}

// plainDecimal reports whether b is -?(d+(.d*)?|.d+)([eE][+-]?d+)?, and
// whether a digit of its mantissa is not 0.
func plainDecimal(b []byte) (nonzero, ok bool) {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	mant := 0
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		mant++
		nonzero = nonzero || b[i] != '0'
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			mant++
			nonzero = nonzero || b[i] != '0'
		}
	}
	if mant == 0 {
		return false, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false, false
		}
	}
	return nonzero, i == len(b)
}
