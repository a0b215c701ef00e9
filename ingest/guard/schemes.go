package guard

import (
	"encoding/base64"
	"strings"
)

// isB64TokenByte: the RFC 6750 b64token alphabet of bearer credentials.
func isB64TokenByte(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}

// authSchemeAt replaces the credentials after a run s[a:b] that ends with
// the scheme word "Bearer" or "Basic" (also after a symbol, as in
// /Bearer), found anywhere in text, not only in a header. "Basic" is a
// common English word, so its credential must decode as base64 to
// user:password; any bearer credential counts.
func authSchemeAt(s string, a, b int, sp []span) []span {
	var basic bool
	switch {
	case isWordAt(s, a, b, "bearer"):
	case isWordAt(s, a, b, "basic"):
		basic = true
	default:
		return sp
	}
	v := b
	for v < len(s) && s[v] == ' ' {
		v++
	}
	if v == b {
		return sp
	}
	end := v
	for end < len(s) && isB64TokenByte(s[end]) {
		end++
	}
	if end == v || basic && !isBasicCredential(s[v:end]) {
		return sp
	}
	return append(sp, span{start: v, end: end, kind: KindToken})
}

// isWordAt reports whether the run s[a:b] ends with the lower-case word w,
// standing alone or after a symbol.
func isWordAt(s string, a, b int, w string) bool {
	start := b - len(w)
	return start >= a && hasPrefixFold(s[start:b], w) && (start == a || !isAlnum(s[start-1]))
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case; prefix is lower case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

func isBasicCredential(tok string) bool {
	if len(tok) < 8 || len(tok)%4 != 0 || len(tok) > 1024 {
		return false
	}
	var buf [768]byte
	n, err := base64.StdEncoding.Decode(buf[:], []byte(tok))
	return err == nil && strings.IndexByte(string(buf[:n]), ':') > 0
}
