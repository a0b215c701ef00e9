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

// calendarNames are month and weekday names; they are masked when they sit
// next to a number, i.e. inside a date. Their first three letters and
// "sept" are accepted as abbreviations.
var calendarNames = [...]string{
	"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}

// calendarKeys holds the first three letters of each calendar name.
var calendarKeys = func() (k [len(calendarNames)]uint32) {
	for i, n := range calendarNames {
		k[i] = key3(n)
	}
	return k
}()

// key3 packs the first three bytes of s, ASCII letters folded to lower case.
func key3(s string) uint32 {
	return uint32(s[0]|0x20)<<16 | uint32(s[1]|0x20)<<8 | uint32(s[2]|0x20)
}

// isCalendarName reports a month or weekday name or abbreviation, in any case.
func isCalendarName(t string) bool {
	if len(t) < 3 || len(t) > len("september") {
		return false
	}
	k := key3(t)
	for i, ck := range calendarKeys {
		if ck == k {
			return len(t) == 3 || equalFold(t, calendarNames[i]) || equalFold(t, "sept")
		}
	}
	return false
}

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
