package detect

import (
	"fmt"
	"math"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
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
	FinishedBase uint64    `ch:"finished_base"`
	FailedBase   uint64    `ch:"failed_base"`
	RunQBase     []float32 `ch:"run_q_base"`
}

// endpointOwnBaseline is how many baseline deliveries an endpoint needs
// for its own latency to be its baseline (else its job type's is).
const endpointOwnBaseline = 20

// priorWeight is how many attempts' worth of evidence the fleet's rate
// counts for when an endpoint's own baseline is thin.
const priorWeight = 20

// degradedEndpoints finds a tenant's configured endpoint (attrs.endpoint)
// whose deliveries fail far more often, or take far longer (p90), than
// its own baseline — while the same job type's deliveries on its cell (its
// neighbours, on the same infrastructure) do not.
func degradedEndpoints(e *env) ([]candidate, error) {
	if !e.warm() {
		return nil, nil
	}
	types, err := e.jobTypeHealth()
	if err != nil {
		return nil, err
	}
	jc := &e.cfg.Jobs
	var out []candidate
	err = each(e.ctx, e.q, "detect_endpoint_health", e.t.windowArgs(), func(r *endpointHealth) {
		if r.FinishedNow < jc.EndpointMin {
			return
		}
		fleet := types[[2]string{r.Cell, r.JobType}]
		if r.FailedNow >= jc.EndpointMin && 2*r.FailedNow >= r.FinishedNow {
			e.suspect(r.Tenant)
		}
		if c, ok := endpointCandidate(r, fleet, e.cfg); ok {
			out = append(out, c)
		}
	})
	return out, err
}

func endpointCandidate(r *endpointHealth, fleet jobTypeHealth, cfg *Config) (candidate, bool) {
	jc := &cfg.Jobs
	// failures: far above the endpoint's own baseline share (shrunk towards
	// its cell's for thin baselines) and above what its neighbours on the
	// cell see now (a cell-wide problem is not the endpoint's)
	fleetShare := ratio(float64(fleet.FailedBase)+0.5, float64(fleet.FinishedBase)+1)
	p0 := (float64(r.FailedBase) + priorWeight*fleetShare) / (float64(r.FinishedBase) + priorWeight)
	failedNow, finishedNow := float64(r.FailedNow), float64(r.FinishedNow)
	othersShare := ratio(float64(fleet.FailedNow-min(fleet.FailedNow, r.FailedNow))+0.5, float64(fleet.FinishedNow-min(fleet.FinishedNow, r.FinishedNow))+1)
	failLogP := logBinomialTail(finishedNow, failedNow, math.Min(math.Max(p0, othersShare), 0.5))
	failing := r.FailedNow >= jc.EndpointMin && failedNow/finishedNow >= jc.EndpointRatio*math.Max(p0, othersShare) &&
		failLogP <= cfg.MaxLogP
	// latency: an exceedance test. Under the baseline a delivery is slower
	// than the baseline p90 one time in ten; the window's quantiles bound
	// how many deliveries now are (all of them if even the p10 is slower,
	// half if the p50 is), and a binomial tail says how unlikely that is.
	baseP90 := q(r.RunQBase, runP90)
	if r.FinishedBase < endpointOwnBaseline || baseP90 == 0 {
		baseP90 = q(fleet.RunQBase, runP90)
	}
	// ... and than its neighbours' deliveries are now
	baseP90 = math.Max(baseP90, q(fleet.RunQNow, runP90))
	var slowShare float64
	for _, lv := range []struct {
		i     int
		share float64
	}{{runP10, 0.9}, {runP50, 0.5}, {runP90, 0.1}} {
		if q(r.RunQNow, lv.i) > baseP90 {
			slowShare = lv.share
			break
		}
	}
	slowLogP := logBinomialTail(finishedNow, math.Ceil(slowShare*finishedNow), 0.1)
	nowP90 := q(r.RunQNow, runP90)
	slow := baseP90 > 0 && slowShare >= 0.5 && slowLogP <= cfg.MaxLogP && nowP90 >= jc.EndpointRatio*baseP90
	if !failing && !slow {
		return candidate{}, false
	}
	c := candidate{weight: finishedNow}
	f := &c.Finding
	f.Kind, f.Severity = finding.EndpointSlow, finding.Warning
	f.Scope.Tenants, f.Scope.CulpritTenant, f.Scope.JobType = []string{r.Tenant}, r.Tenant, r.JobType
	f.Evidence = []finding.Evidence{
		{Name: "deliveries_now", Value: finishedNow}, {Name: "failed_now", Value: failedNow},
		{Name: "failure_share", Value: round(failedNow/finishedNow, 3)}, {Name: "failure_share_base", Value: round(p0, 3)},
		{Name: "p90_ms_now", Value: round(nowP90, 1)}, {Name: "p90_ms_base", Value: round(baseP90, 1)},
	}
	how := "failing"
	if !failing {
		how = "slow"
	}
	f.Summary = fmt.Sprintf("tenant %s's endpoint %q is %s: %.0f%% of %.0f %s deliveries failed (baseline %.1f%%), p90 %.0f ms (baseline %.0f ms)",
		r.Tenant, r.Endpoint, how, 100*failedNow/finishedNow, finishedNow, r.JobType, 100*p0, nowP90, baseP90)
	f.Key = fmt.Sprintf("%s/tenant=%s,job_type=%s,endpoint=%s", f.Kind, r.Tenant, r.JobType, r.Endpoint)
	return c, true
}
