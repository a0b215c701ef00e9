package sim

import (
	"strconv"
	"unsafe"
)

// arena hands out strings built in large shared chunks, so the hot path
// makes one allocation per few thousand ids or messages instead of one per
// event. Bytes are never written again once a string points at them, so the
// strings are ordinary immutable Go strings that sinks may keep.
type arena struct {
	buf []byte
}

const arenaChunk = 64 << 10

// begin returns the buffer to append into; finish turns the appended bytes
// into a string.
func (a *arena) begin(need int) []byte {
	if cap(a.buf)-len(a.buf) < need {
		size := arenaChunk
		if need > size {
			size = need
		}
		a.buf = make([]byte, 0, size)
	}
	return a.buf
}

func (a *arena) finish(b []byte) string {
	start := len(a.buf)
	if len(b) == start {
		return ""
	}
	s := unsafe.String(&b[start], len(b)-start)
	a.buf = b
	return s
}

// seqID builds "<prefix><n in base 36>".
func (a *arena) seqID(prefix string, n uint64) string {
	b := a.begin(len(prefix) + 14)
	b = append(b, prefix...)
	b = strconv.AppendUint(b, n, 36)
	return a.finish(b)
}
