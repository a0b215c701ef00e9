package guard

import (
	"net/netip"
	"strings"
)

func isIPv6Byte(c byte) bool { return isHex(c) || c == ':' || c == '.' }

// ipv6Around looks for an IPv6 address in the maximal run of hex digits,
// colons and dots around the colon at i, parsed by net/netip. Runs glued to
// a word (std::io, Foo::Bar) and runs without a digit are not addresses. It
// returns where the run ends: its other colons need no second look.
func (g *Guard) ipv6Around(s string, i int) (span, int, bool) {
	start, end := i, i+1
	for start > 0 && isIPv6Byte(s[start-1]) {
		start--
	}
	for end < len(s) && isIPv6Byte(s[end]) {
		end++
	}
	runEnd := end
	if start > 0 && isWordByte(s[start-1]) || end < len(s) && isWordByte(s[end]) {
		return span{}, runEnd, false
	}
	// Trailing punctuation: "from fe80::1." or "2001:db8::1: refused".
	for end > start && s[end-1] == '.' || end-start > 2 && s[end-1] == ':' && s[end-2] != ':' {
		end--
	}
	cand := s[start:end]
	if strings.Count(cand, ":") < 2 || !hasDigit(cand) {
		return span{}, runEnd, false
	}
	addr, err := netip.ParseAddr(cand)
	if err != nil || !addr.Is6() || keepAddr(addr) {
		return span{}, runEnd, false
	}
	return span{start: start, end: end, kind: KindIP, tag: g.ipPseudonym(addr)}, runEnd, true
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}
