package fingerprint

import "bytes"

// dropAnnotations removes the tokens "(<*>)" and "()" that follow another
// token: a parenthesis holding only a variable, or nothing, is an optional
// annotation of what precedes it ("connection from 1.2.3.4 ()" and
// "… (host.example.com)", "2 bytes" and "2048 bytes (2 KB)"), and one event
// must not split by whether the annotation was there.
func dropAnnotations(out []byte) []byte {
	k := bytes.Index(out, []byte(" ("))
	if k < 0 {
		return out
	}
	w := k
	for r := k; r < len(out); {
		if out[r] == ' ' && r+1 < len(out) && out[r+1] == '(' {
			if n := annotationLen(out[r+1:]); n > 0 {
				r += 1 + n
				continue
			}
		}
		out[w] = out[r]
		w++
		r++
	}
	return out[:w]
}

// annotationLen returns the length of the "(<*>)" or "()" token that starts
// s, or 0 if s starts with neither or the parenthesis is followed by more
// than punctuation ("(<*>)ms" is not an annotation).
func annotationLen(s []byte) int {
	n := 0
	switch {
	case bytes.HasPrefix(s, []byte("("+Wildcard+")")):
		n = len(Wildcard) + 2
	case bytes.HasPrefix(s, []byte("()")):
		n = 2
	default:
		return 0
	}
	if n < len(s) && bytes.IndexByte([]byte(" ,;:."), s[n]) < 0 {
		return 0
	}
	return n
}
