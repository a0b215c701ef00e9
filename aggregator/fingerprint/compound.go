package fingerprint

// compound is a run of word bytes joined by '.', '-' or '_'.
type compound struct {
	start, end int
	lastLabel  int // start of the part after the last '.'
	dots       int
	digit      bool // any decimal digit: the whole compound is a variable
	underscore bool
}

func scanCompound(msg string, i, end int) compound {
	w := compound{start: i, lastLabel: i}
	j := i
	if c := msg[j]; c == '-' || c == '+' {
		j++
	}
	var seen uint16
	for {
		for j < end {
			c := class[msg[j]]
			if c&clsWord == 0 {
				break
			}
			seen |= c
			j++
		}
		k, dot, underscore := j, false, false
		for k < end && is(msg[k], clsJoiner) {
			dot = dot || msg[k] == '.'
			underscore = underscore || msg[k] == '_'
			k++
		}
		// Leader dots ("error.......0") separate rather than join.
		if k == j || k-j > 2 || k == end || !is(msg[k], clsWord) {
			break
		}
		if dot {
			w.dots++
			w.lastLabel = k
		}
		w.underscore = w.underscore || underscore
		j = k
	}
	w.end = j
	w.digit = seen&clsDigit != 0
	return w
}

// isHost reports a DNS name: dotted labels, the last one a lower-case
// top-level domain.
func (w compound) isHost(msg string) bool {
	if w.dots == 0 || w.underscore {
		return false
	}
	tld := msg[w.lastLabel:w.end]
	for i := 0; i < len(tld); i++ {
		if !is(tld[i], clsLower) {
			return false
		}
	}
	return len(tld) == 2 || topLevelDomains[tld]
}

// isDottedName reports a lower-case name of three or more dotted labels:
// a property key ("mapred.task.id"), package or bundle id, or host. Such
// names are arguments far more often than they name an event; mixed-case
// ones ("java.io.IOException", "android.intent.action.SCREEN_ON") are kept.
func (w compound) isDottedName(msg string) bool {
	if w.dots < 2 {
		return false
	}
	for i := w.start; i < w.end; i++ {
		if !is(msg[i], clsLower|clsJoiner) {
			return false
		}
	}
	return true
}

// isFile reports a file name with a well-known extension.
func (w compound) isFile(msg string) bool {
	if w.dots == 0 {
		return false
	}
	var buf [maxLexiconWord]byte
	ext, ok := lowerWord(&buf, msg[w.lastLabel:w.end])
	return ok && fileExtensions[string(ext)]
}

// isDateWord reports a month or weekday name that is part of a date: next to
// a number or to another such name.
func (b *builder) isDateWord(ti int) bool {
	if !b.isCalendarWord(ti) {
		return false
	}
	if ti+1 < len(b.toks) && (is(b.msg[b.toks[ti+1].start], clsDigit) || b.isCalendarWord(ti+1)) {
		return true
	}
	if ti > 0 {
		prev := b.token(ti - 1)
		return is(prev[0], clsDigit)
	}
	return false
}

func (b *builder) isCalendarWord(ti int) bool {
	t := b.token(ti)
	if len(t) < 3 || !is(t[0], clsUpper) {
		return false
	}
	if n := len(t); n > 3 && (t[n-1] == ',' || t[n-1] == '.') {
		t = t[:n-1]
	}
	return isCalendarName(t)
}

// valueInNextToken reports whether the token after ti, which ends with '=',
// is its value; in "logname= uid=0" it is a pair of its own.
func (b *builder) valueInNextToken(ti int) bool {
	return ti+1 < len(b.toks) && !startsWithKey(b.token(ti+1))
}

// startsWithKey reports a token that opens with "key=".
func startsWithKey(t string) bool {
	k := 0
	for k < len(t) && is(t[k], clsWord|clsJoiner) {
		k++
	}
	return k > 0 && k < len(t) && t[k] == '='
}

// introducesValue reports whether the token after ti is a value: ti ends
// with '=' ("key= value", "key = value"), introduces a principal ("user
// root", "username bob"), or is the "for" of "for NAME from", the idiom of
// authentication logs ("Failed password for root from 1.2.3.4").
func (b *builder) introducesValue(ti int) bool {
	t := b.token(ti)
	switch {
	case t[len(t)-1] == '=':
		return b.valueInNextToken(ti)
	case len(t) == len("for"):
		return equalFold(t, "for") && ti+2 < len(b.toks) && equalFold(b.token(ti+2), "from")
	case len(t) == len("user"), len(t) == len("username"):
		return equalFold(t, "user") || equalFold(t, "username")
	}
	return false
}
