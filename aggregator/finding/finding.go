// Package finding defines what the aggregator raises: a Finding names an
// operational problem (its kind), where it is (its scope: tenants, cell,
// version, host, fingerprint …), how bad it is and the numbers behind it.
// Detectors produce findings, the store keeps them in ClickHouse, alerting
// sends them to Alertmanager, runbooks and Grafana read them.
package finding

import "time"

// Kind is the kind of problem found. The names are shared with the
// simulator's ground truth (ingest/sim) and with runbook entries.
type Kind string

const (
	SystemWide     Kind = "failure_pattern.system_wide"   // one failure across many tenants, not localised
	Localized      Kind = "failure_pattern.localized"     // concentrated on a cell/version/host/…
	SingleTenant   Kind = "failure_pattern.single_tenant" // confined to one tenant
	NewSignature   Kind = "failure_pattern.new_signature" // an error fingerprint never seen in the baseline
	Emerging       Kind = "failure_pattern.emerging"      // bursts arriving ever closer together
	NoisyNeighbour Kind = "noisy_neighbour"               // one tenant hogs a shared resource, others degrade
	RetryStorm     Kind = "retry_storm"
	PoisonJob      Kind = "poison_job"
	StuckJobs      Kind = "stuck_jobs"
	RequestFlood   Kind = "request_flood"
	EndpointSlow   Kind = "tenant_endpoint_degraded"
)

// Severity orders how urgent a finding is.
type Severity string

const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// State is a finding's lifecycle state.
type State string

const (
	Open     State = "open"
	Resolved State = "resolved"
)

// Scope says where a finding is. Empty fields do not apply.
type Scope struct {
	Tenants       []string // affected tenants (victims, for a noisy neighbour)
	CulpritTenant string   // the tenant causing it, where there is one
	Cell          string
	Service       string
	Version       string
	Host          string
	JobType       string
	Integration   string
	Fingerprint   uint64
	Template      string
}

// Evidence is one named number behind a finding, e.g. tenants_now=37.
type Evidence struct {
	Name  string
	Value float64
}

// Finding is one detected problem.
type Finding struct {
	// Key identifies the problem across evaluations and replicas: the same
	// incident yields the same key, so it is one alert group, not a storm.
	Key       string
	Kind      Kind
	Severity  Severity
	State     State
	Scope     Scope
	Summary   string
	Evidence  []Evidence
	FirstSeen time.Time
	LastSeen  time.Time
	// UpdatedAt is the evaluation time that produced this version of the
	// finding; the newest version wins.
	UpdatedAt time.Time
}
