package detect

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// Detectors evaluates every detector at aligned ticks.
type Detectors struct {
	cfg Config
	q   Querier

	mu      sync.Mutex
	timings map[string]time.Duration
}

// New returns the detectors over a ClickHouse connection.
func New(cfg Config, q Querier) (*Detectors, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid detector config: %w", err)
	}
	return &Detectors{cfg: cfg, q: q}, nil
}

// Config returns the detectors' configuration.
func (d *Detectors) Config() Config { return d.cfg }

// Evaluate runs every detector as of now (aligned down to the minute) and
// returns the tick's findings: correlated (one incident, one finding) with
// each other and with the findings still open, keyed, sorted by key. It is
// a pure function of the data before now and of the open findings, so
// replicas and re-runs agree.
func (d *Detectors) Evaluate(ctx context.Context, now time.Time, open []finding.Finding) ([]finding.Finding, error) {
	det, err := d.Detect(ctx, now)
	if err != nil {
		return nil, err
	}
	return det.Findings(open), nil
}

// Detected is one tick's candidates before correlation with the open
// findings: the part of an evaluation that reads ClickHouse, which does not
// depend on earlier ticks' findings (so ticks can be detected ahead).
type Detected struct {
	t          Tick
	candidates []candidate
}

// Detect runs every detector as of now.
func (d *Detectors) Detect(ctx context.Context, now time.Time) (*Detected, error) {
	t := d.cfg.NewTick(now)
	tr, err := readTraffic(ctx, d.q, t)
	if err != nil {
		return nil, err
	}
	e := &env{ctx: ctx, q: d.q, cfg: &d.cfg, t: t, tr: tr}
	var all []candidate
	timings := map[string]time.Duration{}
	for _, det := range detectors {
		began := time.Now()
		cs, err := det.run(e)
		timings[det.name] = time.Since(began)
		if err != nil {
			return nil, fmt.Errorf("%s at %s: %w", det.name, t.Now.Format(time.RFC3339), err)
		}
		all = append(all, cs...)
	}
	d.mu.Lock()
	d.timings = timings
	d.mu.Unlock()
	return &Detected{t: t, candidates: all}, nil
}

// Findings correlates the candidates with each other and with the open
// findings and returns the tick's findings.
func (x *Detected) Findings(open []finding.Finding) []finding.Finding {
	cs := append([]candidate(nil), x.candidates...)
	return finish(correlate(cs, open, x.t.WindowFrom), x.t)
}

// Timings returns how long each detector took in the last evaluation
// (shared inputs are charged to the first detector reading them).
func (d *Detectors) Timings() map[string]time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]time.Duration, len(d.timings))
	for k, v := range d.timings {
		out[k] = v
	}
	return out
}

// detectors lists every detector in evaluation order.
var detectors = []struct {
	name string
	run  func(*env) ([]candidate, error)
}{
	{"request floods", requestFloods},
	{"retry storms", retryStorms},
	{"poison jobs", poisonJobs},
	{"endpoints", degradedEndpoints},
	{"failure patterns", failurePatterns}, // after the job-level detectors: it reads their suspects
	{"emerging patterns", emergingPatterns},
	{"stuck jobs", stuckJobs},
	{"noisy neighbours", noisyNeighbours},
}

// finish merges candidates with the same key (the strongest wins) and
// stamps them with the tick.
func finish(cs []candidate, t Tick) []finding.Finding {
	best := map[string]candidate{}
	for _, c := range cs {
		if b, ok := best[c.Key]; !ok || c.weight > b.weight {
			best[c.Key] = c
		}
	}
	out := make([]finding.Finding, 0, len(best))
	for _, c := range best {
		f := c.Finding
		f.State, f.FirstSeen, f.LastSeen, f.UpdatedAt = finding.Open, t.Now, t.Now, t.Now
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// correlate drops candidates another candidate explains, so one incident
// is one finding:
//   - a fingerprint in a burst train is an emerging pattern, not also a
//     sustained one;
//   - a tenant's job-level finding explains the same tenant's less specific
//     ones, in the order retry storm (rapid retries of failing jobs),
//     poison job (attempts failing fast), degraded endpoint (one
//     configured endpoint failing or slow), single-tenant failure pattern;
//   - a tenant's failure pattern reaching beyond one job type explains a
//     poison job of the same errors (an integration failing for the
//     tenant fails every job type using it, fast);
//   - sustaining evidence (an incident that has filled its own baseline)
//     only continues an open finding;
//   - a localized pattern or noisy neighbour whose scope moved (one host,
//     then the cell) continues its open finding (continueOpen), and a
//     noisy neighbour keeps the job type it was found with;
//   - a retry storm (this tick's, or open and seen in the window) explains
//     its tenant's noisy neighbour on the same cell, and takes over the
//     victims (foldNeighboursIntoStorms).
//
// Open findings explain as well as this tick's: a retry storm whose rate
// dips for a minute still explains its tenant's errors.
func correlate(cs []candidate, open []finding.Finding, windowFrom time.Time) []candidate {
	continueOpen(cs, open)
	keepAggressorJobType(cs, open)
	cs = dropUnsustained(cs, open)
	cs = foldNeighboursIntoStorms(cs, open, windowFrom)
	cs = dropExplainedJobFindings(cs, open)
	emerging := map[uint64]bool{}
	rank := map[string]int{} // tenant -> most specific tenant-level kind seen
	explains := func(f *finding.Finding, fps []uint64) {
		if f.Kind == finding.Emerging {
			for _, fp := range fps {
				emerging[fp] = true
			}
		}
		if r, ok := tenantRank[f.Kind]; ok && f.Scope.CulpritTenant != "" && r > rank[f.Scope.CulpritTenant] {
			rank[f.Scope.CulpritTenant] = r
		}
	}
	for i := range cs {
		explains(&cs[i].Finding, cs[i].fingerprints)
	}
	for i := range open {
		explains(&open[i], []uint64{open[i].Scope.Fingerprint})
	}
	out := cs[:0]
	for _, c := range cs {
		if c.Kind != finding.Emerging && isPattern(c.Kind) && explained(c.fingerprints, emerging) {
			continue
		}
		if r, ok := tenantRank[c.Kind]; ok && r < rank[c.Scope.CulpritTenant] {
			continue
		}
		out = append(out, c)
	}
	return out
}

// dropUnsustained drops sustaining candidates without an open finding.
func dropUnsustained(cs []candidate, open []finding.Finding) []candidate {
	isOpen := make(map[string]bool, len(open))
	for i := range open {
		isOpen[open[i].Key] = true
	}
	out := cs[:0]
	for _, c := range cs {
		if !c.sustain || isOpen[c.Key] {
			out = append(out, c)
		}
	}
	return out
}

// dropExplainedJobFindings drops a poison-job candidate whose errors are
// a tenant's failure pattern that reaches beyond the job type: the tenant's
// integration failing (revoked credentials) fails whichever job type uses
// it, fast, and is one incident, the failure pattern. A pattern confined to
// the poisoned job type is instead explained by the poison (tenantRank).
// A poison job whose errors are all a cross-tenant pattern's (a bad
// version on its cell, an outage) is that pattern's too: the failures are
// the infrastructure's, not the payload's, and by chance hit one tenant's
// jobs hard.
func dropExplainedJobFindings(cs []candidate, open []finding.Finding) []candidate {
	type pattern struct {
		jobType string
		fps     []uint64
	}
	byTenant := map[string][]pattern{}
	for i := range cs {
		if f := &cs[i].Finding; f.Kind == finding.SingleTenant {
			byTenant[f.Scope.CulpritTenant] = append(byTenant[f.Scope.CulpritTenant], pattern{f.Scope.JobType, cs[i].fingerprints})
		}
	}
	for i := range open {
		if f := &open[i]; f.Kind == finding.SingleTenant {
			byTenant[f.Scope.CulpritTenant] = append(byTenant[f.Scope.CulpritTenant], pattern{f.Scope.JobType, []uint64{f.Scope.Fingerprint}})
		}
	}
	type crossPattern struct {
		cell string // the cell it is confined to, if any
		fps  []uint64
	}
	var crossTenant []crossPattern
	for i := range cs {
		if f := &cs[i].Finding; f.Kind == finding.Localized || f.Kind == finding.SystemWide {
			crossTenant = append(crossTenant, crossPattern{f.Scope.Cell, cs[i].fingerprints})
		}
	}
	for i := range open {
		if f := &open[i]; f.Kind == finding.Localized || f.Kind == finding.SystemWide {
			crossTenant = append(crossTenant, crossPattern{f.Scope.Cell, []uint64{f.Scope.Fingerprint}})
		}
	}
	victims := neighbourVictims(cs, open)
	out := cs[:0]
	for _, c := range cs {
		// A victim of a noisy neighbour on its cell runs slower, its
		// webhook deliveries too: the neighbour explains a slow endpoint.
		explained := c.Kind == finding.EndpointSlow && c.slowOnly && victims[[2]string{c.Scope.Cell, c.Scope.CulpritTenant}]
		if c.Kind == finding.PoisonJob {
			for _, p := range byTenant[c.Scope.CulpritTenant] {
				explained = explained || (p.jobType != c.Scope.JobType && shareAny(p.fps, c.fingerprints))
			}
			for _, p := range crossTenant {
				explained = explained || (agree(p.cell, c.Scope.Cell) && covers(p.fps, c.fingerprints))
			}
		}
		if !explained {
			out = append(out, c)
		}
	}
	return out
}

// neighbourVictims returns the victims of this tick's and the open noisy
// neighbours, by cell and tenant.
func neighbourVictims(cs []candidate, open []finding.Finding) map[[2]string]bool {
	out := map[[2]string]bool{}
	add := func(f *finding.Finding) {
		if f.Kind == finding.NoisyNeighbour {
			for _, t := range f.Scope.Tenants {
				out[[2]string{f.Scope.Cell, t}] = true
			}
		}
	}
	for i := range cs {
		add(&cs[i].Finding)
	}
	for i := range open {
		add(&open[i])
	}
	return out
}

// covers reports whether every element of fps, a non-empty list, is in by.
func covers(by, fps []uint64) bool {
	for _, fp := range fps {
		if !slices.Contains(by, fp) {
			return false
		}
	}
	return len(fps) > 0
}

// shareAny reports whether a and b have an element in common.
func shareAny(a, b []uint64) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y && x != 0 {
				return true
			}
		}
	}
	return false
}

// tenantRank orders the kinds that blame one tenant's failing work, most
// specific last.
var tenantRank = map[finding.Kind]int{
	finding.SingleTenant: 1, finding.EndpointSlow: 2, finding.PoisonJob: 3, finding.RetryStorm: 4,
}

func isPattern(k finding.Kind) bool {
	switch k {
	case finding.SystemWide, finding.Localized, finding.SingleTenant, finding.NewSignature, finding.Emerging:
		return true
	}
	return false
}

// explained reports whether every fingerprint is in the set.
func explained(fps []uint64, by map[uint64]bool) bool {
	for _, fp := range fps {
		if !by[fp] {
			return false
		}
	}
	return len(fps) > 0
}
