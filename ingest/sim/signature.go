package sim

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Measure is one quantity a signature check computed, with the bound it
// must meet.
type Measure struct {
	Name string
	Got  float64
	Op   string // ">=" or "<="
	Want float64
}

// OK reports whether the measure meets its bound.
func (m Measure) OK() bool {
	if math.IsNaN(m.Got) {
		return false
	}
	if m.Op == "<=" {
		return m.Got <= m.Want
	}
	return m.Got >= m.Want
}

func (m Measure) String() string {
	mark := "ok"
	if !m.OK() {
		mark = "FAIL"
	}
	return fmt.Sprintf("%s: %.3g %s %.3g [%s]", m.Name, m.Got, m.Op, m.Want, mark)
}

// Report is the outcome of checking one scenario's signature.
type Report struct {
	Truth    Truth
	Measures []Measure
}

// OK reports whether every measure met its bound.
func (r Report) OK() bool {
	for _, m := range r.Measures {
		if !m.OK() {
			return false
		}
	}
	return len(r.Measures) > 0
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s..%s", r.Truth.Scenario, r.Truth.Start.Format(time.RFC3339), r.Truth.End.Format(time.RFC3339))
	for _, m := range r.Measures {
		b.WriteString("\n  " + m.String())
	}
	return b.String()
}

// CheckSignature measures whether the events in obs carry the signature the
// truth record says its scenario leaves. The events must cover the hour
// before the scenario (the baseline) and its whole window.
func CheckSignature(ctx context.Context, obs Observations, t Truth) (Report, error) {
	chk, ok := signatureChecks[t.Scenario]
	if !ok {
		return Report{Truth: t}, fmt.Errorf("no signature check for scenario %q", t.Scenario)
	}
	q := &querier{ctx: ctx, obs: obs, t: t}
	chk(q)
	return Report{Truth: t, Measures: q.measures}, q.err
}

// querier carries a check's context and collects its measures; the first
// query error stops recording.
type querier struct {
	ctx      context.Context
	obs      Observations
	t        Truth
	measures []Measure
	err      error
}

func (q *querier) atLeast(name string, got, want float64) {
	q.measures = append(q.measures, Measure{Name: name, Got: got, Op: ">=", Want: want})
}

func (q *querier) atMost(name string, got, want float64) {
	q.measures = append(q.measures, Measure{Name: name, Got: got, Op: "<=", Want: want})
}

func (q *querier) count(f Filter) float64 {
	m := q.by(f, DimNone)
	return float64(m[""])
}

func (q *querier) by(f Filter, d Dim) map[string]int64 {
	if q.err != nil {
		return map[string]int64{}
	}
	m, err := q.obs.Count(q.ctx, f, d)
	if err != nil {
		q.err = err
	}
	return m
}

func (q *querier) quantile(f Filter, field Field, p float64) float64 {
	if q.err != nil {
		return math.NaN()
	}
	v, err := q.obs.Quantile(q.ctx, f, field, p)
	if err != nil {
		q.err = err
	}
	return v
}

// Windows: the baseline is up to an hour before the start; "during" skips
// a settling time at the start (rollouts, smoothing of load).
func (q *querier) before() Filter {
	span := min(q.t.End.Sub(q.t.Start), time.Hour)
	return Filter{From: q.t.Start.Add(-span), To: q.t.Start}
}

func (q *querier) during(settle time.Duration) Filter {
	settle = min(settle, q.t.End.Sub(q.t.Start)/3)
	return Filter{From: q.t.Start.Add(settle), To: q.t.End}
}

func (f Filter) with(mod func(*Filter)) Filter {
	mod(&f)
	return f
}

func span(f Filter) float64 { return f.To.Sub(f.From).Seconds() }

// ratio of two rates; a zero denominator counts as one event.
func rateRatio(num float64, numF Filter, den float64, denF Filter) float64 {
	return (num / span(numF)) / (math.Max(den, 1) / span(denF))
}

func (q *querier) signature(f Filter) Filter {
	f.ErrorClass, f.MessagePrefix = q.t.Params.ErrorClass, q.t.Params.MessagePrefix
	return f
}

var signatureChecks = map[string]func(q *querier){
	"bad_deploy":            checkBadDeploy,
	"third_party_outage":    checkOutage,
	"single_tenant_failure": checkSingleTenant,
	"noisy_neighbour":       checkNoisyNeighbour,
	"retry_storm":           checkRetryStorm,
	"poison_job":            checkPoison,
	"stuck_jobs":            checkStuck,
	"request_flood":         checkFlood,
	"error_creep":           checkCreep,
	"slow_tenant_endpoint":  checkEndpoint,
}

// A new error signature on one cell and one version, across many tenants.
func checkBadDeploy(q *querier) {
	c := q.t.Culprit
	during := q.signature(q.during(5 * time.Minute))
	there := during.with(func(f *Filter) { f.Cell, f.Version = c.Cell, c.Version })
	byTenant := q.by(there, DimTenant)
	var n float64
	for _, v := range byTenant {
		n += float64(v)
	}
	active := q.by(q.during(5*time.Minute).with(func(f *Filter) { f.Cell = c.Cell }), DimTenant)
	q.atLeast("signature errors on the cell and version", n, 20)
	q.atLeast("share of the cell's active tenants hit", float64(len(byTenant))/math.Max(float64(len(active)), 1), 0.2)
	q.atLeast("tenants hit", float64(len(byTenant)), 3)
	q.atMost("signature errors elsewhere", q.count(during)-n, 0)
	q.atMost("signature errors before", q.count(q.signature(q.before())), 0)
}

// An integration's errors rise across every tenant that uses it.
func checkOutage(q *querier) {
	integ := func(f *Filter) { f.Integration, f.ErrorsOnly = q.t.Culprit.Integration, true }
	before, during := q.before().with(integ), q.during(time.Minute).with(integ)
	q.atLeast("integration error rate during/before", rateRatio(q.count(during), during, q.count(before), before), 5)
	tenants := q.by(during, DimTenant)
	q.atLeast("share of affected tenants with errors", float64(len(tenants))/math.Max(float64(len(q.t.AffectedTenants)), 1), 0.5)
	q.atLeast("tenants with errors", float64(len(tenants)), 3)
	q.atLeast("cells with errors", float64(len(q.by(during, DimCell))), 2)
}

// One tenant's configuration error: its signature, nobody else's.
func checkSingleTenant(q *querier) {
	during := q.signature(q.during(time.Minute))
	byTenant := q.by(during, DimTenant)
	var total float64
	for _, v := range byTenant {
		total += float64(v)
	}
	culprit := float64(byTenant[q.t.Culprit.Tenant])
	q.atLeast("culprit's signature errors", culprit, 10)
	q.atLeast("culprit's share of the signature", culprit/math.Max(total, 1), 0.9)
	others := func(f *Filter) { f.NotTenant = q.t.Culprit.Tenant }
	ob, od := q.signature(q.before()).with(others), during.with(others)
	q.atMost("other tenants' signature rate during/before", rateRatio(q.count(od), od, q.count(ob), ob), 3)
}

// The culprit's import saturates its cell: other tenants there wait longer
// in queues and run slower; the culprit's share of the cell's jobs rises.
func checkNoisyNeighbour(q *querier) {
	c := q.t.Culprit
	factor := q.t.Params.Factor
	running := func(f *Filter) {
		f.Cell, f.NotTenant, f.Kind, f.State = c.Cell, c.Tenant, event.KindJobState, event.StateRunning
	}
	before, during := q.before().with(running), q.during(3*time.Minute).with(running)
	qb, qd := q.quantile(before, FieldQueueMs, 0.5), q.quantile(during, FieldQueueMs, 0.5)
	q.atLeast("others' p50 queue time during/before", qd/qb, 0.6*factor)
	q.atMost("others' p50 queue time during/before (upper)", qd/qb, 1.6*factor)
	done := func(f *Filter) { f.State = event.StateSucceeded }
	db, dd := q.quantile(before.with(done), FieldDurationMs, 0.5), q.quantile(during.with(done), FieldDurationMs, 0.5)
	q.atLeast("others' p50 job duration during/before", dd/db, 1.15)
	share := func(f Filter) float64 {
		f.NotTenant, f.State = "", event.StateQueued
		by := q.by(f, DimTenant)
		var total float64
		for _, v := range by {
			total += float64(v)
		}
		return float64(by[c.Tenant]) / math.Max(total, 1)
	}
	sb, sd := share(before), share(during)
	q.atLeast("culprit's share of the cell's jobs during", sd, math.Min(2*sb, 0.25)+sb)
	elsewhere := func(f *Filter) { f.Cell, f.NotCell = "", c.Cell }
	eb, ed := q.quantile(before.with(elsewhere), FieldQueueMs, 0.5), q.quantile(during.with(elsewhere), FieldQueueMs, 0.5)
	q.atMost("other cells' p50 queue time during/before", ed/eb, 1.5)
}

// One tenant's jobs retry rapidly.
func checkRetryStorm(q *querier) {
	retries := func(f *Filter) { f.Kind = event.KindJobRetry }
	culprit := func(f *Filter) { f.Tenant = q.t.Culprit.Tenant }
	before, during := q.before().with(retries), q.during(time.Minute).with(retries)
	cd := q.count(during.with(culprit))
	q.atLeast("culprit's retry rate during/before", rateRatio(cd, during, q.count(before.with(culprit)), before), 10)
	q.atLeast("culprit's share of all retries", cd/math.Max(q.count(during), 1), 0.5)
	q.atLeast("culprit's retries per minute", cd/span(during)*60, 5)
}

// A job type that always fails and is retried to the limit.
func checkPoison(q *querier) {
	c := q.t.Culprit
	jobs := func(f *Filter) { f.Tenant, f.JobType, f.Kind = c.Tenant, c.JobType, event.KindJobState }
	during := q.during(10 * time.Minute).with(jobs)
	dead := q.count(during.with(func(f *Filter) { f.State = event.StateDead }))
	atLimit := q.count(during.with(func(f *Filter) {
		f.State, f.MinAttempt = event.StateDead, uint16(q.t.Params.RetryLimit)
	}))
	q.atLeast("dead jobs", dead, 1)
	q.atLeast("share of dead jobs at the retry limit", atLimit/math.Max(dead, 1), 1)
	q.atMost("succeeded jobs", q.count(during.with(func(f *Filter) { f.State = event.StateSucceeded })), 0)
	q.atLeast("failed attempts with the signature", q.count(q.signature(during)), 3)
}

// Jobs on one host start and never finish.
func checkStuck(q *querier) {
	c := q.t.Culprit
	stuck := func(f Filter, older time.Duration) float64 {
		if q.err != nil {
			return 0
		}
		m, err := q.obs.StuckJobs(q.ctx, f, q.t.End, older)
		if err != nil {
			q.err = err
		}
		var n float64
		for _, v := range m {
			n += float64(v)
		}
		return n
	}
	onHost := Filter{Host: c.Host}
	length := q.t.End.Sub(q.t.Start)
	for _, age := range []time.Duration{5 * time.Minute, 10 * time.Minute, 45 * time.Minute} {
		if length >= age+5*time.Minute {
			q.atLeast("jobs on the host running for over "+age.String(), stuck(onHost, age), 1)
		}
	}
	old := min(10*time.Minute, length/2)
	q.atLeast("host's share of jobs running for over "+old.String(), stuck(onHost, old)/math.Max(stuck(Filter{}, old), 1), 0.8)
}

// A tenant's request rate multiplies, relative to everyone else's.
func checkFlood(q *querier) {
	reqs := func(f *Filter) { f.Kind = event.KindRequest }
	culprit := func(f *Filter) { f.Tenant = q.t.Culprit.Tenant }
	others := func(f *Filter) { f.NotTenant = q.t.Culprit.Tenant }
	before, during := q.before().with(reqs), q.during(time.Minute).with(reqs)
	rel := func(f Filter) float64 { return q.count(f.with(culprit)) / math.Max(q.count(f.with(others)), 1) }
	q.atLeast("culprit's requests relative to others, during/before", rel(during)/math.Max(rel(before), 1e-9), 0.5*q.t.Params.Multiplier)
}

// Bursts of a rare error, each gap shorter than the one before.
func checkCreep(q *querier) {
	all := q.signature(Filter{From: q.t.Start, To: q.t.End})
	q.atMost("signature errors before", q.count(q.signature(q.before())), 0)
	starts := burstStarts(q.by(all, DimMinute))
	q.atLeast("bursts", float64(len(starts)), 4)
	shrinking := 0
	for i := 2; i < len(starts); i++ {
		if starts[i]-starts[i-1] <= starts[i-1]-starts[i-2] {
			shrinking++
		}
	}
	q.atLeast("share of gaps shorter than the one before", float64(shrinking)/math.Max(float64(len(starts)-2), 1), 0.75)
}

// burstStarts groups per-minute counts into bursts separated by at least
// one empty minute and returns each burst's first minute (unix seconds).
func burstStarts(perMinute map[string]int64) []int64 {
	var mins []int64
	for k := range perMinute {
		v, _ := strconv.ParseInt(k, 10, 64)
		mins = append(mins, v)
	}
	sort.Slice(mins, func(a, b int) bool { return mins[a] < mins[b] })
	var starts []int64
	for i, m := range mins {
		if i == 0 || m-mins[i-1] > 60 {
			starts = append(starts, m)
		}
	}
	return starts
}

// A tenant's webhook endpoint is slow (deliveries take far longer) or
// failing (most deliveries fail); other tenants' deliveries are unchanged.
func checkEndpoint(q *querier) {
	c, p := q.t.Culprit, q.t.Params
	hooks := func(f *Filter) { f.JobType, f.Kind = c.JobType, event.KindJobState }
	culprit := func(f *Filter) { f.Tenant, f.Endpoint = c.Tenant, p.Endpoint }
	others := func(f *Filter) { f.NotTenant = c.Tenant }
	before, during := q.before().with(hooks), q.during(time.Minute).with(hooks)
	outcomes := func(f Filter) (float64, float64) {
		var done, failed float64
		for _, st := range []event.State{event.StateSucceeded, event.StateFailed, event.StateDead} {
			n := q.count(f.with(func(f *Filter) { f.State = st }))
			done += n
			if st != event.StateSucceeded {
				failed += n
			}
		}
		return done, failed
	}
	if p.Mode == "slow" {
		finished := func(f *Filter) { f.State = event.StateSucceeded }
		slowest := func(f Filter) float64 {
			return math.Max(q.quantile(f.with(finished), FieldDurationMs, 0.5), q.quantile(f.with(func(f *Filter) { f.ErrorsOnly = true }), FieldDurationMs, 0.5))
		}
		db := q.quantile(before.with(culprit).with(finished), FieldDurationMs, 0.5)
		q.atLeast("culprit endpoint's p50 delivery time during/before", slowest(during.with(culprit))/db, 5)
	} else {
		done, failed := outcomes(during.with(culprit))
		q.atLeast("culprit endpoint's failed deliveries", failed, 10)
		q.atLeast("culprit endpoint's failure share", failed/math.Max(done, 1), 0.5)
	}
	done, failed := outcomes(during.with(others))
	q.atMost("other tenants' delivery failure share", failed/math.Max(done, 1), 0.1)
	ob := q.quantile(before.with(others).with(func(f *Filter) { f.State = event.StateSucceeded }), FieldDurationMs, 0.5)
	od := q.quantile(during.with(others).with(func(f *Filter) { f.State = event.StateSucceeded }), FieldDurationMs, 0.5)
	q.atMost("other tenants' p50 delivery time during/before", od/ob, 1.5)
}
