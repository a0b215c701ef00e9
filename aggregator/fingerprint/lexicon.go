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

// calendarName returns the month or weekday name whose first three letters,
// packed by key3, are k. Such names are masked when they sit next to a
// number, i.e. inside a date.
func calendarName(k uint32) string {
	switch k {
	case 'j'<<16 | 'a'<<8 | 'n':
		return "january"
	case 'f'<<16 | 'e'<<8 | 'b':
		return "february"
	case 'm'<<16 | 'a'<<8 | 'r':
		return "march"
	case 'a'<<16 | 'p'<<8 | 'r':
		return "april"
	case 'm'<<16 | 'a'<<8 | 'y':
		return "may"
	case 'j'<<16 | 'u'<<8 | 'n':
		return "june"
	case 'j'<<16 | 'u'<<8 | 'l':
		return "july"
	case 'a'<<16 | 'u'<<8 | 'g':
		return "august"
	case 's'<<16 | 'e'<<8 | 'p':
		return "september"
	case 'o'<<16 | 'c'<<8 | 't':
		return "october"
	case 'n'<<16 | 'o'<<8 | 'v':
		return "november"
	case 'd'<<16 | 'e'<<8 | 'c':
		return "december"
	case 'm'<<16 | 'o'<<8 | 'n':
		return "monday"
	case 't'<<16 | 'u'<<8 | 'e':
		return "tuesday"
	case 'w'<<16 | 'e'<<8 | 'd':
		return "wednesday"
	case 't'<<16 | 'h'<<8 | 'u':
		return "thursday"
	case 'f'<<16 | 'r'<<8 | 'i':
		return "friday"
	case 's'<<16 | 'a'<<8 | 't':
		return "saturday"
	case 's'<<16 | 'u'<<8 | 'n':
		return "sunday"
	}
	return ""
}

// key3 packs the first three bytes of s, ASCII letters folded to lower case.
func key3(s string) uint32 {
	return uint32(s[0]|0x20)<<16 | uint32(s[1]|0x20)<<8 | uint32(s[2]|0x20)
}

// isCalendarName reports a month or weekday name in any case, or its
// three-letter abbreviation, or "sept".
func isCalendarName(t string) bool {
	if len(t) < 3 || len(t) > len("september") {
		return false
	}
	name := calendarName(key3(t))
	return name != "" && (len(t) == 3 || equalFold(t, name) || equalFold(t, "sept"))
}

// unitLen returns the length of the unit of size or time (or AM/PM) that
// starts token t, when only punctuation follows it ("KB", "ms)", "sec,"),
// else 0.
func unitLen(t string) int {
	n := 0
	for n < len(t) && (is(t[n], clsLower|clsUpper|clsHigh)) {
		n++
	}
	for k := n; k < len(t); k++ {
		if is(t[k], clsWord) {
			return 0
		}
	}
	switch t[:n] {
	case "B", "KB", "kB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB",
		"ns", "us", "\u00b5s", "ms", "s", "sec", "secs", "seconds", "min", "mins", "minutes",
		"h", "hr", "hrs", "hours", "AM", "PM", "am", "pm":
		return n
	}
	return 0
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
