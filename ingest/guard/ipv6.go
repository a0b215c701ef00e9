package guard

import (
	"net/netip"
	"strings"
)

func isIPv6Byte(c byte) bool { return isHex(c) || c == ':' || c == '.' }

// findIPv6 finds IPv6 addresses: maximal runs of hex digits, colons and
// dots around each colon, parsed by net/netip. Runs glued to a word
// (std::io, Foo::Bar) and runs without a digit are not addresses.
func (g *Guard) findIPv6(s string, sp []span) []span {
	for off := 0; off < len(s); {
		i := strings.IndexByte(s[off:], ':')
		if i < 0 {
			break
		}
		i += off
		start, end := i, i+1
		for start > 0 && isIPv6Byte(s[start-1]) {
			start--
		}
		for end < len(s) && isIPv6Byte(s[end]) {
			end++
		}
		off = end
		if start > 0 && isWordByte(s[start-1]) || end < len(s) && isWordByte(s[end]) {
			continue
		}
		// Trailing punctuation: "from fe80::1." or "2001:db8::1: refused".
		for end > start && s[end-1] == '.' || end-start > 2 && s[end-1] == ':' && s[end-2] != ':' {
			end--
		}
		cand := s[start:end]
		if strings.Count(cand, ":") < 2 || !hasDigit(cand) {
			continue
		}
		addr, err := netip.ParseAddr(cand)
		if err != nil || !addr.Is6() || keepAddr(addr) {
			continue
		}
		sp = append(sp, span{start: start, end: end, kind: KindIP, tag: g.ipPseudonym(addr)})
	}
	return sp
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}
