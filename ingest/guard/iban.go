package guard

// IBAN lengths: 15 (Norway) to 34 characters.
const (
	minIBANLen = 15
	maxIBANLen = 34
)

// ibanAt matches an IBAN at i: two letters, two check digits, then letters
// and digits, either unbroken or in groups of four separated by single
// spaces (the last group may be shorter), with a valid ISO 7064 mod-97
// checksum, which makes a chance match about one in a hundred. The longest
// valid candidate wins; the checksum is computed once, incrementally.
func ibanAt(s string, i int) (int, bool) {
	if len(s)-i < minIBANLen || !isUpper(s[i]) || !isUpper(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
		return 0, false
	}
	// The checksum reads the first four characters last: value(body ++
	// head) mod 97 = (value(body) * 10^digits(head) + value(head)) mod 97.
	head, headScale := 0, 1
	for k := i; k < i+4; k++ {
		head, headScale = mod97Add(head, headScale, s[k])
	}
	body, bodyScale := 0, 1
	best, chars, p := 0, 4, i+4
	for p < len(s) && chars < maxIBANLen {
		g := p
		for g < len(s) && isAlnum(s[g]) && chars+(g-p) < maxIBANLen {
			body, bodyScale = mod97Add(body, bodyScale, s[g])
			g++
		}
		if g < len(s) && isAlnum(s[g]) {
			break // longer than any IBAN
		}
		chars += g - p
		if chars >= minIBANLen && (body*headScale+head)%97 == 1 {
			best = g
		}
		// Grouped by four: "DE89 3704 0044 0532 0130 00".
		groupEnd := (chars % 4) == 0
		if !groupEnd || g+1 >= len(s) || s[g] != ' ' || !isAlnum(s[g+1]) {
			break
		}
		p = g + 1
	}
	return best, best > 0
}

// mod97Add appends one IBAN character (digit, or letter as 10..35) to the
// number whose remainder is rem; scale tracks 10^digits mod 97.
func mod97Add(rem, scale int, c byte) (int, int) {
	if isDigit(c) {
		return (rem*10 + int(c-'0')) % 97, scale * 10 % 97
	}
	return (rem*100 + int(lower(c)-'a') + 10) % 97, scale * 100 % 97
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
