package detect

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/queries"
)

// jobOutcome is one cell, tenant and job type's finished attempts.
type jobOutcome struct {
	Cell          string  `ch:"cell"`
	Tenant        string  `ch:"tenant"`
	JobType       string  `ch:"job_type"`
	FinishedNow   uint64  `ch:"finished_now"`
	FailedNow     uint64  `ch:"failed_now"`
	DeadNow       uint64  `ch:"dead_now"`
	RunMsNow      float64 `ch:"run_ms_now"`
	FailRunMsNow  float64 `ch:"fail_run_ms_now"`
	FinishedBase  uint64  `ch:"finished_base"`
	FailedBase    uint64  `ch:"failed_base"`
	DeadBase      uint64  `ch:"dead_base"`
	RunMsBase     float64 `ch:"run_ms_base"`
	FailRunMsBase float64 `ch:"fail_run_ms_base"`
}

// jobTypeHealth is one cell's finished attempts of one job type.
type jobTypeHealth struct {
	Cell         string    `ch:"cell"`
	JobType      string    `ch:"job_type"`
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

// Quantile arrays: run_q holds p10, p50, p90 (run time of finished
// attempts and requests).
const runP10, runP50, runP90 = 0, 1, 2

// q returns element i of a quantiles array, 0 if absent.
func q(qs []float32, i int) float64 {
	if i < len(qs) && !math.IsNaN(float64(qs[i])) {
		return float64(qs[i])
	}
	return 0
}

// poisonJobs finds a tenant's job type whose attempts all fail — far more
// than in its baseline — and fail fast: long before a successful attempt of
// the type would have finished. That is the mark of payloads that cannot be
// processed (they are retried until their budget is spent and die), not of
// a dependency that is down, which fails attempts after their normal run
// time and shows as a failure pattern instead. Dead jobs are reported as
// evidence when the retries have run out. A job type failing for the
// other tenants too (a dependency timing out early, a bad deploy) is not
// one tenant's poison: it is left to the failure-pattern detectors.
func poisonJobs(e *env) ([]candidate, error) {
	if !e.warm() {
		return nil, nil
	}
	rows, err := e.jobOutcomes()
	if err != nil {
		return nil, err
	}
	okRun, okN := map[string]float64{}, map[string]float64{}
	all := map[string]*outcomeTotals{}
	for _, r := range rows {
		okRun[r.JobType] += r.RunMsNow - r.FailRunMsNow + r.RunMsBase - r.FailRunMsBase
		okN[r.JobType] += float64(r.FinishedNow - r.FailedNow + r.FinishedBase - r.FailedBase)
		if all[r.JobType] == nil {
			all[r.JobType] = &outcomeTotals{}
		}
		all[r.JobType].add(r)
	}
	jc := &e.cfg.Jobs
	var out []candidate
	for _, r := range rows {
		failed, finished := float64(r.FailedNow), float64(r.FinishedNow)
		p0 := (float64(r.FailedBase) + 0.5) / (float64(r.FinishedBase) + 1)
		logP := logBinomialTail(finished, failed, math.Min(p0, 0.5))
		failRun, okRunMean := ratio(r.FailRunMsNow, failed), ratio(okRun[r.JobType], okN[r.JobType])
		othersFailing := all[r.JobType].othersFailing(r, e.cfg.MaxLogP/2)
		if r.FailedNow >= jc.PoisonMinFailed && okN[r.JobType] > 0 &&
			(failRun <= jc.PoisonFastRun*okRunMean || othersFailing && failed >= jc.PoisonFailShare*finished) {
			// Failing fast, or failing while the type fails for the others
			// too: slow failures of theirs (an outage) may hide a poison's
			// fast ones in the mean for a minute or two.
			e.suspect(r.Tenant)
		}
		if r.FailedNow < jc.PoisonMinFailed || failed < jc.PoisonFailShare*finished ||
			okN[r.JobType] == 0 || failRun > jc.PoisonFastRun*okRunMean {
			continue
		}
		endpoint, err := e.failingEndpoint(r.Tenant, r.Cell, r.JobType)
		if err != nil {
			return nil, err
		}
		if endpoint {
			continue // the endpoint detector's to report
		}
		// Once the poison has filled the baseline it is no longer
		// significant against it; it still keeps its open finding open.
		c := candidate{weight: failed, sustain: logP > e.cfg.MaxLogP, othersFailing: othersFailing}
		f := &c.Finding
		f.Kind, f.Severity = finding.PoisonJob, finding.Warning
		if r.DeadNow > 0 {
			f.Severity = finding.Critical
		}
		f.Scope.Tenants, f.Scope.CulpritTenant, f.Scope.Cell, f.Scope.JobType = []string{r.Tenant}, r.Tenant, r.Cell, r.JobType
		f.Evidence = []finding.Evidence{
			{Name: "failed_attempts", Value: failed}, {Name: "attempts", Value: finished},
			{Name: "failure_share_base", Value: round(p0, 3)}, {Name: "dead_now", Value: float64(r.DeadNow)},
			{Name: "failed_run_ms", Value: round(failRun, 1)}, {Name: "succeeded_run_ms", Value: round(okRunMean, 1)},
		}
		f.Summary = fmt.Sprintf("tenant %s: %.0f of %.0f %s attempts failed in %s (baseline %.1f%%), each after %.0f ms where successful ones take %.0f ms; %d jobs dead",
			r.Tenant, failed, finished, r.JobType, e.cfg.Window, 100*p0, failRun, okRunMean, r.DeadNow)
		f.Key = fmt.Sprintf("%s/tenant=%s,job_type=%s", f.Kind, r.Tenant, r.JobType)
		out = append(out, c)
	}
	errs, err := attachJobErrors(e, out)
	if err != nil {
		return nil, err
	}
	shared, err := othersShareErrors(e, out, errs)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(out, func(c candidate) bool { return errs.spread(&c) || shared[c.Key] }), nil
}

// othersShareErrors tells, for the poison candidates whose job type fails
// for the other tenants too, whether those tenants fail with the
// candidate's errors: then the job type is broken (a dependency timing out
// early, a bad deploy), a failure pattern. If the others fail with errors
// of their own (an integration's outage) while the tenant's attempts fail
// with others still, the tenant's poison is an incident of its own.
func othersShareErrors(e *env, cs []candidate, errs jobErrors) (map[string]bool, error) {
	var jobTypes []string
	var fps []uint64
	for i := range cs {
		if cs[i].othersFailing {
			jobTypes = append(jobTypes, cs[i].Scope.JobType)
			fps = append(fps, cs[i].fingerprints...)
		}
	}
	if len(jobTypes) == 0 {
		return nil, nil
	}
	slices.Sort(jobTypes)
	slices.Sort(fps)
	var rows []tenantJobErrors
	args := []queries.Arg{queries.Named("job_types", slices.Compact(jobTypes)), queries.Named("fingerprints", slices.Compact(fps)),
		queries.Named("window_from", e.t.WindowFrom), queries.Named("now", e.t.Now)}
	if err := each(e.ctx, e.q, "detect_job_type_fingerprint_errors", args, func(r *tenantJobErrors) { rows = append(rows, *r) }); err != nil {
		return nil, err
	}
	shared := map[string]bool{}
	for i := range cs {
		c := &cs[i]
		if !c.othersFailing {
			continue
		}
		var others float64
		for _, r := range rows {
			if r.JobType == c.Scope.JobType && r.Tenant != c.Scope.CulpritTenant && slices.Contains(c.fingerprints, r.Fingerprint) {
				others += float64(r.Errors)
			}
		}
		own := errs.of(c)
		shared[c.Key] = own == 0 || 4*others >= own
	}
	return shared, nil
}

// jobErrors is the window's errors of some tenants by job type, most
// frequent fingerprint first.
type jobErrors map[[2]string][]tenantJobErrors

// spread reports whether a tenant job-type candidate's errors also fail the
// tenant's other job types: at least two errors with its fingerprints there,
// and at least a fifth as many as in its own type. A payload that cannot be
// processed fails only its own job type; the same errors in another one are
// the tenant's integration or account failing (revoked credentials), a
// failure pattern the pattern detectors report.
func (je jobErrors) spread(c *candidate) bool {
	var own, elsewhere float64
	for k, rows := range je {
		if k[0] != c.Scope.CulpritTenant {
			continue
		}
		for _, r := range rows {
			if !slices.Contains(c.fingerprints, r.Fingerprint) {
				continue
			}
			if k[1] == c.Scope.JobType {
				own += float64(r.Errors)
			} else {
				elsewhere += float64(r.Errors)
			}
		}
	}
	return elsewhere >= 2 && 5*elsewhere >= own
}

// of returns a candidate's errors with its fingerprints in its job type.
func (je jobErrors) of(c *candidate) float64 {
	var n float64
	for _, r := range je[[2]string{c.Scope.CulpritTenant, c.Scope.JobType}] {
		if slices.Contains(c.fingerprints, r.Fingerprint) {
			n += float64(r.Errors)
		}
	}
	return n
}

// attachJobErrors gives each tenant job-type candidate the fingerprints
// that make up most of the type's errors in the window, so correlation can
// tell one incident seen by two detectors from two incidents, and returns
// the errors it read.
func attachJobErrors(e *env, cs []candidate) (jobErrors, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	tenants := make([]string, 0, len(cs))
	for i := range cs {
		tenants = append(tenants, cs[i].Scope.CulpritTenant)
	}
	sort.Strings(tenants)
	byJob := jobErrors{}
	args := []queries.Arg{queries.Named("tenants", tenants), queries.Named("window_from", e.t.WindowFrom), queries.Named("now", e.t.Now)}
	err := each(e.ctx, e.q, "detect_tenant_job_errors", args, func(r *tenantJobErrors) {
		k := [2]string{r.Tenant, r.JobType}
		byJob[k] = append(byJob[k], *r)
	})
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i].fingerprints = mainFingerprints(byJob[[2]string{cs[i].Scope.CulpritTenant, cs[i].Scope.JobType}], 0.8)
	}
	return byJob, nil
}

// tenantJobErrors is one tenant, job type and fingerprint's errors.
type tenantJobErrors struct {
	Tenant      string `ch:"tenant"`
	JobType     string `ch:"job_type"`
	Fingerprint uint64 `ch:"fingerprint"`
	Errors      uint64 `ch:"errors"`
}

// mainFingerprints returns the most frequent fingerprints (rows sorted by
// errors, descending) that together hold at least share of the errors.
func mainFingerprints(rows []tenantJobErrors, share float64) []uint64 {
	var total, sum float64
	for _, r := range rows {
		total += float64(r.Errors)
	}
	var out []uint64
	for _, r := range rows {
		if total == 0 || sum >= share*total {
			break
		}
		out = append(out, r.Fingerprint)
		sum += float64(r.Errors)
	}
	return out
}

// outcomeTotals sums a job type's attempts over every tenant and cell.
type outcomeTotals struct{ finishedNow, failedNow, finishedBase, failedBase float64 }

func (t *outcomeTotals) add(r jobOutcome) {
	t.finishedNow += float64(r.FinishedNow)
	t.failedNow += float64(r.FailedNow)
	t.finishedBase += float64(r.FinishedBase)
	t.failedBase += float64(r.FailedBase)
}

// othersFailing says whether the job type's attempts of every tenant but
// r's fail more than in their baseline (log tail probability at most
// maxLogP) and at least a quarter as often as r's do: an outage of an
// integration only some tenants use dilutes the others' share.
func (t *outcomeTotals) othersFailing(r jobOutcome, maxLogP float64) bool {
	n, k := t.finishedNow-float64(r.FinishedNow), t.failedNow-float64(r.FailedNow)
	if n <= 0 || k <= 0 {
		return false
	}
	p0 := (t.failedBase - float64(r.FailedBase) + 0.5) / (t.finishedBase - float64(r.FinishedBase) + 1)
	own := float64(r.FailedNow) / math.Max(float64(r.FinishedNow), 1)
	return logBinomialTail(n, k, math.Min(p0, 0.5)) <= maxLogP && k/n >= own/4
}
