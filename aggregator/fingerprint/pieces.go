package fingerprint

// Recognisers for the pieces inside a token: signs, paths, quotes, hex-colon
// groups, word-like prefixes. Each returns positions; none writes output.

// atPieceStart reports whether a quote, path or value may start at i.
func atPieceStart(msg string, i, tokStart int) bool {
	return i == tokStart || is(msg[i-1], clsOpen)
}

// isSign reports whether msg[i] is a sign, bound or mark that starts a
// number: "-1", "+2", "<1", ">5", "~3", "*64" (a 64-bit process).
func isSign(msg string, i, tokStart, end int) bool {
	return isSignByte(msg[i]) && i+1 < end && is(msg[i+1], clsDigit) &&
		(i == tokStart || !is(msg[i-1], clsWord))
}

func isSignByte(c byte) bool {
	return c == '-' || c == '+' || c == '<' || c == '>' || c == '~' || c == '*'
}

func startsPath(c byte) bool {
	return is(c, clsWord) || c == '.' || c == '~' || c == '_'
}

func pathEnd(msg string, i, end int) int {
	for i < end && !is(msg[i], clsPathStop) {
		i++
	}
	return i
}

// closingQuote finds the quote that closes the one at i: the same character,
// followed by the end of the message or by a non-word byte (so apostrophes
// inside words do not close it). It returns -1 if there is none.
func (b *builder) closingQuote(i int) int {
	msg := b.msg
	q := msg[i]
	memo := &b.quotes[quoteKind(q)]
	if memo.from >= 0 && memo.from < i && (memo.close < 0 || memo.close > i) {
		return memo.close
	}
	memo.from, memo.close = i, -1
	for j := i + 1; j < len(msg); j++ {
		if msg[j] == q && (j+1 == len(msg) || !is(msg[j+1], clsWord)) {
			memo.close = j
			break
		}
	}
	return memo.close
}

func quoteKind(q byte) int {
	switch q {
	case '"':
		return 0
	case '\'':
		return 1
	}
	return 2
}

// hexColonEnd matches colon-separated groups of up to four hex digits with at
// least two colons and one decimal digit (MAC and IPv6 addresses, clock
// times) and returns where the match ends. Without a match it returns where
// it stopped looking: no match can start between i and there either.
func hexColonEnd(msg string, i, end int) (int, bool) {
	j, colons, group, digit := i, 0, 0, false
	for ; j < end; j++ {
		c := msg[j]
		switch {
		case c == ':':
			colons++
			group = 0
		case is(c, clsHex):
			digit = digit || is(c, clsDigit)
			group++
			if group > 4 {
				return j, false
			}
		case is(c, clsWord):
			return j, false
		default:
			goto done
		}
	}
done:
	stop := j
	for j > i && msg[j-1] == ':' {
		j--
		colons--
	}
	if colons < 2 || !digit {
		return stop, false
	}
	return j, true
}

// minKeptPrefix is the shortest letter prefix of a token with digits that is
// kept in the template ("storage<*>", "tryToReloadTodayBasicSteps<*>").
// Shorter prefixes name an instance as often as a kind: host and device
// names ("node12", "dn228", "sda1", "ssh2") vary within one event, and an
// event whose variable has a short prefix would split per prefix.
const minKeptPrefix = 7

// letterPrefix returns the length of the ASCII letters that start s when
// only decimal digits follow them, else 0.
func letterPrefix(s string) int {
	p := 0
	for p < len(s) && is(s[p], clsLower|clsUpper) {
		p++
	}
	for k := p; k < len(s); k++ {
		if !is(s[k], clsDigit) {
			return 0
		}
	}
	return p
}
