package guard

import (
	"strings"
	"unicode/utf8"
)

// unescapePath percent-decodes a path until no escape is left, so that a
// doubly encoded value (jane%2540example.org) cannot hide and a second scrub
// changes nothing. Unlike url.PathUnescape, which gives up on the whole path
// at the first malformed escape, it decodes every well-formed %XX and keeps
// the rest: one stray "%zz" must not shelter the others. Bytes that decode
// to invalid UTF-8 become U+FFFD, as the event contract requires valid text.
func unescapePath(p string) string {
	for strings.IndexByte(p, '%') >= 0 {
		d, changed := unescapeOnce(p)
		if !changed {
			break
		}
		p = d
	}
	if !utf8.ValidString(p) {
		p = strings.ToValidUTF8(p, "\uFFFD")
	}
	return p
}

func unescapeOnce(p string) (string, bool) {
	var b strings.Builder
	changed := false
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			if !changed {
				b.Grow(len(p))
				b.WriteString(p[:i])
				changed = true
			}
			b.WriteByte(unhex(p[i+1])<<4 | unhex(p[i+2]))
			i += 2
			continue
		}
		if changed {
			b.WriteByte(p[i])
		}
	}
	if !changed {
		return p, false
	}
	return b.String(), true
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
