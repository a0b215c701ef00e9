package sim

import (
	"fmt"
	"time"
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
