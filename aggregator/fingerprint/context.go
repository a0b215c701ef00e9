package fingerprint

// Word-context rules: whether a token is a value depends on its neighbours.

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
