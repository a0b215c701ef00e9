package event

//go:generate go run github.com/mailru/easyjson/easyjson@v0.9.2 -all -disallow_unknown_fields -no_std_marshalers -output_filename event_easyjson.go event.go

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailru/easyjson/jlexer"
)

// Reason is a machine-readable rejection reason; it becomes a metric label
// and the dead-letter reason header, so the set is closed and small.
type Reason string

const (
	ReasonTooLarge           Reason = "too_large"
	ReasonInvalidUTF8        Reason = "invalid_utf8"
	ReasonMalformedJSON      Reason = "malformed_json"
	ReasonWrongType          Reason = "wrong_type"
	ReasonUnknownField       Reason = "unknown_field"
	ReasonUnsupportedVersion Reason = "unsupported_version"
	ReasonMissingID          Reason = "missing_id"
	ReasonMissingTenant      Reason = "missing_tenant"
	ReasonMissingService     Reason = "missing_service"
	ReasonMissingTimestamp   Reason = "missing_timestamp"
	ReasonFutureTimestamp    Reason = "future_timestamp"
	ReasonAncientTimestamp   Reason = "ancient_timestamp"
	ReasonInvalidKind        Reason = "invalid_kind"
	ReasonInvalidState       Reason = "invalid_state"
	ReasonInvalidField       Reason = "invalid_field"
	ReasonUnknownAttribute   Reason = "unknown_attribute"
	ReasonInvalidNumber      Reason = "invalid_number"
)

// Reasons lists every rejection reason, so metrics can be pre-declared.
var Reasons = []Reason{
	ReasonTooLarge, ReasonInvalidUTF8, ReasonMalformedJSON, ReasonWrongType,
	ReasonUnknownField, ReasonUnsupportedVersion, ReasonMissingID, ReasonMissingTenant,
	ReasonMissingService, ReasonMissingTimestamp, ReasonFutureTimestamp,
	ReasonAncientTimestamp, ReasonInvalidKind, ReasonInvalidState, ReasonInvalidField,
	ReasonUnknownAttribute, ReasonInvalidNumber,
}

// Rejection explains why bytes are not a valid event.
type Rejection struct {
	Reason Reason
	Detail string
}

func (r *Rejection) Error() string { return string(r.Reason) + ": " + r.Detail }

func reject(r Reason, format string, args ...any) *Rejection {
	return &Rejection{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// Limits bound what the decoder accepts.
type Limits struct {
	MaxBytes  int           // largest accepted document
	MaxFuture time.Duration // how far ahead of now a timestamp may be
	MaxAge    time.Duration // how far behind now a timestamp may be
}

// DefaultLimits are the limits used when none are configured.
var DefaultLimits = Limits{MaxBytes: 64 << 10, MaxFuture: 10 * time.Minute, MaxAge: 35 * 24 * time.Hour}

// Decode parses and validates one JSON event. It never panics on any input;
// every failure is a *Rejection with a specific reason.
func Decode(b []byte, now time.Time, lim Limits) (Event, *Rejection) {
	return decode(b, now, lim, false)
}

// DecodeShared is Decode whose string fields are views of b rather than
// copies, which saves most of a decode's allocations. Use it only where b is
// never modified while the event is in use: the ingester's Kafka message
// values, which are allocated per message and only read.
func DecodeShared(b []byte, now time.Time, lim Limits) (Event, *Rejection) {
	return decode(b, now, lim, true)
}

func decode(b []byte, now time.Time, lim Limits, shared bool) (Event, *Rejection) {
	var e Event
	if len(b) > lim.MaxBytes {
		return e, reject(ReasonTooLarge, "%d bytes exceeds limit %d", len(b), lim.MaxBytes)
	}
	if !utf8.Valid(b) {
		return e, reject(ReasonInvalidUTF8, "document is not valid UTF-8")
	}
	if rej := unmarshalStrict(b, &e, shared); rej != nil {
		return e, rej
	}
	if rej := e.Validate(now, lim); rej != nil {
		return e, rej
	}
	return e, nil
}

// unmarshalStrict decodes with the easyjson code generated from Event
// (event_easyjson.go, `go generate`), which rejects fields the contract does
// not name and allocates far less than reflection-based decoders.
func unmarshalStrict(b []byte, e *Event, shared bool) *Rejection {
	l := jlexer.Lexer{Data: b}
	if shared {
		(*sharedEvent)(e).UnmarshalEasyJSON(&l)
	} else {
		e.UnmarshalEasyJSON(&l)
	}
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
