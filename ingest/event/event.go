// Package event defines opswarehouse's operational event contract (v1): the
// JSON document every tenant-scoped service emits, its strict decoder and its
// validation rules. The contract names operational fields only; anything it
// does not name is rejected, so client data has no field to travel in.
package event

import "time"

// Version is the contract version this package speaks.
const Version = 1

// Kind says what an event reports.
type Kind string

const (
	KindJobState Kind = "job_state" // a job changed state
	KindJobRetry Kind = "job_retry" // a job was scheduled for another attempt
	KindRequest  Kind = "request"   // a request was served
	KindError    Kind = "error"     // an error outside a job lifecycle
	KindResource Kind = "resource"  // a resource-use sample
)

// Kinds lists every kind of contract v1, in a stable order.
var Kinds = []Kind{KindJobState, KindJobRetry, KindRequest, KindError, KindResource}

// State is a job's lifecycle state.
type State string

const (
	StateQueued    State = "queued"
	StateRunning   State = "running"
	StateSucceeded State = "succeeded"
	StateFailed    State = "failed"
	StateDead      State = "dead" // failed for the last time: retries exhausted
	StateCancelled State = "cancelled"
)

// States lists every job state of contract v1.
var States = []State{StateQueued, StateRunning, StateSucceeded, StateFailed, StateDead, StateCancelled}

// Event is one operational event, contract v1. Field names are the JSON
// names documented in docs/events.md.
type Event struct {
	V      int       `json:"v"`
	ID     string    `json:"id"`
	Time   time.Time `json:"ts"`
	Tenant string    `json:"tenant"`

	Service string `json:"service"`
	Cell    string `json:"cell,omitempty"`
	Shard   string `json:"shard,omitempty"`
	Host    string `json:"host,omitempty"`
	Version string `json:"version,omitempty"`

	Kind    Kind   `json:"kind"`
	JobID   string `json:"job_id,omitempty"`
	JobType string `json:"job_type,omitempty"`
	State   State  `json:"state,omitempty"`
	Attempt uint16 `json:"attempt,omitempty"`

	DurationMs float64 `json:"duration_ms,omitempty"`
	QueueMs    float64 `json:"queue_ms,omitempty"`

	Integration string `json:"integration,omitempty"`
	Queue       string `json:"queue,omitempty"`
	Route       string `json:"route,omitempty"`
	Status      uint16 `json:"status,omitempty"`

	ErrorClass   string `json:"error_class,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`

	CPUMs float64 `json:"cpu_ms,omitempty"`
	DBMs  float64 `json:"db_ms,omitempty"`
	Bytes uint64  `json:"bytes,omitempty"`

	Attrs map[string]string `json:"attrs,omitempty"`
}

// AllowedAttrs is the allow-list of extra attribute keys. Values are free
// text and pass through the client-data guard.
var AllowedAttrs = map[string]bool{
	"priority":   true, // job or request priority class
	"plan":       true, // the tenant's plan tier
	"region":     true,
	"trigger":    true, // what started a job: schedule, api, webhook, import
	"method":     true, // HTTP method of a request
	"endpoint":   true, // a tenant-configured endpoint's name (never its URL)
	"client":     true, // client library or SDK name/version
	"reason":     true, // short machine reason for a state change
	"source":     true,
	"size_class": true,
}

// IsError reports whether the event records a failure.
func (e *Event) IsError() bool {
	return e.Kind == KindError || e.State == StateFailed || e.State == StateDead ||
		e.ErrorClass != "" || e.Status >= 500
}
