package sessionagg

import (
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString checks that appendJSONString writes what
// encoding/json writes, byte for byte, for any string: plain ones by its
// own fast path, the others by encoding/json.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "queue-1", `a"b`, `a\b`, "<", ">", "&", "tab\there", "\x7f", "é", "\u2028", "\xff\xfe", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got[1:], want)
		}
	})
}
