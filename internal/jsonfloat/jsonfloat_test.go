package jsonfloat

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAppendFloat checks that CSV numbers are written as encoding/json
// writes them, so that the two formats carry the same digits.
func TestAppendFloat(t *testing.T) {
	vals := []float64{0, 1, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, 2.5e-300}
	r := rand.New(rand.NewPCG(1, 1))
	for range 10000 {
		vals = append(vals, math.Float64frombits(r.Uint64()&^(1<<63)))
	}
	// encoding/json writes -0; a cost or runtime of -0 is 0.
	if got := Append(nil, math.Copysign(0, -1)); string(got) != "0" {
		t.Errorf("Append(-0) = %s, want 0", got)
	}
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		want, _ := json.Marshal(v)
		if got := Append(nil, v); !bytes.Equal(got, want) {
			t.Errorf("Append(%v) = %s, want %s", v, got, want)
		}
	}
}
