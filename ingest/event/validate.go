package event

import (
	"math"
	"time"
)

// Field size limits. Identifiers are short and restricted to a safe
// alphabet, so they cannot carry free text; free text is bounded and then
// scrubbed by the guard.
const (
	MaxIDLen           = 64
	MaxIdentifierLen   = 128
	MaxErrorMessageLen = 1024
	MaxAttrValueLen    = 256
	MaxAttrs           = 16
	MaxDurationMs      = 30 * 24 * 3600 * 1000.0
)

// Validate checks the contract's rules. Free-text fields longer than their
// limit are truncated, not rejected: the operational content survives.
func (e *Event) Validate(now time.Time, lim Limits) *Rejection {
	if e.V != Version {
		return reject(ReasonUnsupportedVersion, "v=%d, this ingester speaks v%d", e.V, Version)
	}
	if rej := e.validateRequired(); rej != nil {
		return rej
	}
	if rej := e.validateTime(now, lim); rej != nil {
		return rej
	}
	if rej := e.validateEnums(); rej != nil {
		return rej
	}
	if rej := e.validateIdentifiers(); rej != nil {
		return rej
	}
	if rej := e.validateNumbers(); rej != nil {
		return rej
	}
	if rej := e.validateAttrs(); rej != nil {
		return rej
	}
	e.ErrorMessage = TruncateUTF8(e.ErrorMessage, MaxErrorMessageLen)
	return nil
}

func (e *Event) validateRequired() *Rejection {
	switch {
	case e.ID == "":
		return reject(ReasonMissingID, "id is required")
	case e.Tenant == "":
		return reject(ReasonMissingTenant, "tenant is required")
	case e.Service == "":
		return reject(ReasonMissingService, "service is required")
	case e.Time.IsZero():
		return reject(ReasonMissingTimestamp, "ts is required")
	}
	return nil
}

func (e *Event) validateTime(now time.Time, lim Limits) *Rejection {
	if e.Time.After(now.Add(lim.MaxFuture)) {
		return reject(ReasonFutureTimestamp, "ts %s is more than %s ahead of now", e.Time.UTC().Format(time.RFC3339), lim.MaxFuture)
	}
	if e.Time.Before(now.Add(-lim.MaxAge)) {
		return reject(ReasonAncientTimestamp, "ts %s is more than %s old", e.Time.UTC().Format(time.RFC3339), lim.MaxAge)
	}
	return nil
}

func (e *Event) validateEnums() *Rejection {
	switch e.Kind {
	case KindJobState, KindJobRetry, KindRequest, KindError, KindResource:
	case "":
		return reject(ReasonInvalidKind, "kind is required")
	default:
		return reject(ReasonInvalidKind, "kind %q is not one of job_state, job_retry, request, error, resource", clip(string(e.Kind)))
	}
	switch e.State {
	case "", StateQueued, StateRunning, StateSucceeded, StateFailed, StateDead, StateCancelled:
	default:
		return reject(ReasonInvalidState, "state %q is not a job state", clip(string(e.State)))
	}
	if e.Kind == KindJobState && e.State == "" {
		return reject(ReasonInvalidState, "a job_state event needs a state")
	}
	return nil
}

func (e *Event) validateIdentifiers() *Rejection {
	fields := [...]struct {
		name  string
		value string
		max   int
	}{
		{"id", e.ID, MaxIDLen},
		{"tenant", e.Tenant, MaxIDLen},
		{"service", e.Service, MaxIDLen},
		{"cell", e.Cell, MaxIDLen},
		{"shard", e.Shard, MaxIDLen},
		{"host", e.Host, MaxIdentifierLen},
		{"version", e.Version, MaxIDLen},
		{"job_id", e.JobID, MaxIdentifierLen},
		{"job_type", e.JobType, MaxIdentifierLen},
		{"integration", e.Integration, MaxIDLen},
		{"queue", e.Queue, MaxIDLen},
		{"error_class", e.ErrorClass, MaxIdentifierLen},
	}
	for _, f := range fields {
		if len(f.value) > f.max {
			return reject(ReasonInvalidField, "%s is %d bytes, limit %d", f.name, len(f.value), f.max)
		}
		if !IsIdentifier(f.value) {
			return reject(ReasonInvalidField, "%s may contain only letters, digits and . _ - : / +", f.name)
		}
	}
	if len(e.Route) > MaxIdentifierLen*2 {
		return reject(ReasonInvalidField, "route is %d bytes, limit %d", len(e.Route), MaxIdentifierLen*2)
	}
	return nil
}

func (e *Event) validateNumbers() *Rejection {
	nums := [...]struct {
		name string
		v    float64
	}{{"duration_ms", e.DurationMs}, {"queue_ms", e.QueueMs}, {"cpu_ms", e.CPUMs}, {"db_ms", e.DBMs}}
	for _, n := range nums {
		if math.IsNaN(n.v) || n.v < 0 || n.v > MaxDurationMs {
			return reject(ReasonInvalidNumber, "%s=%v is outside [0, %v]", n.name, n.v, MaxDurationMs)
		}
	}
	if e.Status != 0 && (e.Status < 100 || e.Status > 599) {
		return reject(ReasonInvalidNumber, "status=%d is not an HTTP status", e.Status)
	}
	return nil
}

func (e *Event) validateAttrs() *Rejection {
	if len(e.Attrs) > MaxAttrs {
		return reject(ReasonInvalidField, "%d attrs, limit %d", len(e.Attrs), MaxAttrs)
	}
	for k, v := range e.Attrs {
		if !AllowedAttrs[k] {
			return reject(ReasonUnknownAttribute, "attribute %q is not in the allow-list", clip(k))
		}
		e.Attrs[k] = TruncateUTF8(v, MaxAttrValueLen)
	}
	return nil
}

// IsIdentifier reports whether s uses only the identifier alphabet.
func IsIdentifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == '-', c == ':', c == '/', c == '+':
		default:
			return false
		}
	}
	return true
}

// TruncateUTF8 cuts s to at most n bytes without splitting a rune.
func TruncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func clip(s string) string { return TruncateUTF8(s, 40) }
