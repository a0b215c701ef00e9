package sim

import (
	"context"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Observations is what the signature checks need to ask of a store of
// events. MemStore answers from memory; a ClickHouse implementation answers
// the same questions with SQL, so the checks run unchanged on both.
type Observations interface {
	// Count counts events matching f, grouped by a dimension ("" key for DimNone).
	Count(ctx context.Context, f Filter, by Dim) (map[string]int64, error)
	// Quantile is the q-quantile of a numeric field over events matching f;
	// NaN when none match.
	Quantile(ctx context.Context, f Filter, field Field, q float64) (float64, error)
	// StuckJobs counts, by tenant, jobs matching f whose latest event at or
	// before at is "running" and at least olderThan old.
	StuckJobs(ctx context.Context, f Filter, at time.Time, olderThan time.Duration) (map[string]int64, error)
}

// Filter selects events. Zero fields do not filter. Times are [From, To).
type Filter struct {
	From, To time.Time

	Tenant    string
	NotTenant string
	Cell      string
	NotCell   string
	Host      string
	Version   string
	Service   string
	Route     string
	JobType   string
	Endpoint  string // attrs.endpoint

	Integration string
	Kind        event.Kind
	State       event.State
	Status      uint16

	ErrorsOnly    bool // event.IsError
	ErrorClass    string
	MessagePrefix string
	MinAttempt    uint16
}

// Dim is a grouping dimension.
type Dim string

const (
	DimNone    Dim = ""
	DimTenant  Dim = "tenant"
	DimCell    Dim = "cell"
	DimHost    Dim = "host"
	DimVersion Dim = "version"
	DimMinute  Dim = "minute" // key: unix seconds of the minute's start, decimal
)

// Field is a numeric event field.
type Field string

const (
	FieldQueueMs    Field = "queue_ms"
	FieldDurationMs Field = "duration_ms"
)
