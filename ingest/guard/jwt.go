package guard

func isB64URLByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// jwtAt matches a JSON web token at i: base64url segments joined by dots,
// the first one a JSON object ("eyJ" is base64 for `{"`). Three segments
// for a signed token (the signature may be empty), five for an encrypted one.
func jwtAt(s string, i int) (int, bool) {
	if i > 0 && (isB64URLByte(s[i-1]) || s[i-1] == '.') && s[i-1] != '/' {
		return 0, false
	}
	end, segs, last := i, 0, 0
	for segs < 5 {
		e := end
		for e < len(s) && isB64URLByte(s[e]) {
			e++
		}
		if segs < 2 && e-end < 2 {
			break
		}
		segs, last, end = segs+1, e-end, e
		if end >= len(s) || s[end] != '.' {
			break
		}
		end++
	}
	if segs < 3 || end-i < minLongRun {
		return 0, false
	}
	// An empty third segment is an unsigned token's; after that, an empty
	// segment means the last dot was punctuation.
	if segs > 3 && last == 0 {
		end--
	}
	return end, true
}
