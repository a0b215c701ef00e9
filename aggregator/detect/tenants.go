package detect

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/queries"
)

// tenantActivity is one tenant's requests, retries and job starts.
type tenantActivity struct {
	Cell         string `ch:"cell"`
	Tenant       string `ch:"tenant"`
	RequestsNow  uint64 `ch:"requests_now"`
	RequestsBase uint64 `ch:"requests_base"`
	RequestsLast uint64 `ch:"requests_last"`
	RetriesNow   uint64 `ch:"retries_now"`
	RetriesBase  uint64 `ch:"retries_base"`
	StartsNow    uint64 `ch:"starts_now"`
	StartsBase   uint64 `ch:"starts_base"`
}

// peerExpectation is what a tenant's count in the window would be if it
// had changed like the rest of its cell since the baseline: the load curve
// of the day (and any cell-wide change) cancels out. A tenant with little
// or no baseline (cold start: new, or newly active) is instead expected to
// behave like a large established tenant of its cell (the 90th percentile
// of their window counts), so being new is not an anomaly in itself.
//
// A tenant far above what its cell's change leads to expect (ratio times
// it) is an incident of its own, a storm or a flood, and its surge is not
// the cell's change: while such tenants are a minority of their cell,
// their counts are left out of the others' expectations, so a second storm
// on a cell does not hide the first.
type peerExpectation struct {
	now, base         func(*tenantActivity) float64
	cellNow, cellBase map[string]float64
	coldPrior         map[string]float64
	typical           map[string]float64 // the median tenant's count in the window
	outlier           map[string]bool    // tenants left out of their cell's change
}

// coldBase is the baseline count below which a tenant is treated as new.
const coldBase = 20

func newPeerExpectation(rows []tenantActivity, now, base func(*tenantActivity) float64, ratio float64) peerExpectation {
	p := peerExpectation{now: now, base: base, outlier: map[string]bool{}}
	p.sum(rows)
	outliers, tenants := map[string][]string{}, map[string]int{}
	for i := range rows {
		r := &rows[i]
		tenants[r.Cell]++
		if now(r) >= ratio*p.expected(r) {
			outliers[r.Cell] = append(outliers[r.Cell], r.Tenant)
		}
	}
	for cell, ts := range outliers {
		if 2*len(ts) < tenants[cell] {
			for _, t := range ts {
				p.outlier[t] = true
			}
		}
	}
	if len(p.outlier) > 0 {
		p.sum(rows)
	}
	return p
}

// sum totals the cell's tenants but its outliers.
func (p *peerExpectation) sum(rows []tenantActivity) {
	p.cellNow, p.cellBase, p.coldPrior, p.typical = map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	established, all := map[string][]float64{}, map[string][]float64{}
	for i := range rows {
		r := &rows[i]
		all[r.Cell] = append(all[r.Cell], p.now(r))
		if p.outlier[r.Tenant] {
			continue
		}
		p.cellNow[r.Cell] += p.now(r)
		p.cellBase[r.Cell] += p.base(r)
		if p.base(r) >= coldBase {
			established[r.Cell] = append(established[r.Cell], p.now(r))
		}
	}
	for cell, xs := range established {
		p.coldPrior[cell] = quantile(xs, 0.9)
	}
	for cell, xs := range all {
		p.typical[cell] = median(xs)
	}
}

// expected returns the tenant's expected window count.
func (p peerExpectation) expected(r *tenantActivity) float64 {
	now, base := p.now(r), p.base(r)
	othersNow, othersBase := p.cellNow[r.Cell], p.cellBase[r.Cell]
	if !p.outlier[r.Tenant] {
		othersNow, othersBase = othersNow-now, othersBase-base
	}
	e := (base + 0.5) * ratio(othersNow, othersBase)
	if othersBase <= 0 {
		e = base + 0.5
	}
	if base < coldBase {
		e = math.Max(e, p.coldPrior[r.Cell])
	}
	return e
}

func readTenantActivity(ctx context.Context, q Querier, t Tick) ([]tenantActivity, error) {
	var rows []tenantActivity
	args := append(t.windowArgs(), queries.Named("last_from", t.Now.Add(-time.Minute)))
	err := each(ctx, q, "detect_tenant_activity", args, func(r *tenantActivity) { rows = append(rows, *r) })
	return rows, err
}

// requestFloods finds tenants sending requests far above their own
// baseline (relative to their cell's change), over the window or, so a
// flood is seen a minute sooner, over its last minute alone.
func requestFloods(e *env) ([]candidate, error) {
	cfg := e.cfg
	if !e.warm() {
		return nil, nil
	}
	rows, err := e.tenantActivity()
	if err != nil {
		return nil, err
	}
	windows := []struct {
		now     func(*tenantActivity) float64
		minutes float64
	}{
		{func(r *tenantActivity) float64 { return float64(r.RequestsNow) }, cfg.Window.Minutes()},
		{func(r *tenantActivity) float64 { return float64(r.RequestsLast) }, 1},
	}
	base := func(r *tenantActivity) float64 { return float64(r.RequestsBase) }
	jc := &cfg.Jobs
	var out []candidate
	seen := map[string]bool{}
	for _, w := range windows {
		pe := newPeerExpectation(rows, w.now, base, jc.FloodRatio)
		// The minimum is a volume, not a rate: the last minute alone must
		// reach the window's, so that the early look does not turn a small
		// tenant's burst (26 requests where it sends 6) into a flood.
		minimum := float64(jc.FloodMin)
		for i := range rows {
			r := &rows[i]
			n := w.now(r)
			exp := pe.expected(r)
			logP := logPoissonTail(n, exp)
			if seen[r.Tenant] || n < minimum || n < jc.FloodRatio*exp || logP > cfg.MaxLogP {
				continue
			}
			seen[r.Tenant] = true
			out = append(out, floodCandidate(r, n, exp, logP, w.minutes, jc))
		}
	}
	sustained, err := sustainedFloods(e, rows, seen)
	return append(out, sustained...), err
}

type usualRequests struct {
	Tenant  string  `ch:"tenant"`
	Usual   float64 `ch:"usual_per_minute"`
	Minutes uint64  `ch:"minutes"`
}

// sustainedFloods keeps the findings of long floods open. A flood that
// has run for a quarter of the baseline is no longer four times it, and
// its finding would be resolved while it goes on. Against the tenant's
// usual rate over the history (its median minute: a flood shorter than
// half the history does not move it) it still rises: sustaining evidence,
// which only continues an open finding.
func sustainedFloods(e *env, rows []tenantActivity, seen map[string]bool) ([]candidate, error) {
	cfg, t := e.cfg, e.t
	jc := &cfg.Jobs
	byTenant := map[string]*tenantActivity{}
	var tenants []string
	for i := range rows {
		r := &rows[i]
		if !seen[r.Tenant] && float64(r.RequestsNow) >= float64(jc.FloodMin) {
			byTenant[r.Tenant] = r
			tenants = append(tenants, r.Tenant)
		}
	}
	if len(tenants) == 0 {
		return nil, nil
	}
	start, historyMinutes, err := e.usualHistory()
	if err != nil || historyMinutes == 0 {
		return nil, err
	}
	sort.Strings(tenants)
	var out []candidate
	args := []queries.Arg{queries.Named("tenants", tenants), queries.Named("from", start), queries.Named("window_from", t.WindowFrom)}
	err = each(e.ctx, e.q, "detect_tenant_usual_requests", args, func(u *usualRequests) {
		r := byTenant[u.Tenant]
		if r == nil || 2*float64(u.Minutes) < historyMinutes {
			return
		}
		n, exp := float64(r.RequestsNow), u.Usual*cfg.Window.Minutes()+0.5
		logP := logPoissonTail(n, exp)
		if n >= jc.FloodRatio*exp && logP <= cfg.MaxLogP {
			c := floodCandidate(r, n, exp, logP, cfg.Window.Minutes(), jc)
			c.sustain = true
			out = append(out, c)
		}
	})
	return out, err
}

func floodCandidate(r *tenantActivity, n, exp, logP, minutes float64, jc *JobConfig) candidate {
	c := candidate{weight: n}
	f := &c.Finding
	f.Kind, f.Severity = finding.RequestFlood, finding.Warning
	if n >= 4*jc.FloodRatio*exp {
		f.Severity = finding.Critical
	}
	f.Scope.Tenants, f.Scope.CulpritTenant, f.Scope.Cell = []string{r.Tenant}, r.Tenant, r.Cell
	f.Evidence = []finding.Evidence{
		{Name: "requests", Value: n}, {Name: "requests_expected", Value: round(exp, 1)},
		{Name: "ratio", Value: round(n/exp, 1)}, {Name: "log_p", Value: round(logP, 1)},
		{Name: "minutes", Value: minutes},
	}
	f.Summary = fmt.Sprintf("tenant %s sent %.0f requests in %.0f min, %.1f× the %.0f expected from its baseline and its cell's change",
		r.Tenant, n, minutes, n/exp, exp)
	f.Key = fmt.Sprintf("%s/tenant=%s", f.Kind, r.Tenant)
	return c
}

type retryJobs struct {
	Tenant      string  `ch:"tenant"`
	JobType     string  `ch:"job_type"`
	Retries     uint64  `ch:"retries"`
	Jobs        uint64  `ch:"jobs"`
	Judged      uint64  `ch:"jobs_judged"` // jobs whose backoff shows: two waits or three retries
	GapGrowth   float64 `ch:"gap_growth"`
	SecondGapMs float64 `ch:"second_gap_ms"`
	MaxAttempt  uint16  `ch:"max_attempt"`
}

// retryRise is how a tenant's retries in the window compare with what its
// baseline and its cell lead to expect.
type retryRise struct {
	row      *tenantActivity
	expected float64
	// suspect: a third of the support and half the ratio. A storm's
	// first seconds in the window fail the tenant's deliveries before its
	// retries are many, so its endpoint waits a tick.
	suspect bool
	// full: a third of the support and the whole ratio; the tenant's
	// retries are looked at.
	full bool
	// significant: the full support and a significant rise, a storm if
	// the tenant retries without backoff.
	significant bool
	// sustain: a storm that has filled its own baseline no longer rises
	// against it, but still retries far more than its cell's typical
	// tenant: that keeps its open finding open.
	sustain bool
}

func classifyRetries(r *tenantActivity, pe peerExpectation, cfg *Config) retryRise {
	jc := &cfg.Jobs
	n := float64(r.RetriesNow)
	exp := pe.expected(r)
	support := 3*r.RetriesNow >= jc.StormMin
	rise := retryRise{row: r, expected: exp, suspect: support && 2*n >= jc.StormRatio*exp, full: support && n >= jc.StormRatio*exp}
	rise.significant = rise.full && r.RetriesNow >= jc.StormMin && logPoissonTail(n, exp) <= cfg.MaxLogP
	rise.sustain = !rise.significant && r.RetriesNow >= jc.StormMin && n >= jc.StormRatio*math.Max(pe.typical[r.Cell], 1)
	return rise
}

// retryStorms finds tenants whose retry rate is far above their baseline
// and who retry without backoff: a job's wait before its second retry is
// no longer than before its first (backoff makes it grow), or jobs are
// retried many times within the window. The waits run from the retry to
// the attempt's start: gaps between retries also hold the attempts' run
// times, which hide the backoff of attempts that time out. More retries of
// more failing jobs with backoff (an outage, a revoked credential) are not
// a storm.
func retryStorms(e *env) ([]candidate, error) {
	ctx, q, cfg, t := e.ctx, e.q, e.cfg, e.t
	if !e.warm() {
		return nil, nil
	}
	rows, err := e.tenantActivity()
	if err != nil {
		return nil, err
	}
	now := func(r *tenantActivity) float64 { return float64(r.RetriesNow) }
	base := func(r *tenantActivity) float64 { return float64(r.RetriesBase) }
	jc := &cfg.Jobs
	pe := newPeerExpectation(rows, now, base, jc.StormRatio)
	rises := map[string]retryRise{}
	var tenants []string
	for i := range rows {
		r := &rows[i]
		rise := classifyRetries(r, pe, cfg)
		if rise.suspect {
			e.stormSuspect(r.Tenant)
		}
		if rise.full || rise.sustain {
			rises[r.Tenant] = rise
			tenants = append(tenants, r.Tenant)
		}
	}
	if len(tenants) == 0 {
		return nil, nil
	}
	sort.Strings(tenants)
	byTenant := map[string][]retryJobs{}
	args := []queries.Arg{queries.Named("tenants", tenants), queries.Named("window_from", t.WindowFrom), queries.Named("now", t.Now)}
	if err := each(ctx, q, "detect_retry_jobs", args, func(r *retryJobs) { byTenant[r.Tenant] = append(byTenant[r.Tenant], *r) }); err != nil {
		return nil, err
	}
	var out []candidate
	for _, tenant := range tenants {
		var retries, jobs float64
		var top retryJobs
		for _, rj := range byTenant[tenant] {
			retries += float64(rj.Retries)
			jobs += float64(rj.Jobs)
			if rj.Retries > top.Retries {
				top = rj
			}
		}
		perJob := ratio(retries, jobs)
		constant := top.Judged > 0 && top.GapGrowth <= jc.StormMaxGrowth
		rise := rises[tenant]
		if rise.full && (perJob >= jc.StormPerJob/2 || constant) {
			e.suspect(tenant)
		}
		if !(rise.significant || rise.sustain) || (perJob < jc.StormPerJob && !(constant && top.Judged >= jc.StormMinJobs)) {
			continue
		}
		r := rise.row
		c := candidate{weight: retries, sustain: rise.sustain}
		f := &c.Finding
		f.Kind, f.Severity = finding.RetryStorm, finding.Critical
		f.Scope.Tenants, f.Scope.CulpritTenant, f.Scope.Cell = []string{tenant}, tenant, r.Cell
		if float64(top.Retries) >= 0.8*retries {
			f.Scope.JobType = top.JobType
		}
		f.Evidence = []finding.Evidence{
			{Name: "retries_now", Value: float64(r.RetriesNow)}, {Name: "retries_expected", Value: round(rise.expected, 1)},
			{Name: "retries_per_job", Value: round(perJob, 1)}, {Name: "jobs_retried", Value: jobs},
			{Name: "max_attempt", Value: float64(top.MaxAttempt)}, {Name: "retry_gap_growth", Value: round(top.GapGrowth, 2)},
			{Name: "second_retry_gap_ms", Value: round(top.SecondGapMs, 0)},
		}
		f.Summary = fmt.Sprintf("tenant %s retried %.0f jobs %.0f times in %s (%.1f retries per job, %.1f× its baseline rate); gaps between retries grow %.1f× (%.0f ms)",
			tenant, jobs, retries, cfg.Window, perJob, float64(r.RetriesNow)/rise.expected, top.GapGrowth, top.SecondGapMs)
		f.Key = fmt.Sprintf("%s/tenant=%s", f.Kind, tenant)
		out = append(out, c)
	}
	return out, nil
}
