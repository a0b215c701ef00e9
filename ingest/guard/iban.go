package guard

// IBAN lengths: 15 (Norway) to 34 characters.
const (
	minIBANLen = 15
	maxIBANLen = 34
)

// ibanAt matches an IBAN at i: two letters, two check digits, then letters
// and digits, either unbroken or in groups of four separated by single
// spaces (the last group shorter), and a valid ISO 7064 mod-97 checksum.
// The checksum makes a chance match about one in a hundred.
func ibanAt(s string, i int) (int, bool) {
	if len(s)-i < minIBANLen || !isUpper(s[i]) || !isUpper(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
		return 0, false
	}
	// Candidate ends after each group; the longest valid one wins.
	var ends [maxIBANLen/4 + 2]int
	n, chars, p := 0, 0, i
	for p < len(s) && chars < maxIBANLen {
		g := p
		for g < len(s) && isAlnum(s[g]) && chars+(g-p) < maxIBANLen+1 {
			g++
		}
		glen := g - p
		if glen == 0 || (n > 0 && glen > 4) { // after the first, groups have at most 4
			break
		}
		if g < len(s) && isAlnum(s[g]) {
			break // longer than an IBAN
		}
		chars += glen
		ends[n] = g
		n++
		if glen < 4 || n == len(ends) || g+1 >= len(s) || s[g] != ' ' || !isAlnum(s[g+1]) {
			break
		}
		p = g + 1
	}
	for n > 0 {
		end := ends[n-1]
		if l := alnumCount(s[i:end]); l >= minIBANLen && l <= maxIBANLen && ibanChecksumOK(s[i:end]) {
			return end, true
		}
		n--
	}
	return 0, false
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func alnumCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			n++
		}
	}
	return n
}

// ibanChecksumOK computes the IBAN's mod-97 remainder: the first four
// characters moved to the end, letters as 10..35, the whole must be 1.
func ibanChecksumOK(s string) bool {
	rem := 0
	add := func(c byte) {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case isAlpha(c):
			rem = (rem*100 + int(lower(c)-'a') + 10) % 97
		}
	}
	head := 0
	for k := 0; k < len(s); k++ {
		if !isAlnum(s[k]) {
			continue
		}
		if head < 4 {
			head++
			continue
		}
		add(s[k])
	}
	head = 0
	for k := 0; k < len(s) && head < 4; k++ {
		if isAlnum(s[k]) {
			add(s[k])
			head++
		}
	}
	return rem == 1
}
