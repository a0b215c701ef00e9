package sim

// Scenarios whose signature is load: contention, retries, floods, hangs and
// slow endpoints.
import (
	"fmt"
	"math"
	"slices"
	"time"
)

// --- noisy neighbour ----------------------------------------------------

func resolveNoisyNeighbour(s *Simulator, sc *scenario, r *rng) error {
	var onCell func(*Tenant) bool
	if sc.params.Cell != "" {
		cell, ok := s.fleet.CellByName(sc.params.Cell)
		if !ok {
			return fmt.Errorf("cell %q is not in the fleet", sc.params.Cell)
		}
		onCell = func(t *Tenant) bool { return t.Cell == cell.Index && len(cell.Tenants) > 1 }
	} else {
		onCell = func(t *Tenant) bool { return len(s.fleet.Cells[t.Cell].Tenants) > 3 }
	}
	t, err := s.pickTenant(sc, r, onCell)
	if err != nil {
		return err
	}
	factor := orDefault(&sc.params.Factor, 4)
	if err := checkRange("factor", factor, 1.1, 20); err != nil {
		return err
	}
	sc.blameTenant(t)
	sc.cell = t.Cell
	cell := &s.fleet.Cells[t.Cell]
	sc.params.Cell = cell.Name
	sc.truth.Culprit.Cell = cell.Name
	sc.truth.Culprit.JobType = "import.chunk"
	mark := sc.newEffect()
	mark.markOthers = true
	sc.installs = append(sc.installs, install{scope: scopeCell, cell: t.Cell, fx: mark})
	label := sc.newEffect()
	sc.streams = append(sc.streams, cellStream{cell: t.Cell, st: &importStream{fx: label, tenant: t, factor: factor, jt: jobTypeIndex("import.chunk")}})
	return nil
}

// importStream is a bulk import sized so the cell's queue time rises by
// factor: utilisation goes from its baseline ρ to 1-(1-ρ)/factor, and
// queue time scales with 1/(1-ρ).
type importStream struct {
	fx     *effect
	tenant *Tenant
	factor float64
	jt     int
}

func (st *importStream) generate(c *cellGen, t0, t1 int64) {
	base := c.baseWork(t0) / c.slots
	target := math.Min(1-(1-base)/st.factor, 0.97)
	extra := math.Max(target-base, 0) * c.slots
	perSec := extra / (jobTypes[st.jt].meanMs() / 1000)
	n := c.r.Poisson(perSec * float64(t1-t0) / 1e9)
	for i := 0; i < n; i++ {
		c.enqueue(t0+int64(c.r.Intn(int(t1-t0))), st.tenant, st.jt, -1, st.fx)
	}
}

// --- retry storm ----------------------------------------------------------

func resolveRetryStorm(s *Simulator, sc *scenario, r *rng) error {
	jt := -1
	if sc.params.JobType != "" {
		if jt = jobTypeIndex(sc.params.JobType); jt < 0 {
			return fmt.Errorf("job type %q is not in the catalog", sc.params.JobType)
		}
	}
	t, err := s.pickTenant(sc, r, func(t *Tenant) bool { return jt < 0 || slices.Contains(t.jobKinds, jt) })
	if err != nil {
		return err
	}
	tp, err := s.pickTemplate(sc, s.lib.storm, r)
	if err != nil {
		return err
	}
	rate := orDefault(&sc.params.ErrorRate, 0.9)
	if sc.params.Backoff == 0 {
		sc.params.Backoff = Duration(500 * time.Millisecond)
	}
	if sc.params.RetryLimit == 0 {
		sc.params.RetryLimit = 25
	}
	if err := checkRange("error_rate", rate, 0.05, 1); err != nil {
		return err
	}
	sc.blameTenant(t)
	sc.signature(tp)
	if jt >= 0 {
		sc.truth.Culprit.JobType = jobTypes[jt].name
	}
	fx := sc.newEffect()
	fx.jobType, fx.failRate, fx.tmpls = jt, rate, []*Template{tp}
	fx.backoff, fx.retryLimit = int64(sc.params.Backoff), sc.params.RetryLimit
	sc.installTenant(s, t, fx)
	return nil
}

// --- stuck jobs -------------------------------------------------------------

// A worker host hangs: a share of the jobs it picks up start and never end.
func resolveStuck(s *Simulator, sc *scenario, r *rng) error {
	var cell *Cell
	var host *Host
	if sc.params.Host != "" {
		h, ok := s.fleet.HostByName(sc.params.Host)
		if !ok || h.API {
			return fmt.Errorf("host %q is not a worker host of the fleet", sc.params.Host)
		}
		host, cell = h, &s.fleet.Cells[h.Cell]
	} else {
		var err error
		if cell, err = s.pickCell(sc, r); err != nil {
			return err
		}
		host = &s.fleet.Hosts[cell.WorkerHosts[r.Intn(len(cell.WorkerHosts))]]
	}
	p := orDefault(&sc.params.Probability, 0.3)
	if err := checkRange("probability", p, 0.001, 1); err != nil {
		return err
	}
	sc.cell = cell.Index
	sc.params.Cell, sc.params.Host = cell.Name, host.Name
	sc.truth.Culprit = Culprit{Cell: cell.Name, Host: host.Name}
	fx := sc.newEffect()
	fx.stuckRate = p
	sc.installs = append(sc.installs, install{scope: scopeHost, cell: cell.Index, index: host.local, fx: fx})
	return nil
}

// --- request flood ----------------------------------------------------------

func resolveFlood(s *Simulator, sc *scenario, r *rng) error {
	t, err := s.pickTenant(sc, r, nil)
	if err != nil {
		return err
	}
	m := orDefault(&sc.params.Multiplier, 20)
	if err := checkRange("multiplier", m, 1.5, 1000); err != nil {
		return err
	}
	sc.blameTenant(t)
	ri := slices.IndexFunc(routes, func(rt route) bool { return rt.name == "GET /v1/jobs/:id" })
	sc.truth.Culprit.Tenant = t.ID
	st := &floodStream{fx: sc.newEffect(), tenant: t, mult: m, route: ri,
		attrs: map[string]string{"client": "sdk-js/4.2.1", "source": "poller"}}
	sc.streams = append(sc.streams, cellStream{cell: t.Cell, st: st})
	return nil
}

// floodStream is a client timer firing (mult-1) times too often: the same
// polling call, a share of it rate limited.
type floodStream struct {
	fx     *effect
	tenant *Tenant
	mult   float64
	route  int
	attrs  map[string]string
}

const floodRateLimited = 0.3

func (st *floodStream) generate(c *cellGen, t0, t1 int64) {
	t := st.tenant
	base := c.actPerSec * c.cell.diurnal(t0, c.s.cfg.Diurnal) * t.Share / c.cell.Share * t.reqShare
	n := c.r.Poisson((st.mult - 1) * base * float64(t1-t0) / 1e9)
	if n > 0 {
		st.fx.sc.affect(t.Index)
	}
	for i := 0; i < n; i++ {
		var status uint16
		if c.r.Chance(floodRateLimited) {
			status = 429
		}
		c.request(t0+int64(c.r.Intn(int(t1-t0))), t, st.route, st.attrs, st.fx.sc.idx, status)
	}
}

// --- slow tenant endpoint -------------------------------------------------------

func resolveEndpoint(s *Simulator, sc *scenario, r *rng) error {
	jt := jobTypeIndex("webhook.deliver")
	t, err := s.pickTenant(sc, r, func(t *Tenant) bool {
		return slices.Contains(t.jobKinds, jt) && len(t.Endpoints) > 0 &&
			(sc.params.Endpoint == "" || slices.Contains(t.Endpoints, sc.params.Endpoint))
	})
	if err != nil {
		return err
	}
	ep := r.Intn(len(t.Endpoints))
	if sc.params.Endpoint != "" {
		ep = slices.Index(t.Endpoints, sc.params.Endpoint)
	}
	if sc.params.Mode == "" {
		sc.params.Mode = []string{"slow", "failing"}[r.Intn(2)]
	}
	sc.blameTenant(t)
	sc.params.Endpoint = t.Endpoints[ep]
	sc.params.JobType = "webhook.deliver"
	sc.truth.Culprit.JobType = "webhook.deliver"
	fx := sc.newEffect()
	fx.jobType, fx.endpoint = jt, ep
	switch sc.params.Mode {
	case "slow":
		fx.durFactor = orDefault(&sc.params.Factor, 15)
		fx.timeoutMs, fx.timeoutTmpl = 30000, s.lib.byKey["wh.timeout"]
		sc.signature(fx.timeoutTmpl)
	case "failing":
		fx.failRate = orDefault(&sc.params.ErrorRate, 0.85)
		fx.tmpls = []*Template{s.lib.byKey["wh.5xx"], s.lib.byKey["wh.refused"]}
		sc.signature(fx.tmpls[0])
	default:
		return fmt.Errorf("mode %q: want slow or failing", sc.params.Mode)
	}
	sc.installTenant(s, t, fx)
	return nil
}
