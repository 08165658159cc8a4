// Package jsonfloat writes float64 values as encoding/json does, for the
// library's JSON and the command's CSV, so that both carry the same
// digits.
package jsonfloat

import (
	"math"
	"strconv"
)

// Append appends f as encoding/json writes a float64: the shortest decimal
// that reads back as f, in exponent form only below 1e-6 or from 1e21, with
// a two-digit exponent written without a leading zero (1e-7, not 1e-07).
// f must not be NaN or infinite, which JSON cannot write. Unlike
// encoding/json, it writes -0 as 0: a sum, a cost or a runtime of -0 is 0.
func Append(b []byte, f float64) []byte {
	if f == 0 {
		f = 0
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 to e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
