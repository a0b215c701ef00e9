package sim

// Scenarios whose signature is a failure pattern: new or rising errors.
import (
	"fmt"
	"slices"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// --- bad deploy ----------------------------------------------------------

func resolveBadDeploy(s *Simulator, sc *scenario, r *rng) error {
	cell, err := s.pickCell(sc, r)
	if err != nil {
		return err
	}
	sc.cell = cell.Index
	tp, err := s.pickTemplate(sc, s.lib.badDeploy, r)
	if err != nil {
		return err
	}
	rate := orDefault(&sc.params.ErrorRate, 0.08)
	if err := checkRange("error_rate", rate, 0.001, 1); err != nil {
		return err
	}
	if sc.params.Version == "" {
		k := 0
		for s.plan.switchAt(k+1, cell.Index, 0) <= sc.start {
			k++
		}
		sc.params.Version = fmt.Sprintf("v3.%d.%d", s.plan.baseMinor+k, 7+r.Intn(3))
	}
	sc.params.Cell = cell.Name
	sc.signature(tp)
	sc.truth.Culprit = Culprit{Cell: cell.Name, Version: sc.params.Version}
	fx := sc.newEffect()
	fx.failRate, fx.reqErrRate, fx.tmpls = rate, rate, []*Template{tp}
	sc.badFx = fx
	return nil
}

// The bad version rolls onto the cell's hosts 30 s apart and is rolled back
// at the end.
func activateBadDeploy(s *Simulator, sc *scenario) {
	c := s.cells[sc.cell]
	for h := range c.hosts {
		hv := &c.hosts[h]
		hv.override, hv.overrideFrom, hv.overrideFx = sc.params.Version, sc.start+int64(h)*int64(30*time.Second), sc.badFx
	}
}

func deactivateBadDeploy(s *Simulator, sc *scenario) {
	c := s.cells[sc.cell]
	for h := range c.hosts {
		c.hosts[h].override, c.hosts[h].overrideFx = "", nil
	}
}

// --- third-party outage -------------------------------------------------

func resolveOutage(s *Simulator, sc *scenario, r *rng) error {
	k := -1
	if sc.params.Integration != "" {
		if k = integrationIndex(sc.params.Integration); k < 0 {
			return fmt.Errorf("integration %q is not in the catalog", sc.params.Integration)
		}
	} else {
		var cands []int
		for i, in := range integrations {
			if in.adoption >= 0.3 && !s.integrationBlamed(i) {
				cands = append(cands, i)
			}
		}
		if len(cands) == 0 {
			cands = []int{0}
		}
		k = cands[r.Intn(len(cands))]
	}
	rate := orDefault(&sc.params.ErrorRate, 0.6)
	factor := orDefault(&sc.params.Factor, 3)
	if err := checkRange("error_rate", rate, 0.01, 1); err != nil {
		return err
	}
	name := integrations[k].name
	sc.params.Integration = name
	sc.truth.Culprit.Integration = name
	fx := sc.newEffect()
	fx.integration, fx.failRate, fx.durFactor = k, rate, factor
	for _, key := range outageKeys[name] {
		fx.tmpls = append(fx.tmpls, s.lib.byKey[key])
	}
	sc.signature(fx.tmpls[0])
	sc.installs = append(sc.installs, install{scope: scopeIntegration, index: k, fx: fx})
	return nil
}

func (s *Simulator) integrationBlamed(k int) bool {
	for _, o := range s.scenarios {
		if o.params.Integration == integrations[k].name {
			return true
		}
	}
	return false
}

// --- single-tenant failure ----------------------------------------------

// A tenant's credentials for one integration are revoked: every job that
// calls it fails with an authentication error, for that tenant only.
func resolveSingleTenant(s *Simulator, sc *scenario, r *rng) error {
	busiest := func(t *Tenant) int {
		best, bestW := -1, 0.0
		for _, ji := range t.jobKinds {
			k := jobIntegration[ji]
			if k < 0 || (sc.params.Integration != "" && integrations[k].name != sc.params.Integration) || s.integrationBlamed(k) {
				continue
			}
			if w := jobTypes[ji].weight; w > bestW {
				best, bestW = k, w
			}
		}
		return best
	}
	t, err := s.pickTenant(sc, r, func(t *Tenant) bool { return busiest(t) >= 0 })
	if err != nil {
		return err
	}
	k := busiest(t)
	sc.blameTenant(t)
	name := integrations[k].name
	sc.params.Integration = name
	sc.truth.Culprit.Integration = name
	tp := s.lib.byKey[configErrorKeys[name]]
	sc.signature(tp)
	fx := sc.newEffect()
	fx.integration, fx.failRate, fx.tmpls = k, 1, []*Template{tp}
	sc.installTenant(s, t, fx)
	return nil
}

// --- poison job -----------------------------------------------------------

func resolvePoison(s *Simulator, sc *scenario, r *rng) error {
	favourite := func(t *Tenant) int {
		if sc.params.JobType != "" {
			if k := jobTypeIndex(sc.params.JobType); slices.Contains(t.jobKinds, k) {
				return k
			}
			return -1
		}
		// retries of 3 to 5 attempts end (dead) within minutes
		best, bestW := -1, 0.0
		for _, ji := range t.jobKinds {
			if w := jobTypes[ji].weight; jobTypes[ji].retryLimit >= 3 && jobTypes[ji].retryLimit <= 5 && w > bestW {
				best, bestW = ji, w
			}
		}
		return best
	}
	t, err := s.pickTenant(sc, r, func(t *Tenant) bool { return favourite(t) >= 0 })
	if err != nil {
		return err
	}
	tp, err := s.pickTemplate(sc, s.lib.poison, r)
	if err != nil {
		return err
	}
	jt := favourite(t)
	sc.blameTenant(t)
	sc.params.JobType = jobTypes[jt].name
	sc.params.RetryLimit = jobTypes[jt].retryLimit
	sc.truth.Culprit.JobType = jobTypes[jt].name
	sc.signature(tp)
	fx := sc.newEffect()
	fx.jobType, fx.failRate, fx.tmpls, fx.durFactor, fx.sticky = jt, 1, []*Template{tp}, 0.3, true
	sc.installTenant(s, t, fx)
	return nil
}

// --- error creep --------------------------------------------------------------

// Bursts of a rare error, each gap ratio times the one before, so the gaps
// sum to the scenario's duration; bursts stop when gaps fall under two
// minutes (they would merge into one).
func resolveCreep(s *Simulator, sc *scenario, r *rng) error {
	var cell *Cell
	var host *Host
	if sc.params.Host != "" {
		h, ok := s.fleet.HostByName(sc.params.Host)
		if !ok {
			return fmt.Errorf("host %q is not in the fleet", sc.params.Host)
		}
		host, cell = h, &s.fleet.Cells[h.Cell]
	} else {
		var err error
		if cell, err = s.pickCell(sc, r); err != nil {
			return err
		}
		host = &s.fleet.Hosts[cell.WorkerHosts[r.Intn(len(cell.WorkerHosts))]]
	}
	ratio := orDefault(&sc.params.Ratio, 0.7)
	if err := checkRange("ratio", ratio, 0.1, 0.95); err != nil {
		return err
	}
	tp, err := s.pickTemplate(sc, s.lib.creep, r)
	if err != nil {
		return err
	}
	sc.cell = cell.Index
	sc.params.Cell, sc.params.Host = cell.Name, host.Name
	sc.truth.Culprit = Culprit{Cell: cell.Name, Host: host.Name}
	sc.signature(tp)
	st := &burstStream{fx: sc.newEffect(), tmpl: tp, host: host.local}
	gap := float64(sc.end-sc.start) * (1 - ratio)
	for at, k := float64(sc.start), 0; at < float64(sc.end); at, k = at+gap, k+1 {
		for i, n := 0, 4+2*k; i < n; i++ { // each burst a little bigger, over 30 s
			st.times = append(st.times, int64(at)+int64((float64(i)+r.Float64())/float64(n)*float64(burstLength)))
		}
		if gap *= ratio; gap < float64(2*time.Minute) { // closer bursts would merge
			break
		}
	}
	sc.streams = append(sc.streams, cellStream{cell: cell.Index, st: st})
	return nil
}

// burstStream emits the error at pre-drawn times.
type burstStream struct {
	fx    *effect
	tmpl  *Template
	host  int
	times []int64 // ascending
	next  int
}

const burstLength = int64(30 * time.Second)

func (st *burstStream) generate(c *cellGen, t0, t1 int64) {
	for ; st.next < len(st.times) && st.times[st.next] < t1; st.next++ {
		ts := max(st.times[st.next], t0)
		t := &c.s.fleet.Tenants[c.cell.Tenants[c.tenants.Sample(c.r)]]
		ver, _ := c.version(st.host, ts)
		ev := c.begin(ts, t)
		ev.Kind, ev.Service, ev.Host, ev.Version = event.KindError, svcWorker, c.hostName(st.host), ver
		c.setError(st.tmpl, ts)
		st.fx.sc.affect(t.Index)
		c.send(st.tmpl.ID, st.fx.sc.idx)
	}
}
