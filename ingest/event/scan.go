package event

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// scanner decodes one contract document in a single pass over its bytes.
// The contract is a flat object of scalars plus one object of strings, so a
// decoder that knows it needs no tokenizer, reflection or per-token state
// machine; easyjson's generated decoder, which this replaced in the hot path,
// spent about three times as long per event. The easyjson decoder stays as
// the reference the fuzz target compares this one with.
//
// Semantics are encoding/json's for a struct with DisallowUnknownFields,
// except that field names match case-sensitively: RFC 8259 syntax, null
// leaves a field unset, the last of duplicate keys wins, numbers must fit
// their field's type.
type scanner struct {
	b      []byte
	i      int
	shared bool // strings are views of b, not copies
	err    *scanError
}

type errClass uint8

const (
	classSyntaxOrType errClass = iota // malformed JSON, or a value of the wrong type
	classUnknownField
	classTime
)

type scanError struct {
	class errClass
	msg   string
}

// scanEvent decodes b into e. The caller has checked size and UTF-8.
func scanEvent(b []byte, e *Event, shared bool) *Rejection {
	s := scanner{b: b, shared: shared}
	s.document(e)
	if s.err == nil {
		return nil
	}
	switch {
	case s.err.class == classUnknownField:
		return reject(ReasonUnknownField, "%s", s.err.msg)
	case s.err.class == classTime:
		return reject(ReasonInvalidField, "ts: %s", s.err.msg)
	case !json.Valid(b):
		return reject(ReasonMalformedJSON, "%s", s.err.msg)
	}
	return reject(ReasonWrongType, "%s", s.err.msg)
}

func (s *scanner) fail(class errClass, format string, args ...any) {
	if s.err == nil {
		s.err = &scanError{class: class, msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" at byte %d", s.i)}
	}
}

func (s *scanner) document(e *Event) {
	s.space()
	// A null document decodes to the zero event, which validation refuses.
	if !s.null() && s.object(func(key []byte) { s.field(key, e) }) {
		return
	}
	s.space()
	if s.i < len(s.b) {
		s.fail(classSyntaxOrType, "data after the event object")
	}
}

// object reads {"key": value, ...}, calling member with the scanner before
// each value. It reports whether it failed.
func (s *scanner) object(member func(key []byte)) (failed bool) {
	if !s.byte('{') {
		s.fail(classSyntaxOrType, "expected an object")
		return true
	}
	s.space()
	if s.byte('}') {
		return false
	}
	for {
		s.space()
		key, ok := s.string()
		if !ok {
			s.fail(classSyntaxOrType, "expected a string key")
			return true
		}
		s.space()
		if !s.byte(':') {
			s.fail(classSyntaxOrType, "expected ':' after a key")
			return true
		}
		s.space()
		member(key)
		if s.err != nil {
			return true
		}
		s.space()
		if s.byte(',') {
			continue
		}
		if s.byte('}') {
			return false
		}
		s.fail(classSyntaxOrType, "expected ',' or '}' after a value")
		return true
	}
}

func (s *scanner) field(key []byte, e *Event) {
	if s.null() {
		if !knownField(key) {
			s.fail(classUnknownField, "unknown field %q", clip(string(key)))
		}
		return
	}
	switch string(key) {
	case "v":
		e.V = int(s.int(64))
	case "id":
		e.ID = s.text()
	case "ts":
		s.time(&e.Time)
	case "tenant":
		e.Tenant = s.text()
	case "service":
		e.Service = s.text()
	case "cell":
		e.Cell = s.text()
	case "shard":
		e.Shard = s.text()
	case "host":
		e.Host = s.text()
	case "version":
		e.Version = s.text()
	case "kind":
		e.Kind = Kind(s.text())
	case "job_id":
		e.JobID = s.text()
	case "job_type":
		e.JobType = s.text()
	case "state":
		e.State = State(s.text())
	case "attempt":
		e.Attempt = uint16(s.uint(16))
	case "duration_ms":
		e.DurationMs = s.float()
	case "queue_ms":
		e.QueueMs = s.float()
	case "integration":
		e.Integration = s.text()
	case "queue":
		e.Queue = s.text()
	case "route":
		e.Route = s.text()
	case "status":
		e.Status = uint16(s.uint(16))
	case "error_class":
		e.ErrorClass = s.text()
	case "error_message":
		e.ErrorMessage = s.text()
	case "cpu_ms":
		e.CPUMs = s.float()
	case "db_ms":
		e.DBMs = s.float()
	case "bytes":
		e.Bytes = s.uint(64)
	case "attrs":
		s.attrs(&e.Attrs)
	default:
		s.fail(classUnknownField, "unknown field %q", clip(string(key)))
	}
}

func knownField(key []byte) bool {
	switch string(key) {
	case "v", "id", "ts", "tenant", "service", "cell", "shard", "host", "version", "kind", "job_id",
		"job_type", "state", "attempt", "duration_ms", "queue_ms", "integration", "queue", "route",
		"status", "error_class", "error_message", "cpu_ms", "db_ms", "bytes", "attrs":
		return true
	}
	return false
}

// attrs reads an object of strings. An empty object leaves the map nil and
// a null value is an empty string, as the reference decoder has it.
func (s *scanner) attrs(m *map[string]string) {
	*m = nil
	s.object(func(key []byte) {
		if *m == nil {
			*m = make(map[string]string, 4)
		}
		k := s.str(key)
		if s.null() {
			(*m)[k] = ""
			return
		}
		(*m)[k] = s.text()
	})
}

func (s *scanner) space() {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return // compact JSON, as emitters write it
	}
	for s.i < len(s.b) && isSpace[s.b[s.i]] {
		s.i++
	}
}

// isSpace and stopsString are lookup tables for the two byte loops that
// dominate the scan.
var isSpace, stopsString = func() (sp, st [256]bool) {
	sp[' '], sp['\t'], sp['\n'], sp['\r'] = true, true, true, true
	for c := range 0x20 {
		st[c] = true
	}
	st['"'], st['\\'] = true, true
	return
}()

func (s *scanner) byte(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) null() bool {
	if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// text reads a string value.
func (s *scanner) text() string {
	v, ok := s.string()
	if !ok {
		s.fail(classSyntaxOrType, "expected a string")
		return ""
	}
	return s.str(v)
}

// str turns bytes the scanner returned into a string: a view of the input
// in shared mode (unescaped strings are fresh memory either way).
func (s *scanner) str(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if s.shared {
		return unsafe.String(&v[0], len(v))
	}
	return string(v)
}

// string reads a JSON string and returns its contents: a subslice of the
// input when it has no escapes, else a new unescaped copy.
func (s *scanner) string() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	b, start := s.b, s.i
	i := start
	for i < len(b) && !stopsString[b[i]] {
		i++
	}
	s.i = i
	switch {
	case i == len(b):
		s.fail(classSyntaxOrType, "unterminated string")
		return nil, false
	case b[i] == '"':
		s.i++
		return b[start:i], true
	case b[i] == '\\':
		return s.escaped(start)
	}
	s.fail(classSyntaxOrType, "control character in a string")
	return nil, false
}

// escaped continues string() from the first backslash, unescaping into a
// new buffer.
func (s *scanner) escaped(start int) ([]byte, bool) {
	out := make([]byte, 0, s.i-start+16)
	out = append(out, s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return out, true
		case c < 0x20:
			s.fail(classSyntaxOrType, "control character in a string")
			return nil, false
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			break
		}
		s.i += 2
		switch s.b[s.i-1] {
		case '"', '\\', '/':
			out = append(out, s.b[s.i-1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.unicodeEscape()
			if !ok {
				s.fail(classSyntaxOrType, "invalid \\u escape")
				return nil, false
			}
			out = utf8.AppendRune(out, r)
		default:
			s.fail(classSyntaxOrType, "invalid escape")
			return nil, false
		}
	}
	s.fail(classSyntaxOrType, "unterminated string")
	return nil, false
}

// unicodeEscape reads the XXXX of \uXXXX (and a following low surrogate's
// escape); unpaired surrogates become U+FFFD, as in encoding/json.
func (s *scanner) unicodeEscape() (rune, bool) {
	r, ok := s.hex4()
	if !ok {
		return 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, true
	}
	if len(s.b)-s.i >= 6 && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
		save := s.i
		s.i += 2
		if r2, ok := s.hex4(); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, true
			}
		}
		s.i = save
	}
	return utf8.RuneError, true
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.b)-s.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.i += 4
	return r, true
}

// number reads a JSON number token (RFC 8259 grammar).
func (s *scanner) number() string {
	start := s.i
	s.byte('-')
	switch {
	case s.byte('0'):
	case s.digits() == 0:
		s.fail(classSyntaxOrType, "expected a number")
		return ""
	}
	if s.byte('.') && s.digits() == 0 {
		s.fail(classSyntaxOrType, "expected digits after '.'")
		return ""
	}
	if s.byte('e') || s.byte('E') {
		if !s.byte('+') {
			s.byte('-')
		}
		if s.digits() == 0 {
			s.fail(classSyntaxOrType, "expected digits in the exponent")
			return ""
		}
	}
	return unsafe.String(&s.b[start], s.i-start)
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

func (s *scanner) int(bits int) int64 {
	tok := s.number()
	if s.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(tok, 10, bits)
	if err != nil {
		s.fail(classSyntaxOrType, "%s is not an integer of %d bits", clip(tok), bits)
	}
	return v
}

func (s *scanner) uint(bits int) uint64 {
	tok := s.number()
	if s.err != nil {
		return 0
	}
	v, err := strconv.ParseUint(tok, 10, bits)
	if err != nil {
		s.fail(classSyntaxOrType, "%s is not an unsigned integer of %d bits", clip(tok), bits)
	}
	return v
}

func (s *scanner) float() float64 {
	tok := s.number()
	if s.err != nil {
		return 0
	}
	v, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		s.fail(classSyntaxOrType, "%s is not a 64-bit float", clip(tok))
	}
	return v
}

// time reads ts with time.Time's own JSON decoding (RFC 3339), given the
// raw string token as the reference decoder does.
func (s *scanner) time(t *time.Time) {
	start := s.i
	if _, ok := s.string(); !ok {
		s.fail(classSyntaxOrType, "ts: expected a string")
		return
	}
	if err := t.UnmarshalJSON(s.b[start:s.i]); err != nil {
		s.fail(classTime, "%v", err)
	}
}
