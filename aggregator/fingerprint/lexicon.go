package fingerprint

// The word lists below are general knowledge about machine text, not about
// any one log source. Every entry is part of Version.

// topLevelDomains are last labels that make a dotted lower-case name a host
// name. Any two-letter last label (country codes) counts too. Generic domains
// that are also common words in property names (name, pro, app, dev, ...)
// are left out on purpose: "user.name" is a key, not a host.
var topLevelDomains = map[string]bool{
	"com": true, "net": true, "org": true, "edu": true, "gov": true, "mil": true,
	"info": true, "biz": true, "local": true, "localdomain": true, "lan": true,
	"internal": true, "arpa": true,
}

// fileExtensions are last labels that make a dotted name a file name; file
// names vary between occurrences of the same event far more often than they
// distinguish events.
var fileExtensions = map[string]bool{
	"exe": true, "dll": true, "sys": true, "dylib": true, "jar": true, "war": true,
	"class": true, "java": true, "py": true, "pyc": true, "rb": true, "go": true,
	"js": true, "ts": true, "php": true, "pl": true, "sh": true, "bat": true,
	"cpp": true, "hpp": true, "log": true, "txt": true, "csv": true, "tsv": true,
	"xml": true, "json": true, "yaml": true, "yml": true, "toml": true, "conf": true,
	"cfg": true, "ini": true, "properties": true, "tmp": true, "dat": true, "db": true,
	"sqlite": true, "bin": true, "img": true, "iso": true, "gz": true, "tgz": true,
	"bz": true, "xz": true, "zip": true, "rar": true, "tar": true, "html": true,
	"htm": true, "css": true, "md": true, "pdf": true, "png": true, "jpg": true,
	"jpeg": true, "gif": true, "svg": true, "ico": true, "plist": true, "pid": true,
	"lock": true, "sock": true, "pem": true, "crt": true, "cer": true,
}

// calendarWords are month and weekday names; they are masked when they sit
// next to a number, i.e. inside a date.
var calendarWords = map[string]bool{
	"jan": true, "feb": true, "mar": true, "apr": true, "may": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "sept": true, "oct": true, "nov": true,
	"dec": true, "january": true, "february": true, "march": true, "april": true,
	"june": true, "july": true, "august": true, "september": true, "october": true,
	"november": true, "december": true,
	"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true,
	"sun": true, "monday": true, "tuesday": true, "wednesday": true, "thursday": true,
	"friday": true, "saturday": true, "sunday": true,
}

// principalWords introduce a user or account name: the token after one of
// them is a value ("invalid user admin", "for user root").
var principalWords = []string{"user", "username"}

// maxLexiconWord bounds the words worth looking up.
const maxLexiconWord = 11

// lowerWord copies an ASCII word into buf in lower case; ok is false when
// s is not a short plain word, so callers can skip the map look-up. Callers
// index maps with string(w) directly, which does not allocate.
func lowerWord(buf *[maxLexiconWord]byte, s string) (w []byte, ok bool) {
	if len(s) == 0 || len(s) > maxLexiconWord {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case is(c, clsLower):
		case is(c, clsUpper):
			c += 'a' - 'A'
		default:
			return nil, false
		}
		buf[i] = c
	}
	return buf[:len(s)], true
}
