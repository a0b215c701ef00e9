package guard

import "strings"

// scanTokens is the one pass over every byte. It finds the runs of the
// base64 alphabet (candidate keys, tokens, JWTs, IBANs and secrets) and the
// starts of numbers (IP addresses, card and phone numbers). Everything else
// is found by vectorised searches for a rare byte (@, =, :, b) elsewhere;
// seen, the OR of the classes of all bytes, says which are worth running.
func (g *Guard) scanTokens(s string, sp []span) (_ []span, seen uint16) {
	numEnd := 0 // bytes before numEnd were read as part of a number already
	for i := 0; i < len(s); {
		if c := classTab[s[i]]; c&cRun == 0 {
			seen |= c
			if s[i] == '(' && i >= numEnd && i+1 < len(s) && isDigit(s[i+1]) && (i == 0 || !isWordByte(s[i-1])) {
				sp, numEnd = g.numberAt(s, i, sp)
			}
			i++
			continue
		}
		a := i
		var class uint16
		for ; i < len(s); i++ {
			c := classTab[s[i]]
			if c&cRun == 0 {
				break
			}
			class |= c
		}
		seen |= class
		b := i
		if b < len(s) && s[b] == '=' { // base64 padding, unless it is key=value
			seen |= cEq
			for i < len(s) && s[i] == '=' {
				i++
			}
			if i == len(s) || classTab[s[i]]&cRun == 0 {
				b = i
			} else {
				i = b
			}
		}
		if class&cDigit != 0 && b > numEnd {
			sp, numEnd = g.numbersInRun(s, a, b, numEnd, sp)
		}
		// Every key, token, IBAN and secret looked for has a digit or an
		// upper-case letter; paths and hyphenated names mostly do not.
		if class&(cDigit|cUpper) != 0 {
			sp = g.endRun(s, a, b, class, sp)
		}
	}
	return sp, seen
}

// numbersInRun reads the numbers that start inside the run s[a:b]: at its
// start or after a symbol (/v1/cards/4111…, id-4111…, +44…), never glued to
// a word (host17, 30s, v2).
func (g *Guard) numbersInRun(s string, a, b, numEnd int, sp []span) ([]span, int) {
	for k := a; k < b; k++ { // k follows a symbol or starts the run
		switch {
		case k < numEnd:
		case isHex(s[k]) && b-k >= uuidLen && isUUIDAt(s, k):
			numEnd = k + uuidLen // the digit groups of a UUID are not numbers (7c83049d-0950-5304-…)
		case isDigit(s[k]) || s[k] == '+' && k+1 < len(s) && isDigit(s[k+1]):
			sp, numEnd = g.numberAt(s, k, sp)
		}
		for k < b && isWordByte(s[k]) {
			k++
		}
	}
	return sp, numEnd
}

// endRun looks at the run s[a:b]; class is the OR of its byte classes.
func (g *Guard) endRun(s string, a, b int, class uint16, sp []span) []span {
	// Vendor keys, JWTs and IBANs, at the start of the run or of a path
	// segment. Whatever else the run holds, the next pass judges.
	for p := a; p < b; {
		if n := prefixedTokenLen(s[p:b]); n > 0 {
			return append(sp, span{start: p, end: p + n, kind: KindToken})
		}
		if p > a && b-p > 3 && s[p] == 'e' && s[p+1] == 'y' && s[p+2] == 'J' {
			if end, ok := jwtAt(s, p); ok {
				return append(sp, span{start: p, end: end, kind: KindJWT})
			}
		}
		if class&cDigit != 0 && isUpper(s[p]) {
			if end, ok := ibanAt(s, p); ok {
				return append(sp, span{start: p, end: end, kind: KindIBAN})
			}
		}
		if class&cSlash == 0 {
			break
		}
		k := strings.IndexByte(s[p:b], '/')
		if k < 0 {
			break
		}
		p += k + 1
	}
	if b-a > 3 && b < len(s) && s[b] == '.' && s[a] == 'e' && s[a+1] == 'y' && s[a+2] == 'J' {
		if end, ok := jwtAt(s, a); ok {
			return append(sp, span{start: a, end: end, kind: KindJWT})
		}
	}
	// Hex (hashes, trace ids, UUIDs) is operational.
	if b-a < minSecretLen || class&cNonHex == 0 {
		return sp
	}
	return classifyRun(s, a, b, sp)
}

// numberAt reads the number starting at i and returns where reading
// numbers may resume.
func (g *Guard) numberAt(s string, i int, sp []span) ([]span, int) {
	// Most numbers in operational text are short (30s, 503, :5432, 12.5ms).
	// Nothing is looked for with fewer than 4 digits, nor with fewer than 9
	// unless it could be a dotted quad.
	end, ok := prescanNumber(s, i)
	if !ok {
		return sp, end
	}
	if isDigit(s[i]) {
		// A UUID is an id: keep it, and never read its digit groups as a
		// number. (UUIDs that start with a letter are words; their all-digit
		// groups are too long to read as a card or phone number.)
		if end, ok := uuidAt(s, i); ok {
			return sp, end
		}
		if end, addr, ok := ipv4At(s, i); ok {
			if !keepAddr(addr) {
				sp = append(sp, span{start: i, end: end, kind: KindIP, tag: g.ipPseudonym(addr)})
			}
			return sp, end
		}
	}
	return g.numberRunAt(s, i, sp)
}

// prescanNumber follows the grammar of a number run (digit groups joined
// by single separators, + only first, parentheses around a group) just far
// enough to know whether it could hold an address, card or phone number.
// It stops as soon as the answer is known, so that a long series of short
// numbers ("1 1 1 …", "+1 +1 …") is read in linear time. When the answer is
// no, nothing before end can start a finding.
func prescanNumber(s string, i int) (end int, ok bool) {
	end, digits, dots := i, 0, 0
	if s[end] == '+' {
		end++
	}
	prev := byte('+') // the class of the byte before: digit '0', separator ' ', or '+'
	for end < len(s) && digits < 9 && (digits < 4 || dots < 3) {
		c := s[end]
		switch {
		case isDigit(c):
			digits++
			prev = '0'
		case c == ')' && prev == '0':
		case c == '(' && prev != '0':
			prev = '('
		case (c == ' ' || c == '-' || c == '.') && (prev == '0' || s[end-1] == ')'):
			if c == '.' {
				dots++
			}
			prev = ' '
		default:
			return end, !(digits < 4 || digits < 9 && dots < 3)
		}
		end++
	}
	return end, !(digits < 4 || digits < 9 && dots < 3)
}

// numberRunAt reads digit groups at i as a card or phone number. Apart
// from numberAt, so that only candidates pay for zeroing a numberRun.
func (g *Guard) numberRunAt(s string, i int, sp []span) ([]span, int) {
	var run numberRun
	run.parse(s, i)
	if k, ok := run.classify(); ok {
		return append(sp, span{start: run.start, end: run.end, kind: k}), run.end
	}
	return sp, max(run.end, i+1)
}
