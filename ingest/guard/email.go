package guard

import "strings"

// isLocalByte: the characters of an e-mail address's local part that real
// addresses use, plus any non-ASCII byte (internationalised addresses). A
// non-ASCII word glued to an address is redacted with it, never half kept.
func isLocalByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c >= 0x80
}

func isDomainByte(c byte) bool { return isAlnum(c) || c == '.' || c == '-' || c >= 0x80 }

// findEmails finds addresses around each occurrence of at ("@", or "%40"
// in url-encoded text). The pseudonym is keyed on the domain only, so
// failures can be grouped by a client's mail provider without keeping any
// mailbox, even in hashed form.
func (g *Guard) findEmails(s, at string, sp []span) []span {
	for off := 0; ; {
		i := strings.Index(s[off:], at)
		if i < 0 {
			return sp
		}
		i += off
		lo := off // a local part holds no @: it starts after the previous one
		off = i + len(at)
		start, end, domain, ok := emailAround(s, lo, i, len(at))
		if !ok || inURLUserinfo(s, i) {
			continue
		}
		sp = append(sp, span{start: start, end: end, kind: KindEmail, tag: g.pseudo.of(domainEmail, domain, true)})
		off = end
	}
}

// Longest local part and domain (RFC 5321); bounding the scans keeps a
// pathological run of @s linear.
const (
	maxLocalLen  = 64
	maxDomainLen = 255
)

// emailAround checks for an address whose separator occupies s[at:at+n]
// and whose local part starts at lo or later.
func emailAround(s string, lo, at, n int) (start, end int, domain string, ok bool) {
	start = at
	for start > lo && at-start < maxLocalLen && isLocalByte(s[start-1]) {
		start--
	}
	for start < at && s[start] == '.' {
		start++
	}
	if start == at {
		return 0, 0, "", false
	}
	d := at + n
	end = d
	for end < len(s) && end-d < maxDomainLen && isDomainByte(s[end]) {
		end++
	}
	for end > d && (s[end-1] == '.' || s[end-1] == '-') {
		end--
	}
	domain = s[d:end]
	if !isMailDomain(domain) {
		return 0, 0, "", false
	}
	return start, end, domain, true
}

// isMailDomain accepts a dotted name whose last label is at least two
// letters: example.com, host-17.internal, münchen.de. It rejects what
// follows @ in versions and digests: v1.2.3, sha256, 18.x.
func isMailDomain(d string) bool {
	dot := strings.LastIndexByte(d, '.')
	if dot <= 0 || d[0] == '.' || d[0] == '-' {
		return false
	}
	tld := d[dot+1:]
	if strings.HasPrefix(tld, "xn--") { // punycode TLD
		return len(tld) > 4
	}
	if len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if c := tld[i]; !isAlpha(c) && c < 0x80 {
			return false
		}
	}
	return true
}
