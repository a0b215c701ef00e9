package sim

import (
	"fmt"
	"io"
	"math"
	"sort"
	"sync/atomic"
	"time"
)

// scenarioDef is one kind of injectable incident.
type scenarioDef struct {
	name     string
	finding  string
	keys     []string      // parameters it takes
	duration time.Duration // default
	// resolve picks what the spec left open (culprits, templates, defaults)
	// with the scenario's random stream, and builds the effects.
	resolve func(s *Simulator, sc *scenario, r *rng) error
	// onActivate/onDeactivate handle changes beyond effects and streams.
	onActivate   func(s *Simulator, sc *scenario)
	onDeactivate func(s *Simulator, sc *scenario)
}

var scenarioDefs = map[string]*scenarioDef{}

func register(d *scenarioDef) { scenarioDefs[d.name] = d }

// ScenarioNames lists the injectable scenarios.
func ScenarioNames() []string {
	names := make([]string, 0, len(scenarioDefs))
	for n := range scenarioDefs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// scenario is one scheduled incident.
type scenario struct {
	idx    int
	def    *scenarioDef
	spec   Spec
	start  int64
	end    int64
	params Params
	truth  Truth

	fleet    *Fleet
	tenant   int // fleet index of the culprit tenant, -1 for none
	cell     int // culprit cell, -1 for none
	affected []uint64

	badFx     *effect // bad deploy: the effect of the bad version
	installs  []install
	streams   []cellStream
	active    bool
	done      bool
	actualEnd int64
}

type scope uint8

const (
	scopeTenant scope = iota
	scopeHost
	scopeCell
	scopeIntegration
)

// install attaches an effect to a scope while the scenario is active.
type install struct {
	scope scope
	cell  int
	index int // local tenant, local host or integration
	fx    *effect
}

type cellStream struct {
	cell int
	st   streamer
}

// affect records a tenant the scenario touched. Cells on different
// workers may call it at once.
func (sc *scenario) affect(tenant int) {
	w, bit := &sc.affected[tenant>>6], uint64(1)<<(tenant&63)
	if atomic.LoadUint64(w)&bit == 0 {
		atomic.OrUint64(w, bit)
	}
}

func (sc *scenario) newEffect() *effect {
	return &effect{sc: sc, jobType: -1, integration: -1, endpoint: -1}
}

// schedule resolves the configured scenarios and the mix.
func (s *Simulator) schedule(r *rng) error {
	var specs []Spec
	for _, text := range s.cfg.Scenarios {
		sp, err := ParseSpec(text)
		if err != nil {
			return err
		}
		specs = append(specs, sp)
	}
	if s.cfg.Mix == "default" {
		mix, err := s.defaultMix(r)
		if err != nil {
			return err
		}
		specs = append(specs, mix...)
	}
	for _, sp := range specs {
		if err := s.addScenario(sp, r); err != nil {
			return fmt.Errorf("scenario %s: %w", sp, err)
		}
	}
	return nil
}

func (s *Simulator) addScenario(sp Spec, r *rng) error {
	def := scenarioDefs[sp.Name]
	sc := &scenario{idx: len(s.scenarios), fleet: s.fleet, def: def, spec: sp, params: sp.Params, tenant: -1, cell: -1}
	dur := sp.Duration
	if dur == 0 {
		dur = def.duration
	}
	switch {
	case !sp.At.IsZero():
		sc.start = sp.At.UnixNano()
	case sp.HasStart:
		sc.start = s.start + int64(sp.Offset)
	default: // chosen by the seed in the middle of the run
		span := max(s.end-s.start, int64(dur)) // open-ended runs: within the first duration
		if s.end == math.MaxInt64 {
			span = 2 * int64(dur)
		}
		sc.start = s.start + span/10 + int64(r.Float64()*float64(max(span*8/10-int64(dur), 0)))
	}
	sc.end = sc.start + int64(dur)
	if sc.start < s.start || sc.start >= s.end {
		return fmt.Errorf("starts at %s, outside the run", time.Unix(0, sc.start).UTC().Format(time.RFC3339))
	}
	sc.affected = make([]uint64, (len(s.fleet.Tenants)+63)/64)
	sc.truth = Truth{Scenario: def.name, FindingKind: def.finding}
	if err := def.resolve(s, sc, r); err != nil {
		return err
	}
	s.scenarios = append(s.scenarios, sc)
	return nil
}

// updateScenarios activates and ends scenarios at tick boundaries.
func (s *Simulator) updateScenarios(t0 int64, truth io.Writer) error {
	for _, sc := range s.scenarios {
		if !sc.active && !sc.done && t0 >= sc.start && t0 < sc.end {
			s.activate(sc)
		}
		if sc.active && t0 >= sc.end {
			if err := s.deactivate(sc, sc.end, truth); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Simulator) finishScenarios(last int64, truth io.Writer) error {
	for _, sc := range s.scenarios {
		if sc.active {
			if err := s.deactivate(sc, min(last, sc.end), truth); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Simulator) activate(sc *scenario) {
	sc.active = true
	s.metrics.scenarios.Inc()
	for _, in := range sc.installs {
		push(s.slot(in), in.fx)
	}
	for _, cs := range sc.streams {
		c := s.cells[cs.cell]
		c.streams = append(c.streams, cs.st)
	}
	if sc.def.onActivate != nil {
		sc.def.onActivate(s, sc)
	}
	s.publishActive()
	s.log.Info("scenario started", "scenario", sc.def.name, "culprit", sc.truth.Culprit)
}

func (s *Simulator) deactivate(sc *scenario, end int64, truth io.Writer) error {
	sc.active, sc.done, sc.actualEnd = false, true, end
	s.metrics.scenarios.Dec()
	for _, in := range sc.installs {
		remove(s.slot(in), in.fx)
	}
	for _, cs := range sc.streams {
		c := s.cells[cs.cell]
		for i, st := range c.streams {
			if st == cs.st {
				c.streams = append(c.streams[:i], c.streams[i+1:]...)
				break
			}
		}
	}
	if sc.def.onDeactivate != nil {
		sc.def.onDeactivate(s, sc)
	}
	s.publishActive()
	rec := sc.record()
	s.log.Info("scenario ended", "scenario", sc.def.name, "affected_tenants", len(rec.AffectedTenants))
	if truth == nil {
		return nil
	}
	if err := WriteTruth(truth, &rec); err != nil {
		return fmt.Errorf("writing ground truth: %w", err)
	}
	return nil
}

func (s *Simulator) slot(in install) **effect {
	switch in.scope {
	case scopeTenant:
		return &s.cells[in.cell].tenantFx[in.index]
	case scopeHost:
		return &s.cells[in.cell].hostFx[in.index]
	case scopeCell:
		return &s.cells[in.cell].cellFx
	default:
		return &s.integFx[in.index]
	}
}

// record renders the scenario's ground truth.
func (sc *scenario) record() Truth {
	t := sc.truth
	t.Start = time.Unix(0, sc.start).UTC()
	end := sc.end
	if sc.done {
		end = sc.actualEnd
	}
	t.End = time.Unix(0, end).UTC()
	t.Params = sc.params
	t.AffectedTenants = []string{}
	for i := range sc.fleet.Tenants {
		if atomic.LoadUint64(&sc.affected[i>>6])&(1<<(i&63)) != 0 {
			t.AffectedTenants = append(t.AffectedTenants, sc.fleet.Tenants[i].ID)
		}
	}
	return t
}
