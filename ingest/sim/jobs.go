package sim

import (
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// job is one background job in flight. Jobs live in a per-cell slice and
// are referred to by index; the timing wheel holds indexes.
type job struct {
	id       string
	version  string // of the host running the attempt
	due      int64  // when the next phase happens
	queueMs  float64
	durMs    float64
	backoff  int64
	fx       *effect // the scenario effect deciding this attempt, if any
	sticky   *effect // an effect the job carries into every attempt
	tenant   int32
	tmpl     int32 // failure template; -1 on success
	scenario int32 // scenario that created the job, -1 baseline
	attempt  uint16
	limit    uint16
	host     int16
	jtype    uint8
	phase    uint8
	trigger  uint8
	endpoint int8
	fail     bool
}

const (
	phaseStart = iota
	phaseFinish
	phaseCancel
)

const (
	queueMedianMs   = 60.0
	backoffBase     = int64(2 * time.Second)
	backoffMax      = int64(time.Hour)
	fixedBackoffJit = 0.3
)

func (c *cellGen) alloc() int32 {
	if n := len(c.free); n > 0 {
		ji := c.free[n-1]
		c.free = c.free[:n-1]
		return ji
	}
	c.jobs = append(c.jobs, job{})
	return int32(len(c.jobs) - 1)
}

func (c *cellGen) release(ji int32) {
	c.jobs[ji] = job{}
	c.free = append(c.free, ji)
}

// schedule queues a job's next phase at due.
func (c *cellGen) schedule(ji int32, due int64) {
	c.jobs[ji].due = due
	if due < c.tickEnd {
		c.now = append(c.now, ji)
		return
	}
	slot := ((due - c.s.start) / tick) & wheelMask
	c.wheel[slot] = append(c.wheel[slot], ji)
}

func (c *cellGen) processDue(t0, t1 int64) {
	slot := ((t0 - c.s.start) / tick) & wheelMask
	cur := c.wheel[slot]
	c.wheel[slot] = c.spare[:0]
	for _, ji := range cur {
		if c.jobs[ji].due >= t1 { // a later turn of the wheel
			c.wheel[slot] = append(c.wheel[slot], ji)
			continue
		}
		c.advance(ji)
	}
	c.spare = cur[:0]
	c.drainNow()
}

func (c *cellGen) drainNow() {
	for len(c.now) > 0 {
		ji := c.now[len(c.now)-1]
		c.now = c.now[:len(c.now)-1]
		c.advance(ji)
	}
}

func (c *cellGen) advance(ji int32) {
	switch c.jobs[ji].phase {
	case phaseStart:
		c.startAttempt(ji)
	case phaseFinish:
		c.finishAttempt(ji)
	case phaseCancel:
		c.cancel(ji)
	}
}

func (c *cellGen) queueTime(jt int) float64 {
	m := queueMedianMs
	if jobTypes[jt].bulkOnly {
		m *= 4
	}
	return c.r.LogNormal(m*c.queueMul, 0.8)
}

// jobEvent fills the fields every event of a job carries.
func (c *cellGen) jobEvent(ts int64, j *job) *event.Event {
	t := &c.s.fleet.Tenants[j.tenant]
	jt := &jobTypes[j.jtype]
	ev := c.begin(ts, t)
	ev.Service, ev.Queue, ev.JobID, ev.JobType, ev.Integration = jt.service, jt.queue, j.id, jt.name, jt.integration
	ev.Attempt = j.attempt
	if j.endpoint >= 0 {
		ev.Attrs = t.endpointAttrs[j.endpoint]
	}
	if j.host >= 0 {
		ev.Host, ev.Version = c.hostName(int(j.host)), j.version
	}
	return ev
}

// enqueue creates a job and emits its queued event. endpoint < 0 picks one
// for webhook jobs; scenario streams pass their effect as fx.
func (c *cellGen) enqueue(ts int64, t *Tenant, jt int, endpoint int, fx *effect) {
	ji := c.alloc()
	j := &c.jobs[ji]
	*j = job{
		id: c.ids.nextID(c.jobPrefix, &c.jobSeq), tenant: int32(t.Index), jtype: uint8(jt), attempt: 1,
		host: -1, tmpl: -1, scenario: -1, endpoint: -1, trigger: uint8(jobTypes[jt].trigger),
	}
	if jobTypes[jt].name == "webhook.deliver" && len(t.Endpoints) > 0 {
		if endpoint < 0 {
			endpoint = c.r.Intn(len(t.Endpoints))
		}
		j.endpoint = int8(endpoint)
	}
	sc := -1
	if fx != nil {
		sc = fx.sc.idx
		j.scenario = int32(sc)
	}
	ev := c.jobEvent(ts, j)
	ev.Kind, ev.State = event.KindJobState, event.StateQueued
	if j.endpoint < 0 {
		ev.Attrs = triggerAttrs[j.trigger]
	}
	c.send(-1, sc)
	c.tickWork += jobTypes[jt].meanMs() / 1000
	if c.r.Chance(cancelShare) {
		j.phase = phaseCancel
		c.schedule(ji, ts+int64(c.r.Exp(float64(5*time.Second))))
		return
	}
	j.queueMs = c.queueTime(jt)
	j.phase = phaseStart
	c.schedule(ji, ts+int64(j.queueMs*1e6))
}

func (c *cellGen) cancel(ji int32) {
	j := &c.jobs[ji]
	ev := c.jobEvent(j.due, j)
	ev.Kind, ev.State = event.KindJobState, event.StateCancelled
	c.send(-1, int(j.scenario))
	c.release(ji)
}

// startAttempt picks a worker, decides how the attempt will go (scenario
// effects included) and emits running.
func (c *cellGen) startAttempt(ji int32) {
	j := &c.jobs[ji]
	jt := &jobTypes[j.jtype]
	ts := j.due
	h := c.workerHost()
	ver, vfx := c.version(h, ts)
	j.host, j.version = int16(h), ver
	t := &c.s.fleet.Tenants[j.tenant]

	j.durMs = c.r.LogNormal(jt.medianMs*c.durMul, jt.sigma)
	j.fail, j.tmpl, j.fx, j.backoff = false, -1, nil, 0
	j.limit = uint16(jt.retryLimit)
	if c.r.Chance(jt.failRate) {
		j.fail, j.tmpl = true, int32(c.s.jobPools[j.jtype].pick(c.r))
	} else if k := jobIntegration[j.jtype]; k >= 0 && c.r.Chance(integrations[k].errRate) {
		j.fail, j.tmpl = true, int32(c.s.integPools[k].pick(c.r))
	}
	stuck := false
	sticky := j.sticky
	if sticky != nil {
		stuck = c.applyEffect(sticky, j, t)
	}
	for _, head := range [...]*effect{c.tenantFx[t.local], c.integFxFor(j), c.hostFx[h], vfx, c.cellFx} {
		for e := head; e != nil; e = e.next {
			if e != sticky {
				stuck = c.applyEffect(e, j, t) || stuck
			}
		}
	}
	ev := c.jobEvent(ts, j)
	ev.Kind, ev.State, ev.QueueMs = event.KindJobState, event.StateRunning, round2(j.queueMs)
	sc := int(j.scenario)
	if j.fx != nil {
		sc = j.fx.sc.idx
	}
	c.send(-1, sc)
	if stuck { // a hung worker: running forever, no further event
		c.release(ji)
		return
	}
	j.phase = phaseFinish
	c.schedule(ji, ts+int64(j.durMs*1e6))
}

func (c *cellGen) integFxFor(j *job) *effect {
	if k := jobIntegration[j.jtype]; k >= 0 {
		return c.s.integFx[k]
	}
	return nil
}

// applyEffect lets one effect shape the attempt; it reports a stuck job.
func (c *cellGen) applyEffect(e *effect, j *job, t *Tenant) bool {
	if e.markOthers {
		if t.Index != e.sc.tenant {
			e.sc.affect(t.Index)
		}
		return false
	}
	if !e.matches(j) {
		return false
	}
	e.sc.affect(t.Index)
	if e.sticky {
		j.sticky = e
	}
	if e.durFactor > 0 {
		j.durMs *= e.durFactor
	}
	if e.stuckRate > 0 && c.r.Chance(e.stuckRate) {
		j.fx = e
		return true
	}
	if e.timeoutMs > 0 && j.durMs > e.timeoutMs {
		j.durMs = e.timeoutMs
		j.fail, j.tmpl, j.fx = true, int32(e.timeoutTmpl.ID), e
	}
	if e.failRate > 0 && c.r.Chance(e.failRate) {
		j.fail, j.tmpl, j.fx = true, int32(e.pick(c.r).ID), e
	}
	if e.backoff > 0 {
		j.backoff = e.backoff
	}
	if e.retryLimit > 0 {
		j.limit = uint16(e.retryLimit)
	}
	return false
}

// finishAttempt emits the attempt's outcome and, on failure, schedules the
// retry or declares the job dead.
func (c *cellGen) finishAttempt(ji int32) {
	j := &c.jobs[ji]
	jt := &jobTypes[j.jtype]
	ts := j.due
	ev := c.jobEvent(ts, j)
	ev.Kind, ev.State = event.KindJobState, event.StateSucceeded
	ev.DurationMs = round2(j.durMs)
	ev.CPUMs = round2(j.durMs * jt.cpuShare * (0.7 + 0.6*c.r.Float64()))
	ev.DBMs = round2(j.durMs * jt.dbShare * (0.7 + 0.6*c.r.Float64()))
	ev.Bytes = uint64(c.r.LogNormal(2000+j.durMs*20, 1))
	c.addUsage(&c.s.fleet.Tenants[j.tenant], ev.CPUMs, ev.DBMs, ev.Bytes)
	sc := int(j.scenario)
	if j.fx != nil {
		sc = j.fx.sc.idx
	}
	if !j.fail {
		c.send(-1, sc)
		c.release(ji)
		return
	}
	tp := c.s.lib.all[j.tmpl]
	c.setError(tp, ts)
	if j.attempt >= j.limit {
		ev.State = event.StateDead
		c.send(tp.ID, sc)
		c.release(ji)
		return
	}
	ev.State = event.StateFailed
	c.send(tp.ID, sc)

	backoff := j.backoff
	if backoff > 0 {
		backoff = int64(float64(backoff) * (1 - fixedBackoffJit/2 + fixedBackoffJit*c.r.Float64()))
	} else {
		backoff = backoffBase
		for a := uint16(1); a < j.attempt && backoff < backoffMax; a++ {
			backoff *= 5
		}
		backoff = min(backoff, backoffMax)
		backoff = int64(float64(backoff) * (0.75 + 0.5*c.r.Float64()))
	}
	j.attempt++
	rev := c.jobEvent(ts, j)
	rev.Kind, rev.Host, rev.Version = event.KindJobRetry, "", ""
	c.send(-1, sc)
	j.host = -1
	j.queueMs = c.queueTime(int(j.jtype))
	j.phase = phaseStart
	c.schedule(ji, ts+backoff+int64(j.queueMs*1e6))
}
