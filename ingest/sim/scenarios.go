package sim

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

func init() {
	register(&scenarioDef{name: "bad_deploy", finding: FindingLocalized, duration: 20 * time.Minute,
		keys: []string{"cell", "version", "error_rate", "template"}, resolve: resolveBadDeploy,
		onActivate: activateBadDeploy, onDeactivate: deactivateBadDeploy})
	register(&scenarioDef{name: "third_party_outage", finding: FindingSystemWide, duration: 30 * time.Minute,
		keys: []string{"integration", "error_rate", "factor"}, resolve: resolveOutage})
	register(&scenarioDef{name: "single_tenant_failure", finding: FindingSingleTenant, duration: 45 * time.Minute,
		keys: []string{"tenant", "integration"}, resolve: resolveSingleTenant})
	register(&scenarioDef{name: "noisy_neighbour", finding: FindingNoisyNeighbour, duration: 30 * time.Minute,
		keys: []string{"tenant", "cell", "factor"}, resolve: resolveNoisyNeighbour})
	register(&scenarioDef{name: "retry_storm", finding: FindingRetryStorm, duration: 20 * time.Minute,
		keys: []string{"tenant", "job_type", "error_rate", "backoff", "retry_limit", "template"}, resolve: resolveRetryStorm})
	register(&scenarioDef{name: "poison_job", finding: FindingPoisonJob, duration: time.Hour,
		keys: []string{"tenant", "job_type", "template"}, resolve: resolvePoison})
	register(&scenarioDef{name: "stuck_jobs", finding: FindingStuckJobs, duration: time.Hour,
		keys: []string{"cell", "host", "probability"}, resolve: resolveStuck})
	register(&scenarioDef{name: "request_flood", finding: FindingRequestFlood, duration: 30 * time.Minute,
		keys: []string{"tenant", "multiplier"}, resolve: resolveFlood})
	register(&scenarioDef{name: "error_creep", finding: FindingEmerging, duration: 4 * time.Hour,
		keys: []string{"cell", "host", "ratio", "template"}, resolve: resolveCreep})
	register(&scenarioDef{name: "slow_tenant_endpoint", finding: FindingEndpoint, duration: 40 * time.Minute,
		keys: []string{"tenant", "endpoint", "mode", "factor", "error_rate"}, resolve: resolveEndpoint})
}

// --- culprit selection -------------------------------------------------

// pickTenant returns the named tenant, or picks one by the seed: a tenant
// big enough to leave a visible signature but not one of the very largest,
// not already a culprit, satisfying ok.
func (s *Simulator) pickTenant(sc *scenario, r *rng, ok func(*Tenant) bool) (*Tenant, error) {
	if sc.params.Tenant != "" {
		t, found := s.fleet.TenantByID(sc.params.Tenant)
		if !found {
			return nil, fmt.Errorf("tenant %q is not in the fleet", sc.params.Tenant)
		}
		if ok != nil && !ok(t) {
			return nil, fmt.Errorf("tenant %s does not fit this scenario", t.ID)
		}
		return t, nil
	}
	bySize := s.fleet.TenantsBySize()
	lo, hi := min(2, len(bySize)-1), max(len(bySize)/5, 3)
	for _, pass := range []bool{true, false} {
		var cands []*Tenant
		for _, ti := range bySize[lo:min(hi, len(bySize))] {
			t := &s.fleet.Tenants[ti]
			if (pass && s.usedCulprit(t)) || (ok != nil && !ok(t)) {
				continue
			}
			cands = append(cands, t)
		}
		if len(cands) > 0 {
			return cands[r.Intn(len(cands))], nil
		}
	}
	return nil, fmt.Errorf("no tenant fits")
}

// usedCulprit: a tenant already blamed, or on a cell already blamed.
func (s *Simulator) usedCulprit(t *Tenant) bool {
	for _, sc := range s.scenarios {
		if sc.tenant == t.Index || sc.cell == t.Cell {
			return true
		}
	}
	return false
}

func (s *Simulator) pickCell(sc *scenario, r *rng) (*Cell, error) {
	if sc.params.Cell != "" {
		c, ok := s.fleet.CellByName(sc.params.Cell)
		if !ok {
			return nil, fmt.Errorf("cell %q is not in the fleet", sc.params.Cell)
		}
		return c, nil
	}
	var free []int
	for i := range s.fleet.Cells {
		used := false
		for _, o := range s.scenarios {
			used = used || o.cell == i || (o.tenant >= 0 && s.fleet.Tenants[o.tenant].Cell == i)
		}
		if !used && len(s.fleet.Cells[i].Tenants) > 0 {
			free = append(free, i)
		}
	}
	if len(free) == 0 {
		return &s.fleet.Cells[r.Intn(len(s.fleet.Cells))], nil
	}
	return &s.fleet.Cells[free[r.Intn(len(free))]], nil
}

func (s *Simulator) pickTemplate(sc *scenario, group []int, r *rng) (*Template, error) {
	if sc.params.Template != "" {
		t, ok := s.lib.byKey[sc.params.Template]
		if !ok {
			return nil, fmt.Errorf("template %q is not defined", sc.params.Template)
		}
		return t, nil
	}
	return s.lib.all[group[r.Intn(len(group))]], nil
}

func (sc *scenario) signature(t *Template) {
	sc.params.Template, sc.params.ErrorClass, sc.params.MessagePrefix = t.Key, t.Class, t.Prefix
}

func (sc *scenario) blameTenant(t *Tenant) {
	sc.tenant = t.Index
	sc.params.Tenant = t.ID
	sc.truth.Culprit.Tenant = t.ID
}

func (sc *scenario) installTenant(s *Simulator, t *Tenant, fx *effect) {
	sc.installs = append(sc.installs, install{scope: scopeTenant, cell: t.Cell, index: t.local, fx: fx})
}

func orDefault(v *float64, def float64) float64 {
	if *v == 0 {
		*v = def
	}
	return *v
}

func checkRange(name string, v, lo, hi float64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s=%v: want %v..%v", name, v, lo, hi)
	}
	return nil
}

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
