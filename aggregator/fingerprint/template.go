package fingerprint

import (
	"bytes"
	"sync"
	"unicode/utf8"
)

// span is one whitespace-separated token of a message, as byte offsets,
// with the union of the classes of its bytes.
type span struct {
	start, end int
	cls        uint16
}

// literal reports a token that no rule can touch: no digit, dot, '=',
// slash or quote, and no random-looking letters. Most words of most
// messages are such tokens.
func (s span) literal(msg string) bool {
	if s.cls&(clsDigit|clsSpecial) != 0 {
		return false
	}
	long := s.end-s.start >= minRandomRun && s.cls&clsUpper != 0 && s.cls&clsLower != 0
	return !long || !hasRandomLetters(msg[s.start:s.end])
}

// numeric reports a number-like token ("42", "-1", "10.0.0.1:80",
// "2017-12-23", "1,5"): digits and glue only, a digit at both ends (after
// an optional sign). It is one variable, as the full scan would find.
func (s span) numeric(msg string) bool {
	if s.cls&clsNotNumeric != 0 || !is(msg[s.end-1], clsDigit) {
		return false
	}
	c := msg[s.start]
	return is(c, clsDigit) || (c == '-' || c == '+') && s.end-s.start > 1 && is(msg[s.start+1], clsDigit)
}

// mayBeCalendarName and mayIntroduceValue are cheap filters in front of
// isDateWord and introducesValue, which most tokens never need.
func (s span) mayBeCalendarName() bool {
	n := s.end - s.start
	return n >= 3 && n <= len("september,") && s.cls&clsUpper != 0 && s.cls&clsDigit == 0
}

func (s span) mayIntroduceValue(msg string) bool {
	n := s.end - s.start
	return n == len("for") || n == len("user") || n == len("username") || msg[s.end-1] == '='
}

// builder writes the template of one message. Builders are pooled: their
// buffers are reused, so a call allocates only the returned string.
type builder struct {
	msg  string
	toks []span
	out  []byte
	// lastVar is len(out) right after the latest wildcard, or -1.
	// Wildcards separated only by glue or spaces collapse into one, so
	// "10.0.0.1:8080", "12:30:45.123", "1, 2, 3" and a list of block ids of
	// any length each become one "<*>".
	lastVar int
	// Memos that keep crafted input linear: the last closing-quote search
	// per quote character, and where the last failed hex-colon match
	// stopped (no match can start before it).
	quotes  [3]quoteMemo
	hexFail int
}

// quoteMemo records that the first closing quote after from is at close
// (-1: none); it stays the answer for any start before close.
type quoteMemo struct{ from, close int }

var builders = sync.Pool{New: func() any {
	return &builder{out: make([]byte, 0, 512), toks: make([]span, 0, 64)}
}}

// maxPooledBytes keeps the buffers of one huge message out of the pool.
const maxPooledBytes = 4 * MaxMessageBytes

func getBuilder() *builder { return builders.Get().(*builder) }

func putBuilder(b *builder) {
	if cap(b.out) > maxPooledBytes || cap(b.toks) > MaxMessageBytes/2 {
		return
	}
	b.msg = ""
	builders.Put(b)
}

// build writes the template of msg into b.out.
func (b *builder) build(msg string) {
	truncated := len(msg) > MaxMessageBytes
	if truncated {
		msg = truncate(msg)
	}
	var seen uint16
	b.toks, seen = splitTokens(b.toks[:0], msg)
	b.msg, b.out, b.lastVar, b.hexFail = msg, b.out[:0], -1, 0
	b.quotes = [3]quoteMemo{{-1, -1}, {-1, -1}, {-1, -1}}
	valueNext := false
	toks := b.toks
	prevEnd := -1
	for ti := 0; ti < len(toks); ti++ {
		t := toks[ti]
		wasValue := valueNext || t.mayBeCalendarName() && b.isDateWord(ti)
		switch {
		case !wasValue && t.literal(msg):
			if b.lastVar == len(b.out) {
				// "12.3 GB", "<1 sec": the unit belongs to the number.
				if n := unitLen(msg[t.start:t.end]); n > 0 {
					b.out = append(b.out, msg[t.start+n:t.end]...)
					break
				}
			}
			// Copy the token with the single space before it, if that
			// is what separates it from the previous one.
			from := t.start
			if prevEnd >= 0 {
				if t.start == prevEnd+1 && msg[prevEnd] == ' ' {
					from = prevEnd
				} else {
					b.out = append(b.out, ' ')
				}
			}
			b.out = append(b.out, msg[from:t.end]...)
		case !wasValue && t.numeric(msg):
			if prevEnd >= 0 {
				b.out = append(b.out, ' ')
			}
			b.emitVar()
		default:
			if prevEnd >= 0 {
				b.out = append(b.out, ' ')
			}
			ti = b.scanToken(ti, wasValue)
			t = toks[ti]
		}
		prevEnd = t.end
		// A value never introduces another: "invalid user user from".
		valueNext = !wasValue && t.mayIntroduceValue(msg) && b.introducesValue(ti)
	}
	b.out = dropAnnotations(b.out)
	if truncated {
		if len(b.out) > 0 {
			b.out = append(b.out, ' ')
		}
		b.out = append(b.out, Wildcard...)
	}
	// Only message bytes >= 0x80 can make the template invalid UTF-8.
	if seen&clsHigh != 0 && !utf8.Valid(b.out) {
		b.out = bytes.ToValidUTF8(b.out, []byte("\uFFFD"))
	}
}

// truncate cuts msg to at most MaxMessageBytes, preferring to end at a
// token boundary so the last kept token is whole. It reads only the first
// MaxMessageBytes+1 bytes, so the template never depends on what follows.
func truncate(msg string) string {
	cut := MaxMessageBytes
	for k := cut; k > 0 && k >= MaxMessageBytes-256; k-- {
		if is(msg[k], clsSpace) {
			cut = k
			break
		}
	}
	return msg[:cut]
}

// splitTokens appends the whitespace-separated tokens of msg to toks and
// returns the union of their byte classes.
func splitTokens(toks []span, msg string) ([]span, uint16) {
	i := 0
	var all uint16
	for {
		for i < len(msg) && is(msg[i], clsSpace) {
			i++
		}
		if i == len(msg) {
			return toks, all
		}
		j := i
		var seen uint16
		for j < len(msg) {
			c := class[msg[j]]
			if c&clsSpace != 0 {
				break
			}
			seen |= c
			j++
		}
		toks = append(toks, span{i, j, seen})
		all |= seen
		i = j
	}
}

func (b *builder) token(ti int) string { return b.msg[b.toks[ti].start:b.toks[ti].end] }

// scanToken writes token ti and returns the index of the last token it
// consumed (a quoted string may span several). With value set, the token
// starts with a value (it follows "key=" or "user").
func (b *builder) scanToken(ti int, value bool) int {
	msg := b.msg
	tokStart, end := b.toks[ti].start, b.toks[ti].end
	i := tokStart
	if value {
		i = b.value(i, end, false)
	}
	for i < end {
		c := msg[i]
		switch {
		case is(c, clsQuote) && atPieceStart(msg, i, tokStart):
			// A quoted word is a value. A quoted phrase is one only as
			// the value of key=; elsewhere ("GET /a HTTP/1.1") its words
			// are scanned like any others.
			q := b.closingQuote(i)
			if q < 0 || q >= end && (i == 0 || msg[i-1] != '=') {
				b.out = append(b.out, c)
				i++
				continue
			}
			b.out = append(b.out, c)
			if q > i+1 {
				b.emitVar()
			}
			b.out = append(b.out, c)
			i = q + 1
			for q >= end {
				ti++
				tokStart, end = b.toks[ti].start, b.toks[ti].end
			}
		case c == '/' && i+1 < end && startsPath(msg[i+1]) && atPieceStart(msg, i, tokStart):
			b.emitVar()
			i = pathEnd(msg, i+1, end)
		case c == '\\' && i+1 < end && msg[i+1] == '\\' && atPieceStart(msg, i, tokStart):
			b.emitVar()
			i = pathEnd(msg, i+2, end)
		case c == '=':
			b.out = append(b.out, c)
			// "key = value": the value is the next token's business.
			slot := i+1 < end || !b.valueInNextToken(ti)
			i = b.value(i+1, end, slot)
		case is(c, clsWord), isSign(msg, i, tokStart, end):
			i = b.word(i, end)
		default:
			b.out = append(b.out, c)
			i++
		}
	}
	return ti
}

// value masks the value that starts at i, up to a value terminator. A value
// that opens a bracket or a quote is left to the normal scanner. After '='
// (slot) an empty value is masked too: "ruser=" and "ruser=bob" are one slot.
func (b *builder) value(i, end int, slot bool) int {
	if i < end {
		switch b.msg[i] {
		case '(', '[', '{', '<', '=', '"', '\'', '`':
			return i
		}
	}
	j := i
	for j < end && !is(b.msg[j], clsValueStop) {
		j++
	}
	if j > i || slot {
		b.emitVar()
	}
	return j
}

// word handles a compound word starting at i: alphanumeric runs joined by
// '.', '-' or '_' (so "blk_-42", "10.0.0.1", "mesos-master-1" are one).
func (b *builder) word(i, end int) int {
	msg := b.msg
	w := scanCompound(msg, i, end)
	j := w.end
	if j < end && msg[j] == ':' && j-i <= 4 && i >= b.hexFail && (i == 0 || !is(msg[i-1], clsWord)) {
		k, ok := hexColonEnd(msg, i, end)
		if ok {
			b.emitVar() // MAC, IPv6, clock time
			return k
		}
		b.hexFail = k
	}
	switch {
	case j+2 < end && msg[j] == ':' && msg[j+1] == '/' && msg[j+2] == '/':
		b.emitVar() // URL
		return pathEnd(msg, j, end)
	case j == i+1 && is(msg[i], clsLower|clsUpper) && j+1 < end && msg[j] == ':' && (msg[j+1] == '\\' || msg[j+1] == '/'):
		b.emitVar() // drive-letter path
		return pathEnd(msg, j, end)
	case j+1 < end && msg[j] == '@' && is(msg[j+1], clsWord):
		if h := scanCompound(msg, j+1, end); h.isHost(msg) {
			b.emitVar() // e-mail address
			return h.end
		}
	}
	if w.digit {
		// "tryToReloadTodayBasicSteps1514044800223": keep a long,
		// word-like prefix; short ones ("node12", "dn228", "ssh2") and
		// random ones ("fefe7216") are part of the id.
		if p := letterPrefix(msg[i:j]); p >= minKeptPrefix && wordLikePrefix(msg[i:i+p]) {
			b.out = append(b.out, msg[i:i+p]...)
		}
		b.emitVar()
		return j
	}
	if w.isHost(msg) || w.isFile(msg) || w.isDottedName(msg) || w.hasRandomRun(msg) {
		b.emitVar()
		return j
	}
	b.out = append(b.out, msg[i:j]...)
	return j
}

func (b *builder) emitVar() {
	if b.lastVar >= 0 && allGlue(b.out[b.lastVar:]) {
		b.out = b.out[:b.lastVar]
		return
	}
	b.out = append(b.out, Wildcard...)
	b.lastVar = len(b.out)
}

func allGlue(s []byte) bool {
	for _, c := range s {
		if c != ' ' && !is(c, clsGlue) {
			return false
		}
	}
	return true
}
