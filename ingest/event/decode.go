package event

import (
	"fmt"
	"time"
	"unicode/utf8"
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
	if rej := scanEvent(b, &e, shared); rej != nil {
		return e, rej
	}
	if rej := e.Validate(now, lim); rej != nil {
		return e, rej
	}
	return e, nil
}
