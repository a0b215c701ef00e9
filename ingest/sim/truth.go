package sim

import (
	"io"
	"time"

	json "github.com/goccy/go-json"
)

// Finding kinds: what a detector should raise for each scenario. The
// aggregator imports these names.
const (
	FindingSystemWide     = "failure_pattern.system_wide"
	FindingLocalized      = "failure_pattern.localized"
	FindingSingleTenant   = "failure_pattern.single_tenant"
	FindingEmerging       = "failure_pattern.emerging"
	FindingNoisyNeighbour = "noisy_neighbour"
	FindingRetryStorm     = "retry_storm"
	FindingPoisonJob      = "poison_job"
	FindingStuckJobs      = "stuck_jobs"
	FindingRequestFlood   = "request_flood"
	FindingEndpoint       = "tenant_endpoint_degraded"
)

// FindingKinds lists every finding kind.
var FindingKinds = []string{
	FindingSystemWide, FindingLocalized, FindingSingleTenant, FindingEmerging, FindingNoisyNeighbour,
	FindingRetryStorm, FindingPoisonJob, FindingStuckJobs, FindingRequestFlood, FindingEndpoint,
}

// Truth is the ground-truth record of one injected incident, one JSON line
// in the truth file.
type Truth struct {
	Scenario        string    `json:"scenario"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	FindingKind     string    `json:"finding_kind"`
	Culprit         Culprit   `json:"culprit"`
	AffectedTenants []string  `json:"affected_tenants"`
	Params          Params    `json:"params"`
}

// Culprit names what caused the incident, where there is such a thing.
type Culprit struct {
	Tenant      string `json:"tenant,omitempty"`
	Cell        string `json:"cell,omitempty"`
	Version     string `json:"version,omitempty"`
	Host        string `json:"host,omitempty"`
	Integration string `json:"integration,omitempty"`
	JobType     string `json:"job_type,omitempty"`
}

// WriteTruth writes one record as a JSON line.
func WriteTruth(w io.Writer, t *Truth) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadTruth parses a truth file.
func ReadTruth(r io.Reader) ([]Truth, error) {
	dec := json.NewDecoder(r)
	var out []Truth
	for dec.More() {
		var t Truth
		if err := dec.Decode(&t); err != nil {
			return out, err
		}
		out = append(out, t)
	}
	return out, nil
}
