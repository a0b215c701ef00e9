package guard

// Byte classes, one table lookup per byte. The prefilter ORs them over a
// string to learn which detectors can possibly match.
const (
	cDigit  uint16 = 1 << iota
	cUpper         // A-Z
	cLower         // a-z
	cRun           // base64 / base64url alphabet: letters, digits, + / _ -
	cHex           // 0-9 a-f A-F
	cNonHex        // a run byte that is neither a hex digit nor '-'
	cNumber        // digits and what joins digit groups: space - . ( ) +
	cSpace         // space, tab, newline
	cSlash         // /, which separates path segments inside a run
	// Bytes that other detectors start from. scanTokens ORs every byte's
	// class, so a detector runs only when its byte occurs.
	cAt      // @
	cPercent // %, for url-encoded @ (%40)
	cEq      // =
	cColon   // :
	cB       // b or B, for Bearer and Basic
)

var classTab = func() (t [256]uint16) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= cDigit | cRun | cHex | cNumber
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= cUpper | cRun | cNonHex
		t[c+'a'-'A'] |= cLower | cRun | cNonHex
	}
	for _, c := range "abcdefABCDEF" {
		t[c] |= cHex
		t[c] &^= cNonHex
	}
	for _, c := range "+/_-" {
		t[c] |= cRun
	}
	for _, c := range "+/_" {
		t[c] |= cNonHex
	}
	t['/'] |= cSlash
	t['@'] |= cAt
	t['%'] |= cPercent
	t['='] |= cEq
	t[':'] |= cColon
	t['b'] |= cB
	t['B'] |= cB
	for _, c := range " -.()+" {
		t[c] |= cNumber
	}
	for _, c := range " \t\n\r\v\f" {
		t[c] |= cSpace
	}
	return t
}()

func isDigit(c byte) bool { return c-'0' < 10 }
func isAlpha(c byte) bool { return classTab[c]&(cUpper|cLower) != 0 }
func isAlnum(c byte) bool { return classTab[c]&(cDigit|cUpper|cLower) != 0 }
func isHex(c byte) bool   { return classTab[c]&cHex != 0 }
func isSpace(c byte) bool { return classTab[c]&cSpace != 0 }

// isWordByte reports whether c continues an identifier-like word: a number
// glued to one (host17, 30s, v2) is part of the word, not a number. Only
// ASCII counts: scripts written without spaces glue digits to letters
// ("卡号4111…"), and those digits must still be read as numbers.
func isWordByte(c byte) bool { return c == '_' || classTab[c]&(cDigit|cUpper|cLower) != 0 }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
