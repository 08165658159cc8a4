package sessionagg

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// The bytes under fingerprints, page tokens and the binary form: varints
// (encoding/binary's), strings as a uvarint length then their bytes, and
// floats as 8 bytes little-endian.

// decoder reads the binary form; after the first error every read returns
// a zero value and the error stays in err.
type decoder struct {
	data []byte
	err  error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or malformed %s", ErrInvalidData, what)
	}
}

// uvarint reads an unsigned varint, which must be in its shortest
// encoding, so that a value has one encoding only.
func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data)
	if n <= 0 || n != uvarintLen(v) {
		d.fail("integer")
		return 0
	}
	d.data = d.data[n:]
	return v
}

// varint reads a signed varint, which must be in its shortest encoding.
func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.data)
	if n <= 0 || n != uvarintLen(uint64(v)<<1^uint64(v>>63)) {
		d.fail("integer")
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *decoder) float() float64 {
	if d.err != nil || len(d.data) < 8 {
		d.fail("number")
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.data))
	d.data = d.data[8:]
	return f
}

// bytes reads a string, without copying it.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.data)) {
		d.fail("string")
		return nil
	}
	b := d.data[:n]
	d.data = d.data[n:]
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// uvarintLen returns the length of v's shortest encoding as a uvarint.
func uvarintLen(v uint64) int { return max(1, (bits.Len64(v)+6)/7) }
