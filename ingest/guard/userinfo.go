package guard

import "strings"

// findURLPasswords replaces the password in a URL's userinfo
// (postgres://billing:S3cret@db-3:5432/x): the user name is usually a
// service account and stays, the host stays. A userinfo with no password
// that looks like a credential (https://ghp_…@github.com) is replaced whole.
func findURLPasswords(s string, sp []span) []span {
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], "://")
		if i < 0 {
			break
		}
		start := off + i + len("://")
		off = start
		at, colon := -1, -1
		for k := start; k < len(s); k++ {
			c := s[k]
			if c == '@' {
				at = k // the last @ ends the userinfo: passwords may hold one
			} else if c == ':' && colon < 0 {
				colon = k
			} else if c == '/' || c == '?' || c == '#' || isSpace(c) || c == '"' || c == '\'' || c == '>' {
				break
			}
		}
		if at < 0 {
			continue
		}
		switch {
		case colon >= 0 && colon < at && colon+1 < at:
			sp = append(sp, span{start: colon + 1, end: at, kind: KindSecret})
		case colon < 0 || colon > at:
			if user := s[start:at]; len(user) >= 8 && looksLikeCredential(user) {
				sp = append(sp, span{start: start, end: at, kind: KindToken})
			}
		}
		off = at + 1
	}
	return sp
}

// inURLUserinfo reports whether the '@' at i ends a URL's userinfo, which
// is not an e-mail address.
func inURLUserinfo(s string, i int) bool {
	for k := i - 1; k >= 2; k-- {
		switch c := s[k]; {
		case c == '/' && s[k-1] == '/' && s[k-2] == ':':
			return true
		case c == '/' || c == '?' || c == '#' || isSpace(c) || c == '"' || c == '\'' || c == '<':
			return false
		}
	}
	return false
}
