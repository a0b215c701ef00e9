package fingerprint

import "strings"

// Byte classes, looked up in one table so the scanner never branches on
// ranges. A byte may be in several classes.
const (
	clsSpace      uint16 = 1 << iota // token separator (whitespace and control bytes)
	clsDigit                         // 0-9
	clsLower                         // a-z
	clsUpper                         // A-Z
	clsHigh                          // any byte >= 0x80: part of a UTF-8 letter
	clsHex                           // 0-9 a-f A-F
	clsJoiner                        // joins word runs into one compound: . - _ ~
	clsGlue                          // may sit between two wildcards that collapse into one
	clsOpen                          // a value, path or quote may start right after it
	clsValueStop                     // ends the value of key=value
	clsPathStop                      // ends a path or URL
	clsQuote                         // " ' `
	clsSpecial                       // . = / \ and quotes: may start a rule in a digit-free token
	clsNotNumeric                    // not in a number-like token ("10.0.0.1:80", "-1,5", "12:30")
)

const clsWord = clsDigit | clsLower | clsUpper | clsHigh

var class = func() (t [256]uint16) {
	for c := 0; c < 0x20; c++ {
		t[c] |= clsSpace | clsValueStop | clsPathStop
	}
	t[' '] |= clsSpace | clsValueStop | clsPathStop
	t[0x7f] |= clsSpace | clsValueStop | clsPathStop
	for c := '0'; c <= '9'; c++ {
		t[c] |= clsDigit | clsHex
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= clsLower
		t[c-'a'+'A'] |= clsUpper
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= clsHex
		t[c-'a'+'A'] |= clsHex
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] |= clsHigh
	}
	// '~' joins the parts of Windows component names
	// ("Microsoft-Windows-Foo~31bf3856ad364e35~amd64~~6.1.7601.17514").
	for _, c := range []byte("._-~") {
		t[c] |= clsJoiner
	}
	// '*' is not glue: a run of stars stands for a missing or hidden
	// reading ("Fan speeds ( 3552 **** 3515 )"), text of the event rather
	// than a separator between the items of one list of values.
	for _, c := range []byte(":.-_/@#|,+~\\") {
		t[c] |= clsGlue
	}
	for _, c := range []byte("=:([{,<;|\"'`") {
		t[c] |= clsOpen
	}
	for _, c := range []byte(",;()[]{}&|\"'`") {
		t[c] |= clsValueStop
	}
	for _, c := range []byte(")]}>,;\"'`|") {
		t[c] |= clsPathStop
	}
	for _, c := range []byte("\"'`") {
		t[c] |= clsQuote
	}
	for _, c := range []byte(".=/\\\"'`") {
		t[c] |= clsSpecial
	}
	for c := range t {
		if t[c]&clsDigit == 0 && !strings.ContainsRune(".:-_,+", rune(c)) {
			t[c] |= clsNotNumeric
		}
	}
	return t
}()

func is(c byte, cls uint16) bool { return class[c]&cls != 0 }

// equalFold reports whether s equals the lower-case ASCII word w, ignoring case.
func equalFold(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if is(c, clsUpper) {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}
