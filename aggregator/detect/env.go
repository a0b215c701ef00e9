package detect

import (
	"context"
	"time"
)

// env is one tick's evaluation: the detectors' shared inputs, each read
// from ClickHouse at most once per tick.
type env struct {
	ctx context.Context
	q   Querier
	cfg *Config
	t   Tick
	tr  traffic

	// suspects are tenants a job-level detector saw partial evidence
	// against (fast failures, failing endpoint deliveries, rapid retries):
	// their single-tenant failure patterns wait a tick for it to complete.
	suspects map[string]bool
	// stormSuspects are tenants whose retries are rising: their
	// degraded endpoints wait a tick for a storm to be found.
	stormSuspects map[string]bool

	activity    []tenantActivity
	outcomes    []jobOutcome
	jobTypes    map[[2]string]jobTypeHealth // by cell, job type
	loadedTypes bool
	endpoints   []endpointHealth // as of t
	loadedEPs   bool
	start       time.Time // the first data in the history
	loadedStart bool
}

func (e *env) suspect(tenant string) {
	if e.suspects == nil {
		e.suspects = map[string]bool{}
	}
	e.suspects[tenant] = true
}

func (e *env) stormSuspect(tenant string) {
	if e.stormSuspects == nil {
		e.stormSuspects = map[string]bool{}
	}
	e.stormSuspects[tenant] = true
}

// warm reports whether the warehouse holds enough baseline to compare
// with: a young warehouse (cold start) raises nothing it cannot justify.
func (e *env) warm() bool {
	return e.tr.MinutesBase >= uint64(2*e.cfg.Window.Minutes()) && e.tr.EventsBase > 0
}

// fullBaseline reports whether data covers (three quarters of) the whole
// baseline. What counts as a normal run time comes from attempts that
// finished in the baseline; over a few minutes of history only the short
// ones can have, so a job type whose attempts run for minutes would look
// stuck (a fresh deployment, the first minutes of a backfill).
func (e *env) fullBaseline() bool {
	return e.warm() && 4*e.tr.MinutesBase >= 3*uint64(e.cfg.Baseline.Minutes())
}

func (e *env) tenantActivity() ([]tenantActivity, error) {
	if e.activity != nil {
		return e.activity, nil
	}
	rows, err := readTenantActivity(e.ctx, e.q, e.t)
	e.activity = rows
	return rows, err
}

func (e *env) jobOutcomes() ([]jobOutcome, error) {
	if e.outcomes != nil {
		return e.outcomes, nil
	}
	var rows []jobOutcome
	err := each(e.ctx, e.q, "detect_job_outcomes", e.t.windowArgs(), func(r *jobOutcome) { rows = append(rows, *r) })
	e.outcomes = rows
	return rows, err
}

func (e *env) jobTypeHealth() (map[[2]string]jobTypeHealth, error) {
	if e.loadedTypes {
		return e.jobTypes, nil
	}
	m := map[[2]string]jobTypeHealth{}
	err := each(e.ctx, e.q, "detect_job_type_health", longArgs(e.t, e.cfg), func(r *jobTypeHealth) { m[[2]string{r.Cell, r.JobType}] = *r })
	e.jobTypes, e.loadedTypes = m, err == nil
	return m, err
}

// endpointRows reads every endpoint's deliveries as of t, once per tick
// for the tick's own t (the poison and endpoint detectors both read them).
func (e *env) endpointRows(t Tick) ([]endpointHealth, error) {
	if t.Now.Equal(e.t.Now) && e.loadedEPs {
		return e.endpoints, nil
	}
	var rows []endpointHealth
	err := each(e.ctx, e.q, "detect_endpoint_health", longArgs(t, e.cfg), func(r *endpointHealth) { rows = append(rows, *r) })
	if err == nil && t.Now.Equal(e.t.Now) {
		e.endpoints, e.loadedEPs = rows, true
	}
	return rows, err
}

// dataStart is the first minute with errors in the history (its start when
// the history is full), read once per tick.
func (e *env) dataStart() (time.Time, error) {
	if e.loadedStart {
		return e.start, nil
	}
	start, err := readDataStart(e.ctx, e.q, e.t)
	e.start, e.loadedStart = start, err == nil
	return start, err
}

// usualHistory is the history before the window that a usual rate is
// measured over: from the first data in the history, in minutes; 0 when
// it is shorter than a baseline, too little to know a usual rate.
func (e *env) usualHistory() (time.Time, float64, error) {
	start, err := e.dataStart()
	if err != nil {
		return start, 0, err
	}
	minutes := e.t.WindowFrom.Sub(start).Minutes()
	if minutes < e.cfg.Baseline.Minutes() {
		return start, 0, nil
	}
	return start, minutes, nil
}
