package detect

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/queries"
)

// fpRate is one fingerprint's errors in the window and the baseline.
type fpRate struct {
	Fingerprint uint64 `ch:"fingerprint"`
	ErrorsNow   uint64 `ch:"errors_now"`
	ErrorsBase  uint64 `ch:"errors_base"`
	TenantsNow  uint64 `ch:"tenants_now"`
	TenantsBase uint64 `ch:"tenants_base"`
	MinutesNow  uint64 `ch:"minutes_now"`
	Template    string `ch:"template"`

	expected float64
	logP     float64
	isNew    bool
}

// failurePatterns finds error fingerprints whose rate in the window is far
// above their baseline (a Poisson test against the baseline rate scaled by
// the fleet's traffic, so the daily load curve cancels out), then says what
// each is concentrated on by comparing its errors with everybody else's
// (over-representation per dimension) and classifies it.
func failurePatterns(e *env) ([]candidate, error) {
	ctx, q, cfg, t, tr := e.ctx, e.q, e.cfg, e.t, e.tr
	fc := &cfg.Failures
	if !e.warm() {
		return nil, nil
	}
	var rising, steady []*fpRate
	args := append(t.windowArgs(), queries.Named("min_errors", fc.MinErrors))
	err := each(ctx, q, "detect_fingerprint_rates", args, func(r *fpRate) {
		r.expected = (float64(r.ErrorsBase) + 0.5) * tr.scale()
		r.logP = logRateTail(float64(r.ErrorsNow), float64(r.ErrorsBase), tr.scale())
		if float64(r.ErrorsNow) >= fc.MinRatio*r.expected && r.logP <= cfg.MaxLogP {
			rising = append(rising, r)
		} else {
			steady = append(steady, r)
		}
	})
	if err != nil {
		return nil, err
	}
	sustained, err := sustainedPatterns(e, steady)
	if err != nil || len(rising) == 0 {
		return sustained, err
	}
	fps := fingerprintsOf(rising)
	hist, err := minuteHistory(ctx, q, fps, t.HistoryFrom, t.Now)
	if err != nil {
		return nil, err
	}
	var kept []*fpRate
	for _, r := range rising {
		bs := bursts(hist[r.Fingerprint], fc.BurstGap)
		r.isNew = len(bs) <= 1
		// A short flare of a known fingerprint is left to the burst-train
		// detector unless it is overwhelming on its own.
		if r.MinutesNow >= 2 || r.isNew || r.logP <= 3*cfg.MaxLogP {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return nil, nil
	}
	byFP, ref, err := patternDims(ctx, q, fps, t.BaseFrom, t.WindowFrom, t.Now)
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, r := range kept {
		c, ok := classifyPattern(r, byFP[r.Fingerprint], ref, tr.scale(), cfg)
		if ok && c.Kind == finding.SingleTenant {
			volume, err := e.volumeExplains(&c, byFP[r.Fingerprint])
			if err != nil {
				return nil, err
			}
			ok = !volume
		}
		// A new signature waits a tick (it must not be a one-off flare), and
		// so does a faint spread pattern (faintSpread); so
		// does a pattern led by a tenant a more specific detector (poison
		// job, retry storm, endpoint) has partial evidence against: it may
		// need a minute more of data to explain the same errors. Led: the
		// single tenant's, or a wider pattern's when the tenant holds half
		// its excess (an endpoint's first minute of failures beside a few
		// of the same errors elsewhere looks cross-tenant).
		suspected := e.suspects[c.lead]
		wait := c.Kind == finding.NewSignature || suspected || faintSpread(&c, r, fc)
		waitTicks := 1
		if suspected {
			waitTicks = suspectWaitTicks
		}
		if ok && wait && !risingBefore(hist[r.Fingerprint], t, waitTicks, tr.scale(), cfg) {
			continue
		}
		if ok {
			out = append(out, c)
		}
	}
	return append(out, sustained...), nil
}

// faintSpread reports whether a pattern is spread over tenants with no
// integration to name and fewer than twice the minimum errors: a cluster
// of a background error (10 in three minutes from 10 tenants, seed 63)
// passes the rate test once by chance; an outage keeps rising.
func faintSpread(c *candidate, r *fpRate, fc *FailureConfig) bool {
	return c.Kind == finding.SystemWide && c.Scope.Integration == "" && r.ErrorsNow < 2*uint64(fc.MinErrors)
}

// risingBefore reports whether a fingerprint already passed the rate test
// at each of the ticks minutes before the tick.
func risingBefore(ms []minuteCount, t Tick, ticks int, scale float64, cfg *Config) bool {
	for k := 1; k <= ticks; k++ {
		if !risingAt(ms, t, time.Duration(k)*time.Minute, scale, cfg) {
			return false
		}
	}
	return true
}

// suspectWaitTicks is how many ticks a single-tenant pattern of a suspect
// tenant waits: a job-level detector needs a few minutes of deliveries or
// attempts to complete its evidence, errors are counted as they happen.
const suspectWaitTicks = 2

// risingAt reports whether a fingerprint passed the rate test ago before
// the tick, from its minute series.
func risingAt(ms []minuteCount, t Tick, ago time.Duration, scale float64, cfg *Config) bool {
	now := t.Now.Add(-ago)
	winFrom, baseFrom := t.WindowFrom.Add(-ago), t.BaseFrom.Add(-ago)
	var inWin, inBase float64
	for _, m := range ms {
		switch {
		case !m.Minute.Before(winFrom) && m.Minute.Before(now):
			inWin += float64(m.Errors)
		case !m.Minute.Before(baseFrom) && m.Minute.Before(winFrom):
			inBase += float64(m.Errors)
		}
	}
	exp := (inBase + 0.5) * scale
	return inWin >= float64(cfg.Failures.MinErrors) && inWin >= cfg.Failures.MinRatio*exp && logRateTail(inWin, inBase, scale) <= cfg.MaxLogP
}

func fingerprintsOf(rs []*fpRate) []uint64 {
	out := make([]uint64, len(rs))
	for i, r := range rs {
		out[i] = r.Fingerprint
	}
	return out
}

// classifyPattern names the kind of a rising fingerprint: confined to one
// tenant, concentrated on infrastructure (cell, version, host), spread over
// many tenants, or merely new.
func classifyPattern(r *fpRate, p pattern, ref dims, scale float64, cfg *Config) (candidate, bool) {
	fc := &cfg.Failures
	d := p.now
	excess, total := p.excess(scale)
	all, over := bubbleUp(excess, total, ref, cfg)
	c := candidate{fingerprints: []uint64{r.Fingerprint}, weight: float64(r.ErrorsNow)}
	f := &c.Finding
	f.Scope.Fingerprint, f.Scope.Template = r.Fingerprint, r.Template
	f.Evidence = []finding.Evidence{
		{Name: "errors_now", Value: float64(r.ErrorsNow)}, {Name: "errors_expected", Value: round(r.expected, 2)},
		{Name: "ratio", Value: round(ratio(float64(r.ErrorsNow), r.expected), 1)}, {Name: "log_p", Value: round(r.logP, 1)},
		{Name: "tenants_now", Value: float64(r.TenantsNow)}, {Name: "tenants_base", Value: float64(r.TenantsBase)},
	}
	if r.isNew {
		f.Evidence = append(f.Evidence, finding.Evidence{Name: "new", Value: 1})
	}
	setContext(&f.Scope, over)
	if a := all[dimIntegration]; a.Coverage >= fc.Coverage {
		c.integration = a.Value
	}
	top := all[dimTenant]
	if top.Coverage >= 0.5 {
		c.lead = top.Value
	}
	var where string
	switch {
	case top.Coverage >= fc.TenantShare || restIsBaseline(p, top, scale, cfg):
		f.Kind, f.Severity = finding.SingleTenant, finding.Warning
		f.Scope.Tenants, f.Scope.CulpritTenant = []string{top.Value}, top.Value
		c.lead = top.Value
		where = "confined to tenant " + top.Value
	case hasAny(over, infraDims...) && !integrationOverConfinement(over, r, d, cfg):
		f.Kind, f.Severity = finding.Localized, finding.Critical
		f.Scope.Cell, f.Scope.Version, f.Scope.Host = over[dimCell].Value, over[dimVersion].Value, over[dimHost].Value
		f.Scope.Tenants = topValues(d, dimTenant, 50)
		where = "concentrated on " + describe(over, dimCell, dimVersion, dimHost)
	case r.TenantsNow >= uint64(fc.SpreadTenants) && len(d[dimCell]) >= 2:
		f.Kind, f.Severity = finding.SystemWide, finding.Critical
		f.Scope.Tenants = topValues(d, dimTenant, 50)
		where = fmt.Sprintf("across %d tenants on %d cells", r.TenantsNow, len(d[dimCell]))
	case r.isNew:
		f.Kind, f.Severity = finding.NewSignature, finding.Warning
		f.Scope.Tenants = topValues(d, dimTenant, 50)
		where = fmt.Sprintf("new, %d tenants", r.TenantsNow)
	default:
		return c, false
	}
	if ctx := describe(over, dimIntegration, dimJobType, dimService); ctx != "" {
		where += "; " + ctx
	}
	for _, dim := range append([]string{dimTenant}, infraDims...) {
		if a, ok := all[dim]; ok {
			f.Evidence = append(f.Evidence, finding.Evidence{Name: "coverage_" + dim, Value: round(a.Coverage, 3)},
				finding.Evidence{Name: "lift_" + dim, Value: round(a.Lift, 1)})
		}
	}
	f.Summary = fmt.Sprintf("%q: %d errors in the window, %.1f expected; %s", clip(r.Template, 120), r.ErrorsNow, r.expected, where)
	f.Key = patternKey(f)
	return c, true
}

// integrationOverConfinement reports whether a pattern spread over tenants
// and cells is an integration's rather than the infrastructure's: it stands
// out on the integration (lift), while it is on an infrastructure value
// only by confinement, as common there as every other error (the version
// most callers run, the cell most of the fleet is on). A third-party
// outage's first minute looks so before any other error of it is seen.
func integrationOverConfinement(over map[string]attribution, r *fpRate, d dims, cfg *Config) bool {
	fc := &cfg.Failures
	if _, ok := over[dimIntegration]; !ok || r.TenantsNow < uint64(fc.SpreadTenants) || len(d[dimCell]) < 2 {
		return false
	}
	for _, dim := range infraDims {
		if a, ok := over[dim]; ok && a.Lift >= fc.MinLift {
			return false
		}
	}
	return true
}

// volumeExplains reports whether a tenant's rising errors of a job type
// rose no more than the type's successful attempts did: a tenant running
// ten times its usual imports (a bulk load, a noisy neighbour) fails ten
// times as many of them without anything being broken. Successes, not
// attempts, measure the work: failing attempts and their retries are work
// the failure itself creates. A pattern not concentrated on one job type,
// or a tenant with little baseline work of it (cold start), is not judged.
func (e *env) volumeExplains(c *candidate, p pattern) (bool, error) {
	tenant, jobType := c.Scope.CulpritTenant, c.Scope.JobType
	if jobType == "" {
		return false, nil
	}
	rows, err := e.jobOutcomes()
	if err != nil {
		return false, err
	}
	var okNow, okBase float64
	for _, r := range rows {
		if r.Tenant == tenant && r.JobType == jobType {
			okNow += float64(r.FinishedNow) - float64(r.FailedNow)
			okBase += float64(r.FinishedBase) - float64(r.FailedBase)
		}
	}
	if okBase < minBaselineWork || okNow <= 0 {
		return false, nil
	}
	errNow, errBase := p.now[dimTenant][tenant], p.base[dimTenant][tenant]
	expected := (errBase + 0.5) * okNow / okBase
	return errNow < e.cfg.Failures.MinRatio*expected || logPoissonTail(errNow, expected) > e.cfg.MaxLogP, nil
}

// minBaselineWork is how many successful baseline attempts a tenant's job
// type needs for its error rise to be compared with its work's.
const minBaselineWork = 20

// restIsBaseline reports whether, without its top tenant, a pattern's
// errors are what its baseline predicts (no evidence of a rise elsewhere)
// while the top tenant's own rise is significant: few-error noise in other
// tenants must not make a single tenant's failure look cross-tenant.
func restIsBaseline(p pattern, top attribution, scale float64, cfg *Config) bool {
	if top.Value == "" {
		return false
	}
	topNow, topBase := p.now[dimTenant][top.Value], p.base[dimTenant][top.Value]
	restNow := p.now.total() - topNow
	restExpected := (p.base.total() - topBase + 0.5) * scale
	return logPoissonTail(topNow, (topBase+0.5)*scale) <= cfg.MaxLogP &&
		logPoissonTail(restNow, restExpected) > cfg.Failures.RestLogP
}

// setContext fills the non-infrastructure dimensions a pattern is
// concentrated on (integration, job type, service).
func setContext(s *finding.Scope, over map[string]attribution) {
	s.Integration, s.JobType, s.Service = over[dimIntegration].Value, over[dimJobType].Value, over[dimService].Value
}

// patternKey identifies a failure pattern by what it is attributed to, so
// several fingerprints of one incident (an outage's timeouts and 5xx) are
// one finding; an unattributed pattern is its fingerprint.
func patternKey(f *finding.Finding) string {
	s := &f.Scope
	var parts []string
	switch f.Kind {
	case finding.SingleTenant:
		parts = append(parts, "tenant="+s.CulpritTenant)
	case finding.Localized:
		for _, kv := range [][2]string{{"cell", s.Cell}, {"version", s.Version}, {"host", s.Host}} {
			if kv[1] != "" {
				parts = append(parts, kv[0]+"="+kv[1])
			}
		}
	case finding.SystemWide:
		if s.Integration != "" {
			parts = append(parts, "integration="+s.Integration)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("fingerprint=%016x", s.Fingerprint))
	}
	return string(f.Kind) + "/" + strings.Join(parts, ",")
}

func hasAny(m map[string]attribution, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// topValues lists up to n values of a dimension, most errors first, sorted.
func topValues(d dims, dim string, n int) []string {
	vs := d.ranked(dim)
	vs = vs[:min(n, len(vs))]
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
