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
	if isSignByte(msg[j]) {
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
