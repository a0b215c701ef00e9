package sim

import "unsafe"

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

// counter is a base-36 sequence number kept as digits, so the next id is
// an in-place increment rather than a formatting of the number.
type counter struct {
	digits []byte // most significant first, strconv.FormatUint(n, 36) form
}

func (c *counter) next() []byte {
	for i := len(c.digits) - 1; i >= 0; i-- {
		switch d := c.digits[i]; d {
		case 'z':
			c.digits[i] = '0'
			continue
		case '9':
			c.digits[i] = 'a'
		default:
			c.digits[i] = d + 1
		}
		return c.digits
	}
	c.digits = append([]byte{'1'}, c.digits...)
	return c.digits
}

// nextID builds "<prefix><next counter value>".
func (a *arena) nextID(prefix string, c *counter) string {
	d := c.next()
	b := a.begin(len(prefix) + len(d))
	b = append(b, prefix...)
	b = append(b, d...)
	return a.finish(b)
}
