package guard

import (
	"encoding/base64"
	"strings"
)

// isB64TokenByte: the RFC 6750 b64token alphabet of bearer credentials.
func isB64TokenByte(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}

// findAuthSchemes replaces the credentials after the scheme words
// "Bearer" and "Basic", found anywhere in text, not only in a header.
// "Basic" is a common English word, so its credential must decode as
// base64 to user:password; any bearer credential counts.
func findAuthSchemes(s string, sp []span) []span {
	for _, b := range [2]byte{'b', 'B'} { // b is rare in text; IndexByte is vectorised
		for off := 0; off < len(s); {
			i := strings.IndexByte(s[off:], b)
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if i > 0 && isAlnum(s[i-1]) {
				continue
			}
			word, basic := "bearer", false
			switch {
			case isWordAt(s, i, word):
			case isWordAt(s, i, "basic"):
				word, basic = "basic", true
			default:
				continue
			}
			if v, end, ok := schemeCredential(s, i+len(word), basic); ok {
				sp = append(sp, span{start: v, end: end, kind: KindToken})
				off = end
			}
		}
	}
	return sp
}

// schemeCredential finds the credential after a scheme word ending at w.
func schemeCredential(s string, w int, basic bool) (int, int, bool) {
	v := w
	for v < len(s) && s[v] == ' ' {
		v++
	}
	if v == w {
		return 0, 0, false
	}
	end := v
	for end < len(s) && isB64TokenByte(s[end]) {
		end++
	}
	if end == v || basic && !isBasicCredential(s[v:end]) {
		return 0, 0, false
	}
	return v, end, true
}

// isWordAt reports whether the lower-case word w is at s[i:], standing
// alone: not followed by a letter or digit.
func isWordAt(s string, i int, w string) bool {
	end := i + len(w)
	return hasPrefixFold(s[i:], w) && (end == len(s) || !isAlnum(s[end]))
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
