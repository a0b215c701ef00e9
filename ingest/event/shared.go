package event

import "time"

//go:generate go run github.com/mailru/easyjson/easyjson@v0.9.2 -all -disallow_unknown_fields -no_std_marshalers -output_filename shared_easyjson.go shared.go

// sharedEvent is Event decoded with easyjson's nocopy strings: each string
// field is a view of the input bytes instead of a copy (escaped strings are
// still unescaped into new memory). DecodeShared converts it to an Event
// (the types differ only in tags). Keep the fields in step with Event; the
// conversion does not compile otherwise.
type sharedEvent struct {
	V      int       `json:"v"`
	ID     string    `json:"id,nocopy"`
	Time   time.Time `json:"ts"`
	Tenant string    `json:"tenant,nocopy"`

	Service string `json:"service,nocopy"`
	Cell    string `json:"cell,omitempty,nocopy"`
	Shard   string `json:"shard,omitempty,nocopy"`
	Host    string `json:"host,omitempty,nocopy"`
	Version string `json:"version,omitempty,nocopy"`

	Kind    Kind   `json:"kind,nocopy"`
	JobID   string `json:"job_id,omitempty,nocopy"`
	JobType string `json:"job_type,omitempty,nocopy"`
	State   State  `json:"state,omitempty,nocopy"`
	Attempt uint16 `json:"attempt,omitempty"`

	DurationMs float64 `json:"duration_ms,omitempty"`
	QueueMs    float64 `json:"queue_ms,omitempty"`

	Integration string `json:"integration,omitempty,nocopy"`
	Queue       string `json:"queue,omitempty,nocopy"`
	Route       string `json:"route,omitempty,nocopy"`
	Status      uint16 `json:"status,omitempty"`

	ErrorClass   string `json:"error_class,omitempty,nocopy"`
	ErrorMessage string `json:"error_message,omitempty,nocopy"`

	CPUMs float64 `json:"cpu_ms,omitempty"`
	DBMs  float64 `json:"db_ms,omitempty"`
	Bytes uint64  `json:"bytes,omitempty"`

	Attrs map[string]string `json:"attrs,omitempty"`
}
