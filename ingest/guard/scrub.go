package guard

import (
	"strings"
	"unicode/utf8"
)

const (
	// cutSlack is how far past a field's limit the input is still scanned, so
	// a finding that straddles the limit is recognised whole before the
	// output is cut.
	cutSlack = 256
	// maxPasses bounds the scrub-to-fixed-point loop. One pass finds
	// everything in ordinary text; a second confirms. More are needed only
	// when a replacement or a cut exposes a new finding.
	maxPasses = 8
	// fallbackText replaces text that does not settle within maxPasses.
	fallbackText = "<redacted>"
)

// span is one finding: bytes [start, end) are replaced by kind's marker.
type span struct {
	start, end int
	kind       Kind
	tag        uint32 // the pseudonym, for kinds that carry one
}

// scrub replaces findings in s until none is left and the result fits in
// limit bytes. Iterating to a fixed point makes scrubbing idempotent even
// when a replacement or a cut changes what neighbouring text looks like.
func (g *Guard) scrub(s string, limit int, r *Report) string {
	truncated := false
	if len(s) > limit+cutSlack {
		s = cutInput(s, limit+cutSlack)
		truncated = true
	}
	for range maxPasses {
		out, changed := g.pass(s, r)
		if len(out) > limit {
			out = cutOutput(out, limit)
			changed, truncated = true, true
		}
		if !changed {
			if truncated {
				r.truncated++
			}
			return out
		}
		s = out
	}
	r.truncated++
	return fallbackText
}

// pass runs the detectors the prefilter allows and replaces what they find.
func (g *Guard) pass(s string, r *Report) (string, bool) {
	var buf [8]span
	sp, seen := g.scanTokens(s, buf[:0])
	if seen&cAt != 0 {
		sp = g.findEmails(s, "@", sp)
	}
	if seen&cPercent != 0 {
		sp = g.findEmails(s, "%40", sp)
	}
	if seen&cEq != 0 {
		sp = findKeyValues(s, sp)
	}
	if seen&cColon != 0 {
		sp = g.findColons(s, sp)
	}
	if seen&cB != 0 {
		sp = findAuthSchemes(s, sp)
	}
	if len(sp) == 0 {
		return s, false
	}
	return g.replace(s, mergeSpans(sp), r), true
}

// mergeSpans sorts spans by start and merges overlapping ones; a merged
// span keeps the kind of the one that starts first (the longest on a tie).
func mergeSpans(sp []span) []span {
	for i := 1; i < len(sp); i++ { // insertion sort: a handful of spans
		for j := i; j > 0 && spanLess(sp[j], sp[j-1]); j-- {
			sp[j], sp[j-1] = sp[j-1], sp[j]
		}
	}
	out := sp[:1]
	for _, x := range sp[1:] {
		last := &out[len(out)-1]
		if x.start < last.end {
			last.end = max(last.end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}

func spanLess(a, b span) bool {
	if a.start != b.start {
		return a.start < b.start
	}
	return a.end > b.end
}

func (g *Guard) replace(s string, sp []span, r *Report) string {
	var b strings.Builder
	b.Grow(len(s) + len(sp)*len("<email:00000000>"))
	last := 0
	for _, x := range sp {
		b.WriteString(s[last:x.start])
		writeMarker(&b, x)
		r.add(x.kind)
		last = x.end
	}
	b.WriteString(s[last:])
	return b.String()
}

const hexDigits = "0123456789abcdef"

func writeMarker(b *strings.Builder, x span) {
	b.WriteByte('<')
	b.WriteString(kindNames[x.kind])
	if x.kind == KindEmail || x.kind == KindIP {
		b.WriteByte(':')
		for shift := 28; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[x.tag>>uint(shift)&0xf])
		}
	}
	b.WriteByte('>')
}

// markerLen returns the length of the marker that starts s, or 0.
func markerLen(s string) int {
	if len(s) < 4 || s[0] != '<' {
		return 0
	}
	for k := Kind(0); k < numKinds; k++ {
		name := kindNames[k]
		if len(s) < len(name)+2 || s[1:1+len(name)] != name {
			continue
		}
		rest := s[1+len(name):]
		if k == KindEmail || k == KindIP {
			if len(rest) >= 10 && rest[0] == ':' && rest[9] == '>' && isLowerHex(rest[1:9]) {
				return 1 + len(name) + 10
			}
			continue
		}
		if rest[0] == '>' {
			return len(name) + 2
		}
	}
	return 0
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// cutInput shortens over-long input before scanning, at a white-space
// boundary when there is one in the slack window, so no finding is cut in
// half and left unrecognised.
func cutInput(s string, n int) string {
	for i := n; i > n-cutSlack && i > 0; i-- {
		if isSpace(s[i]) {
			return s[:i]
		}
	}
	return truncateUTF8(s, n)
}

// cutOutput cuts scrubbed text to n bytes without splitting a rune or a
// marker. A cut that exposes a new finding is caught by the next pass.
func cutOutput(s string, n int) string {
	s = truncateUTF8(s, n)
	if i := strings.LastIndexByte(s, '<'); i >= 0 && len(s)-i < len("<email:00000000>") {
		if m := markerLen(s[i:]); m == 0 && isMarkerPrefix(s[i:]) {
			s = s[:i]
		}
	}
	return s
}

// isMarkerPrefix reports whether s could be the start of a marker cut
// short: "<", a lower-case name, and optionally ":" and hex digits.
func isMarkerPrefix(s string) bool {
	i := 1
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	if i < len(s) && s[i] == ':' {
		i++
		for i < len(s) && isHex(s[i]) {
			i++
		}
	}
	return i == len(s)
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
