package guard

import "net/netip"

const (
	maxGroups = 16 // digit groups in one number run
	// maxGroupDigits: a longer digit group is an id, never part of a card
	// or phone number; it ends the run.
	maxGroupDigits = 24
	// maxRunDigits ends a run: a card with its expiry and CVV has 25.
	maxRunDigits = 64
	// maxParenDigits: the longest area code or trunk prefix in parentheses.
	maxParenDigits = 5
)

const (
	sepSpace uint8 = 1 << iota
	sepDash
	sepDot
)

const uuidLen = 36

// isUUIDAt reports whether a UUID (8-4-4-4-12 hex digits) starts at i.
func isUUIDAt(s string, i int) bool {
	_, ok := uuidAt(s, i)
	return ok
}

// uuidAt matches a UUID (8-4-4-4-12 hex digits) starting at i.
func uuidAt(s string, i int) (int, bool) {
	const n = uuidLen
	if len(s)-i < n || s[i+8] != '-' || s[i+13] != '-' {
		return 0, false
	}
	for k := 0; k < n; k++ {
		c := s[i+k]
		if k == 8 || k == 13 || k == 18 || k == 23 {
			if c != '-' {
				return 0, false
			}
		} else if !isHex(c) {
			return 0, false
		}
	}
	if i+n < len(s) && isWordByte(s[i+n]) {
		return 0, false
	}
	return i + n, true
}

// ipv4At matches a dotted-quad IPv4 address starting at i. Zero-padded
// octets (010.001.002.003) are accepted, unlike netip.ParseAddr: for
// scrubbing, anything that reads as an address is one.
func ipv4At(s string, i int) (int, netip.Addr, bool) {
	if i > 0 && s[i-1] == '.' {
		return 0, netip.Addr{}, false
	}
	var oct [4]byte
	p := i
	for k := range 4 {
		if k > 0 {
			if p >= len(s) || s[p] != '.' {
				return 0, netip.Addr{}, false
			}
			p++
		}
		v, d := 0, 0
		for p < len(s) && isDigit(s[p]) && d < 3 {
			v = v*10 + int(s[p]-'0')
			p++
			d++
		}
		if d == 0 || v > 255 {
			return 0, netip.Addr{}, false
		}
		oct[k] = byte(v)
	}
	if p < len(s) && (isWordByte(s[p]) || s[p] == '.' && p+1 < len(s) && isDigit(s[p+1])) {
		return 0, netip.Addr{}, false // 1.2.3.4.5, 1.2.3.4567, 1.2.3.4x: not an address
	}
	return p, netip.AddrFrom4(oct), true
}

// keepAddr: loopback and unspecified addresses identify nobody and tell an
// operator something ("dial tcp 127.0.0.1:5432").
func keepAddr(a netip.Addr) bool { return a.IsLoopback() || a.IsUnspecified() }

func (g *Guard) ipPseudonym(a netip.Addr) uint32 {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		return g.pseudo.of(domainIP, string(b[:]), false)
	}
	b := a.As16()
	return g.pseudo.of(domainIP, string(b[:]), false)
}

// numberRun is a run of digit groups joined by single separators, as card
// and phone numbers are written: "4111 1111 1111 1111", "+44 20 7946 0958",
// "(555) 123-4567".
type numberRun struct {
	start, end int
	plus       bool  // starts with +
	paren      bool  // has a (group)
	seps       uint8 // separators seen
	n          int   // groups
	glen       [maxGroups]uint8
	gend       [maxGroups]int
	nd         int // digits
	digits     [maxRunDigits]byte
	glued      bool // the first group follows an identifier and a dash (blk_-123)
}

func (r *numberRun) parse(s string, i int) {
	r.start, r.end, r.plus, r.paren, r.seps, r.n, r.nd = i, i, false, false, 0, 0, 0
	r.glued = i >= 2 && s[i-1] == '-' && isWordByte(s[i-2])
	p := i
	if s[p] == '+' {
		r.plus = true
		p++
	}
	for r.n < maxGroups {
		q, open := p, false
		if q < len(s) && s[q] == '(' {
			q, open = q+1, true
		}
		d := q
		for d < len(s) && isDigit(s[d]) {
			d++
		}
		if d == q || d-q > maxGroupDigits || r.nd+d-q > maxRunDigits {
			break
		}
		if open {
			// Only an area code or trunk prefix is written in parentheses:
			// (555), (0). "(4111111111111111)" is a number in brackets.
			if d >= len(s) || s[d] != ')' || d-q > maxParenDigits {
				break
			}
			r.paren = true
		}
		r.nd += copy(r.digits[r.nd:], s[q:d])
		r.glen[r.n] = uint8(d - q)
		if open {
			d++
		}
		r.gend[r.n] = d
		r.n++
		r.end, p = d, d
		if p >= len(s) {
			break
		}
		if open && isDigit(s[p]) { // (555)123-4567
			continue
		}
		sep := sepOf(s[p])
		if sep == 0 || p+1 >= len(s) || !isDigit(s[p+1]) && s[p+1] != '(' {
			break
		}
		r.seps |= sep
		p++
	}
	// A last group glued to a word ("4567ms", "2026-11-22T") is not a digit group.
	if r.n > 0 && r.end < len(s) && isWordByte(s[r.end]) {
		r.n--
		r.nd -= int(r.glen[r.n])
		r.end = r.start
		if r.n > 0 {
			r.end = r.gend[r.n-1]
		}
	}
}

func sepOf(c byte) uint8 {
	switch c {
	case ' ':
		return sepSpace
	case '-':
		return sepDash
	case '.':
		return sepDot
	}
	return 0
}

func (r *numberRun) classify() (Kind, bool) {
	if r.n == 0 || r.nd < 9 {
		return 0, false
	}
	if !r.plus && !r.paren && r.seps&sepDot == 0 && r.hasCard() {
		return KindCard, true
	}
	if r.isPhone() {
		return KindPhone, true
	}
	return 0, false
}

// hasCard reports whether some run of whole groups is a Luhn-valid number of
// 13–19 digits with a card issuer's prefix and length: the whole run, or a
// card followed by its expiry or CVV. Grouped numbers must be grouped as
// cards are printed: fours with a shorter last group (4-4-4-4, 4-4-4-4-3,
// 4-4-4-1), or 4-6-5 and 4-6-4 (Amex, Diners). An ungrouped number glued to
// an identifier by a dash (blk_-6952295868487656571) is an id.
func (r *numberRun) hasCard() bool {
	off := 0
	for a := 0; a < r.n; a, off = a+1, off+int(r.glen[a]) {
		sum, fours := 0, true // fours: every group of the window is 4 digits
		for b := a; b < r.n; b++ {
			gl := int(r.glen[b])
			sum += gl
			if sum > 19 {
				break
			}
			k := b - a
			shaped := k == 0 || fours && gl <= 4 ||
				k == 2 && r.glen[a] == 4 && r.glen[a+1] == 6 && (gl == 4 || gl == 5)
			if sum >= 13 && shaped && !(b == 0 && r.glued) {
				if d := r.digits[off : off+sum]; plausibleCard(d) && luhn(d) {
					return true
				}
			}
			fours = fours && gl == 4
			if k > 0 && !fours && !(k == 1 && r.glen[a] == 4 && gl == 6) {
				break // no longer window can be shaped
			}
		}
	}
	return false
}

// plausibleCard checks a number's issuer prefix (IIN) against its length,
// for the networks in use: Visa, Mastercard, Maestro, American Express,
// Discover, JCB, Diners, UnionPay, Mir, RuPay, UATP. Most ids and
// timestamps fail it: epoch milliseconds (13 digits) start with 1, which
// only UATP uses, at 15 digits.
func plausibleCard(d []byte) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch d[0] {
	case '1': // UATP
		return n == 15
	case '2': // Mastercard 2-series, Mir
		return p4 >= 2221 && p4 <= 2720 && n == 16 || p4 >= 2200 && p4 <= 2204 && n >= 16
	case '3':
		switch {
		case p2 == 34 || p2 == 37: // American Express
			return n == 15
		case p4 >= 3528 && p4 <= 3589: // JCB
			return n >= 16
		case p2 == 30 && d[2] <= '5', p2 == 36, p2 == 38, p2 == 39: // Diners
			return n >= 14
		}
		return false
	case '4': // Visa
		return n == 13 || n == 16 || n == 19
	case '5':
		if p2 >= 51 && p2 <= 55 { // Mastercard
			return n == 16
		}
		return (p2 == 50 || p2 >= 56 && p2 <= 58) && n >= 16 // Maestro
	case '6': // Discover, UnionPay, Maestro, RuPay
		return n >= 16
	case '8': // RuPay
		return (p2 == 81 || p2 == 82) && n == 16
	}
	return false
}

// isPhone: an international number (+ and 9–15+ digits), a North American
// number ([1] 3-3-4 with an area code starting 2–9), or a grouped national
// number starting with a trunk 0 ("030 1234 5678", "06 12 34 56 78").
// Ungrouped digits are ids, counts or timestamps, never phone numbers.
func (r *numberRun) isPhone() bool {
	if r.plus {
		return true
	}
	if r.n < 2 {
		return false
	}
	k, off := 0, 0
	if r.n == 4 && r.glen[0] == 1 && r.digits[0] == '1' {
		k, off = 1, 1
	}
	if r.n-k == 3 && r.glen[k] == 3 && r.glen[k+1] == 3 && r.glen[k+2] == 4 && r.digits[off] >= '2' {
		return true
	}
	return r.digits[0] == '0' && r.glen[0] >= 2 && r.nd <= 15 && (r.digits[1] != '0' || r.digits[2] != '0')
}

// luhn checks the Luhn (mod 10) digit of ASCII digits.
func luhn(d []byte) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}
