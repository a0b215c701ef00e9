package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailru/easyjson/jlexer"
)

// decodeReference is the decoder scanEvent replaced: easyjson's generated
// code (event_easyjson.go, `go generate`) and the same validation.
// FuzzDecode holds the two to the same verdicts and values on every
// well-formed document.
func decodeReference(b []byte, now time.Time, lim Limits) (Event, *Rejection) {
	var e Event
	if len(b) > lim.MaxBytes {
		return e, reject(ReasonTooLarge, "%d bytes exceeds limit %d", len(b), lim.MaxBytes)
	}
	if !utf8.Valid(b) {
		return e, reject(ReasonInvalidUTF8, "document is not valid UTF-8")
	}
	if rej := unmarshalStrict(b, &e); rej != nil {
		return e, rej
	}
	if rej := e.Validate(now, lim); rej != nil {
		return e, rej
	}
	return e, nil
}

func unmarshalStrict(b []byte, e *Event) *Rejection {
	l := jlexer.Lexer{Data: b}
	e.UnmarshalEasyJSON(&l)
	l.Consumed() // a second value after the object is not one event
	if err := l.Error(); err != nil {
		return classifyJSONError(b, err)
	}
	return nil
}

func classifyJSONError(b []byte, err error) *Rejection {
	var lexErr *jlexer.LexerError
	msg := err.Error()
	if errors.As(err, &lexErr) {
		msg = lexErr.Reason
		if lexErr.Offset > 0 {
			msg = fmt.Sprintf("%s at byte %d", lexErr.Reason, lexErr.Offset)
		}
	}
	switch {
	case strings.Contains(msg, "unknown field"):
		return reject(ReasonUnknownField, "%s", trimJSONPrefix(msg))
	case strings.Contains(msg, "parsing time"), strings.Contains(msg, "cannot parse"):
		return reject(ReasonInvalidField, "ts: %s", trimJSONPrefix(msg))
	case !json.Valid(b):
		return reject(ReasonMalformedJSON, "%s", trimJSONPrefix(msg))
	}
	// Well-formed JSON the decoder still refused: a value of the wrong type
	// (or out of its type's range).
	return reject(ReasonWrongType, "%s", trimJSONPrefix(msg))
}

func trimJSONPrefix(msg string) string {
	msg = strings.TrimPrefix(msg, "json: ")
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}
