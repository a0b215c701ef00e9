package guard

// urlPasswordAt replaces the password in the userinfo of a URL whose
// "://" ends at start (postgres://billing:S3cret@db-3:5432/x): the user
// name is usually a service account and stays, the host stays. A userinfo
// with no password that looks like a credential (https://ghp_…@github.com)
// is replaced whole.
func urlPasswordAt(s string, start int) (span, bool) {
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
	switch {
	case at < 0:
	case colon >= 0 && colon < at && colon+1 < at:
		return span{start: colon + 1, end: at, kind: KindSecret}, true
	case colon < 0 || colon > at:
		if user := s[start:at]; len(user) >= 8 && looksLikeCredential(user) {
			return span{start: start, end: at, kind: KindToken}, true
		}
	}
	return span{}, false
}

// maxUserinfo bounds the look back from an '@' for a URL's "://".
const maxUserinfo = 256

// inURLUserinfo reports whether the '@' at i ends a URL's userinfo, which
// is not an e-mail address.
func inURLUserinfo(s string, i int) bool {
	for k := i - 1; k >= 2 && i-k <= maxUserinfo; k-- {
		switch c := s[k]; {
		case c == '/' && s[k-1] == '/' && s[k-2] == ':':
			return true
		case c == '/' || c == '?' || c == '#' || isSpace(c) || c == '"' || c == '\'' || c == '<':
			return false
		}
	}
	return false
}
