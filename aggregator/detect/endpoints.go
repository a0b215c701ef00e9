package detect

import (
	"fmt"
	"math"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/queries"
)

// endpointHealth is one tenant-configured endpoint's deliveries.
type endpointHealth struct {
	Cell         string    `ch:"cell"`
	Tenant       string    `ch:"tenant"`
	JobType      string    `ch:"job_type"`
	Endpoint     string    `ch:"endpoint"`
	FinishedNow  uint64    `ch:"finished_now"`
	FailedNow    uint64    `ch:"failed_now"`
	RunQNow      []float32 `ch:"run_q_now"`
	FinishedLong uint64    `ch:"finished_long"`
	FailedLong   uint64    `ch:"failed_long"`
	RunQLong     []float32 `ch:"run_q_long"`
	FinishedBase uint64    `ch:"finished_base"`
	FailedBase   uint64    `ch:"failed_base"`
	RunQBase     []float32 `ch:"run_q_base"`
}

// deliveries is one period's finished and failed attempts and run times.
type deliveries struct {
	finished, failed float64
	q                []float32
}

func (r *endpointHealth) window(long bool) deliveries {
	if long {
		return deliveries{float64(r.FinishedLong), float64(r.FailedLong), r.RunQLong}
	}
	return deliveries{float64(r.FinishedNow), float64(r.FailedNow), r.RunQNow}
}

func (r *jobTypeHealth) window(long bool) deliveries {
	if long {
		return deliveries{float64(r.FinishedLong), float64(r.FailedLong), r.RunQLong}
	}
	return deliveries{float64(r.FinishedNow), float64(r.FailedNow), r.RunQNow}
}

// endpointOwnBaseline is how many baseline deliveries an endpoint needs
// for its own latency to be its baseline (else its cell's job type's is).
const endpointOwnBaseline = 50

// exceedNull is how often a delivery is taken to exceed the baseline p90
// under the baseline: 0.1 by definition, doubled for the error of a p90
// estimated from tens of deliveries and for drift within the hour.
const exceedNull = 0.2

// priorWeight is how many attempts' worth of evidence the cell's rate
// counts for when an endpoint's own baseline is thin.
const priorWeight = 20

// degradedEndpoints finds a tenant's configured endpoint (attrs.endpoint)
// whose deliveries fail far more often, or take far longer, than in its
// own baseline — while the same job type's deliveries on its cell (its
// neighbours, on the same infrastructure) do not. Each endpoint is tested
// over the window and, so that endpoints with a delivery every few minutes
// are not invisible, over a longer recent window.
func degradedEndpoints(e *env) ([]candidate, error) {
	if !e.warm() {
		return nil, nil
	}
	types, err := e.jobTypeHealth()
	if err != nil {
		return nil, err
	}
	jc := &e.cfg.Jobs
	out, err := endpointCandidates(e, e.t, types, func(r *endpointHealth) {
		if endpointSuspect(r, jc.EndpointMin, e.cfg.MaxLogP) {
			e.suspect(r.Tenant)
		}
	})
	if err != nil || !e.anyStormSuspect(out) {
		return out, err
	}
	// A tenant whose retries are rising may be starting a retry storm,
	// which fails its deliveries as well: its endpoint waits a tick, as
	// its single-tenant patterns do, and is raised only if it was already
	// degraded a minute ago (by then the storm, if it is one, is found and
	// explains it).
	before, err := endpointCandidates(e, e.cfg.NewTick(e.t.Now.Add(-time.Minute)), types, nil)
	if err != nil {
		return nil, err
	}
	wasDegraded := map[string]bool{}
	for _, c := range before {
		wasDegraded[c.Key] = wasDegraded[c.Key] || !c.sustain
	}
	kept := out[:0]
	for _, c := range out {
		if c.sustain || !e.stormSuspects[c.Scope.CulpritTenant] || wasDegraded[c.Key] {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// endpointSuspect reports partial evidence that an endpoint is failing:
// failing half its deliveries over the long window, or starting to fail in
// the short one (a third of the support) — at half its deliveries, or, for
// an endpoint that fails part of its deliveries anyway, clearly more often
// than in its own baseline (half the alarm's significance). A flaky
// endpoint's window straddling the onset fails well above its baseline
// before it fails half the time, and its tenant's single-tenant patterns
// must wait for the endpoint detector from that minute on.
func endpointSuspect(r *endpointHealth, minFailed uint64, maxLogP float64) bool {
	if r.FailedLong >= minFailed && 2*r.FailedLong >= r.FinishedLong {
		return true
	}
	if 3*r.FailedNow < minFailed {
		return false
	}
	if 2*r.FailedNow >= r.FinishedNow {
		return true
	}
	if r.FinishedBase < endpointOwnBaseline {
		return false
	}
	if r.FailedBase == 0 {
		return true // failing where it never failed
	}
	base := float64(r.FailedBase) / float64(r.FinishedBase)
	return logBinomialTail(float64(r.FinishedNow), float64(r.FailedNow), base) <= maxLogP/2
}

// endpointCandidates tests every endpoint as of t; each row is also handed
// to seen when it is not nil.
func endpointCandidates(e *env, t Tick, types map[[2]string]jobTypeHealth, seen func(*endpointHealth)) ([]candidate, error) {
	rows, err := e.endpointRows(t)
	if err != nil {
		return nil, err
	}
	siblings := siblingTotals(rows)
	elsewhere, err := e.tenantsFailingElsewhere()
	if err != nil {
		return nil, err
	}
	var out []candidate
	for i := range rows {
		r := &rows[i]
		if seen != nil {
			seen(r)
		}
		cell := types[[2]string{r.Cell, r.JobType}]
		for _, long := range []bool{false, true} {
			if siblings.failingToo(r, long, e.cfg) || elsewhere[[2]string{r.Tenant, r.JobType}] {
				continue
			}
			if c, ok := endpointCandidate(r, &cell, long, e.cfg); ok {
				out = append(out, c)
				if !c.sustain {
					break
				}
			}
		}
	}
	return out, nil
}

// endpointTotals is the deliveries of all of one tenant's endpoints of
// one job type on one cell.
type endpointTotals map[[3]string]*endpointHealth

func siblingTotals(rows []endpointHealth) endpointTotals {
	t := endpointTotals{}
	for i := range rows {
		r := &rows[i]
		k := [3]string{r.Cell, r.Tenant, r.JobType}
		sum := t[k]
		if sum == nil {
			sum = &endpointHealth{}
			t[k] = sum
		}
		sum.FinishedNow, sum.FailedNow = sum.FinishedNow+r.FinishedNow, sum.FailedNow+r.FailedNow
		sum.FinishedLong, sum.FailedLong = sum.FinishedLong+r.FinishedLong, sum.FailedLong+r.FailedLong
		sum.FinishedBase, sum.FailedBase = sum.FinishedBase+r.FinishedBase, sum.FailedBase+r.FailedBase
	}
	return t
}

// failingToo reports whether the tenant's other endpoints of the job type
// fail far more often than in their baseline as well, over the same
// window. Failures that are one endpoint's concentrate on it; failures on
// all of them are the tenant's jobs failing whatever they call (a retry
// storm starts so), which the tenant-level detectors report.
func (t endpointTotals) failingToo(r *endpointHealth, long bool, cfg *Config) bool {
	return othersFailing(r, t[[3]string{r.Cell, r.Tenant, r.JobType}], long, cfg)
}

// othersFailing reports whether the deliveries in all but not in own fail
// far more often than in their baseline over the window (long or not): >=
// EndpointMin failures, >= EndpointRatio times the baseline share, and a
// binomial tail at half the alarm's significance. It only withholds a
// finding, so partial evidence suffices.
func othersFailing(own, all *endpointHealth, long bool, cfg *Config) bool {
	w, aw := own.window(long), all.window(long)
	finished, failed := aw.finished-w.finished, aw.failed-w.failed
	if failed < float64(cfg.Jobs.EndpointMin) {
		return false
	}
	p0 := (float64(all.FailedBase-own.FailedBase) + 0.5) / (float64(all.FinishedBase-own.FinishedBase) + 1)
	return failed/finished >= cfg.Jobs.EndpointRatio*p0 && logBinomialTail(finished, failed, math.Min(p0, 0.5)) <= cfg.MaxLogP/2
}

// tenantsFailingElsewhere says, per tenant and job type, whether the
// tenant's other job types fail far more often than in their baseline in
// the window too (the test of failingToo): a tenant with one endpoint
// whose jobs all start failing (a retry storm's first minute) is the
// tenant's incident, not the endpoint's.
func (e *env) tenantsFailingElsewhere() (map[[2]string]bool, error) {
	rows, err := e.jobOutcomes()
	if err != nil {
		return nil, err
	}
	byTenant := map[string]*endpointHealth{}
	byType := map[[2]string]*endpointHealth{}
	for _, r := range rows {
		for _, sum := range []*endpointHealth{totalOf(byTenant, r.Tenant), totalOf(byType, [2]string{r.Tenant, r.JobType})} {
			sum.FinishedNow, sum.FailedNow = sum.FinishedNow+r.FinishedNow, sum.FailedNow+r.FailedNow
			sum.FinishedBase, sum.FailedBase = sum.FinishedBase+r.FinishedBase, sum.FailedBase+r.FailedBase
		}
	}
	out := make(map[[2]string]bool, len(byType))
	for k, own := range byType {
		out[k] = othersFailing(own, byTenant[k[0]], false, e.cfg)
	}
	return out, nil
}

func totalOf[K comparable](m map[K]*endpointHealth, k K) *endpointHealth {
	if m[k] == nil {
		m[k] = &endpointHealth{}
	}
	return m[k]
}

// endpointSpecificLogP is how unlikely the successes of a tenant's other
// endpoints must be, were its failures independent of the endpoint, for
// the failures to be put down to the one endpoint instead of the jobs.
// It chooses between two explanations of failures already found
// significant, so a conventional 5% rather than the alarm threshold.
var endpointSpecificLogP = math.Log(0.05)

// failingEndpoint reports whether a tenant's failing attempts of a job type
// are one of its endpoints failing rather than poison jobs. A payload that
// crashes the handler fails whatever the destination; failures that are
// the endpoint's concentrate on it while the tenant's other endpoints
// deliver: every failure on the one endpoint with the others delivering,
// or the others' successes unlikely under endpoint-blind failures at the
// pooled share. The endpoint must itself fail as the endpoint detector
// needs (enough failures, at least half its deliveries), so the failures
// are reported by one of the two. With one endpoint the two explanations
// cannot be told apart and the failures stay poison.
func (e *env) failingEndpoint(tenant, cell, jobType string) (bool, error) {
	rows, err := e.endpointRows(e.t)
	if err != nil {
		return false, err
	}
	var hot *endpointHealth
	var finished, failed float64
	n := 0
	for i := range rows {
		r := &rows[i]
		if r.Tenant != tenant || r.Cell != cell || r.JobType != jobType || r.FinishedNow == 0 {
			continue
		}
		n++
		finished, failed = finished+float64(r.FinishedNow), failed+float64(r.FailedNow)
		if hot == nil || r.FailedNow > hot.FailedNow {
			hot = r
		}
	}
	if n < 2 || hot.FailedNow < e.cfg.Jobs.EndpointMin || 2*hot.FailedNow < hot.FinishedNow {
		return false, nil
	}
	otherFinished := finished - float64(hot.FinishedNow)
	otherFailed := failed - float64(hot.FailedNow)
	confined := otherFailed == 0 && otherFinished > 0
	return confined || logBinomialTail(otherFinished, otherFinished-otherFailed, 1-failed/finished) <= endpointSpecificLogP, nil
}

// anyStormSuspect reports whether a candidate blames a storm suspect.
func (e *env) anyStormSuspect(cs []candidate) bool {
	for i := range cs {
		if e.stormSuspects[cs[i].Scope.CulpritTenant] {
			return true
		}
	}
	return false
}

// longArgs are the arguments of the queries with a long window.
func longArgs(t Tick, cfg *Config) []queries.Arg {
	return []queries.Arg{
		queries.Named("base_from", t.BaseFrom), queries.Named("long_from", t.Now.Add(-cfg.Jobs.EndpointLongWindow)),
		queries.Named("window_from", t.WindowFrom), queries.Named("now", t.Now),
	}
}

func endpointCandidate(r *endpointHealth, cell *jobTypeHealth, long bool, cfg *Config) (candidate, bool) {
	jc := &cfg.Jobs
	w, cw := r.window(long), cell.window(long)
	if w.finished < float64(jc.EndpointMin) {
		return candidate{}, false
	}
	// failures: far above the endpoint's own baseline share (shrunk towards
	// its cell's for thin baselines) and above what its neighbours on the
	// cell see now (a cell-wide problem is not the endpoint's)
	cellShare := ratio(float64(cell.FailedBase)+0.5, float64(cell.FinishedBase)+1)
	p0 := (float64(r.FailedBase) + priorWeight*cellShare) / (float64(r.FinishedBase) + priorWeight)
	othersShare := ratio(math.Max(cw.failed-w.failed, 0)+0.5, math.Max(cw.finished-w.finished, 0)+1)
	failLogP := logBinomialTail(w.finished, w.failed, math.Min(math.Max(p0, othersShare), 0.5))
	failing := w.failed >= float64(jc.EndpointMin) && w.failed/w.finished >= jc.EndpointRatio*math.Max(p0, othersShare) &&
		w.failed/w.finished >= jc.EndpointMinShare && failLogP <= cfg.MaxLogP
	// latency: an exceedance test. Under the baseline a delivery is slower
	// than the baseline p90 one time in ten (exceedNull allows for the
	// estimate's error); the window's quantiles say how many deliveries
	// now are (slowerShare), and a binomial tail says how unlikely that is.
	// The cell's deliveries of the job type must not be slower themselves.
	baseP90 := q(r.RunQBase, runP90)
	if r.FinishedBase < endpointOwnBaseline || baseP90 == 0 {
		baseP90 = q(cell.RunQBase, runP90)
	}
	if long && recovered(r.window(false), p0, baseP90, jc.EndpointMin) {
		return candidate{}, false
	}
	slowShare := slowerShare(w.q, baseP90)
	slowLogP := logBinomialTail(w.finished, math.Ceil(slowShare*w.finished), exceedNull)
	nowP90 := q(w.q, runP90)
	cellSlower := ratio(q(cw.q, runP50), q(cell.RunQBase, runP50))
	slow := baseP90 > 0 && slowShare > 0 && slowLogP <= cfg.MaxLogP && nowP90 >= jc.EndpointRatio*baseP90 &&
		cellSlower < jc.EndpointRatio/2
	// A failing endpoint that has filled a quarter of its own baseline is
	// no longer far above it. While it still fails at least half its
	// deliveries, far more than its neighbours, it keeps its open finding
	// open (sustaining evidence); it opens none.
	sustain := !long && !failing && !slow && w.failed >= float64(jc.EndpointMin) && 2*w.failed >= w.finished &&
		w.failed/w.finished >= jc.EndpointRatio*othersShare
	if !failing && !slow && !sustain {
		return candidate{}, false
	}
	c := candidate{weight: w.finished, sustain: sustain, slowOnly: slow && !failing}
	f := &c.Finding
	f.Kind, f.Severity = finding.EndpointSlow, finding.Warning
	f.Scope.Tenants, f.Scope.CulpritTenant, f.Scope.Cell, f.Scope.JobType = []string{r.Tenant}, r.Tenant, r.Cell, r.JobType
	f.Evidence = []finding.Evidence{
		{Name: "deliveries", Value: w.finished}, {Name: "failed", Value: w.failed},
		{Name: "failure_share", Value: round(w.failed/w.finished, 3)}, {Name: "failure_share_base", Value: round(p0, 3)},
		{Name: "p90_ms", Value: round(nowP90, 1)}, {Name: "p90_ms_base", Value: round(baseP90, 1)},
	}
	how, period := "failing", cfg.Window
	if slow && !failing {
		how = "slow"
	}
	if long {
		period = jc.EndpointLongWindow
	}
	f.Summary = fmt.Sprintf("tenant %s's endpoint %q is %s: %.0f%% of %.0f %s deliveries in %s failed (baseline %.1f%%), p90 %.0f ms (baseline %.0f ms)",
		r.Tenant, r.Endpoint, how, 100*w.failed/w.finished, w.finished, r.JobType, period, 100*p0, nowP90, baseP90)
	f.Key = fmt.Sprintf("%s/tenant=%s,job_type=%s,endpoint=%s", f.Kind, r.Tenant, r.JobType, r.Endpoint)
	return c, true
}

// recovered reports whether the short window shows an endpoint delivering
// as in its baseline again: enough deliveries, failing no more often than
// the baseline share, the typical one not slower than the baseline p90. The
// long window exists for endpoints too quiet for the short one; it must
// not report one that has enough recent deliveries to show it is well.
func recovered(short deliveries, p0, baseP90 float64, minDeliveries uint64) bool {
	return short.finished >= float64(minDeliveries) && short.failed/short.finished <= p0 &&
		slowerShare(short.q, baseP90) == 0
}

// slowerShare estimates the share of deliveries slower than t from the
// window's p10, p50 and p90, interpolating the distribution linearly
// between them: 0.9 if even the p10 is slower, from 0.5 to 0.9 between
// the p50 and the p10. Less than half is reported as 0: an endpoint is
// slow only when its typical delivery is.
func slowerShare(qs []float32, t float64) float64 {
	p10, p50 := q(qs, runP10), q(qs, runP50)
	switch {
	case p10 > t:
		return 0.9
	case p50 > t:
		return 0.5 + 0.4*(p50-t)/math.Max(p50-p10, 1e-9)
	}
	return 0
}
