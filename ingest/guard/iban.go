package guard

// ibanLengths is the IBAN length of each country in the SWIFT IBAN
// registry. A candidate must name a registered country and have exactly its
// length; with the mod-97 checksum, a chance match is about one in ten
// thousand ids of the right shape.
var ibanLengths = map[[2]byte]uint8{
	{'A', 'D'}: 24, {'A', 'E'}: 23, {'A', 'L'}: 28, {'A', 'T'}: 20, {'A', 'Z'}: 28, {'B', 'A'}: 20,
	{'B', 'E'}: 16, {'B', 'G'}: 22, {'B', 'H'}: 22, {'B', 'I'}: 27, {'B', 'R'}: 29, {'B', 'Y'}: 28,
	{'C', 'H'}: 21, {'C', 'R'}: 22, {'C', 'Y'}: 28, {'C', 'Z'}: 24, {'D', 'E'}: 22, {'D', 'J'}: 27,
	{'D', 'K'}: 18, {'D', 'O'}: 28, {'E', 'E'}: 20, {'E', 'G'}: 29, {'E', 'S'}: 24, {'F', 'I'}: 18,
	{'F', 'K'}: 18, {'F', 'O'}: 18, {'F', 'R'}: 27, {'G', 'B'}: 22, {'G', 'E'}: 22, {'G', 'I'}: 23,
	{'G', 'L'}: 18, {'G', 'R'}: 27, {'G', 'T'}: 28, {'H', 'R'}: 21, {'H', 'U'}: 28, {'I', 'E'}: 22,
	{'I', 'L'}: 23, {'I', 'Q'}: 23, {'I', 'S'}: 26, {'I', 'T'}: 27, {'J', 'O'}: 30, {'K', 'W'}: 30,
	{'K', 'Z'}: 20, {'L', 'B'}: 28, {'L', 'C'}: 32, {'L', 'I'}: 21, {'L', 'T'}: 20, {'L', 'U'}: 20,
	{'L', 'V'}: 21, {'L', 'Y'}: 25, {'M', 'C'}: 27, {'M', 'D'}: 24, {'M', 'E'}: 22, {'M', 'K'}: 19,
	{'M', 'N'}: 20, {'M', 'R'}: 27, {'M', 'T'}: 31, {'M', 'U'}: 30, {'N', 'I'}: 28, {'N', 'L'}: 18,
	{'N', 'O'}: 15, {'O', 'M'}: 23, {'P', 'K'}: 24, {'P', 'L'}: 28, {'P', 'S'}: 29, {'P', 'T'}: 25,
	{'Q', 'A'}: 29, {'R', 'O'}: 24, {'R', 'S'}: 22, {'R', 'U'}: 33, {'S', 'A'}: 24, {'S', 'C'}: 31,
	{'S', 'D'}: 18, {'S', 'E'}: 24, {'S', 'I'}: 19, {'S', 'K'}: 24, {'S', 'M'}: 27, {'S', 'O'}: 23,
	{'S', 'T'}: 25, {'S', 'V'}: 28, {'T', 'L'}: 23, {'T', 'N'}: 24, {'T', 'R'}: 26, {'U', 'A'}: 29,
	{'V', 'A'}: 22, {'V', 'G'}: 24, {'X', 'K'}: 20, {'Y', 'E'}: 30,
}

// ibanAt matches an IBAN at i: a registered country, two check digits,
// then upper-case letters and digits to the country's length, unbroken or
// in groups of four separated by single spaces, with a valid ISO 7064
// mod-97 checksum.
func ibanAt(s string, i int) (int, bool) {
	if len(s)-i < 4 || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
		return 0, false
	}
	want := int(ibanLengths[[2]byte{s[i], s[i+1]}])
	if want == 0 || len(s)-i < want {
		return 0, false
	}
	// The checksum reads the first four characters last: value(body ++
	// head) mod 97 = (value(body) * 10^digits(head) + value(head)) mod 97.
	head, headScale := 0, 1
	for k := i; k < i+4; k++ {
		head, headScale = mod97Add(head, headScale, s[k])
	}
	body, chars, p := 0, 4, i+4
	for chars < want {
		if p < len(s) && s[p] == ' ' && chars%4 == 0 {
			p++ // grouped by four: "DE89 3704 0044 0532 0130 00"
		}
		if p >= len(s) || !isDigit(s[p]) && !isUpper(s[p]) {
			return 0, false
		}
		body, _ = mod97Add(body, 1, s[p])
		chars++
		p++
	}
	if p < len(s) && isAlnum(s[p]) || (body*headScale+head)%97 != 1 {
		return 0, false
	}
	return p, true
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
