package fingerprint

// compound is a run of word bytes joined by '.', '-' or '_'.
type compound struct {
	start, end int
	lastLabel  int // start of the part after the last '.'
	dots       int
	digit      bool // any decimal digit: the whole compound is a variable
	mixedCase  bool // both upper- and lower-case letters
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
	w.mixedCase = seen&clsUpper != 0 && seen&clsLower != 0
	return w
}

// minRandomRun is the shortest letter run that may be called a random id.
const minRandomRun = 10

// hasRandomRun reports a base-62 id without digits ("req_aODhJcNpEpqFnt").
func (w compound) hasRandomRun(msg string) bool {
	return w.mixedCase && w.end-w.start >= minRandomRun && hasRandomLetters(msg[w.start:w.end])
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

// isDottedName reports a name of three or more dotted labels whose last
// label has a lower-case letter: a property key ("mapred.task.id"), package,
// bundle or class name ("com.apple.xpc.launchd", "java.io.IOException").
// Such names are arguments far more often than they name an event. An
// upper-case last label is a constant and kept: "android.intent.action.SCREEN_ON".
func (w compound) isDottedName(msg string) bool {
	if w.dots < 2 {
		return false
	}
	for i := w.lastLabel; i < w.end; i++ {
		if is(msg[i], clsLower) {
			return true
		}
	}
	return false
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
