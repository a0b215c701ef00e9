package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// tick is the simulation step. Events inside one tick are not ordered by
// timestamp; across ticks they are.
const tick = int64(100 * time.Millisecond)

// Simulator generates a fleet's events. Build it with New, run it once.
type Simulator struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	lib     *library
	fleet   *Fleet
	plan    *deployPlan
	runID   string
	start   int64
	end     int64 // math.MaxInt64: until stopped

	cells     []*cellGen
	scenarios []*scenario
	integFx   []*effect // by integration index

	servicePools []pool // by backgroundServices index
	bgServices   alias
	jobPools     []pool // by job type
	integPools   []pool // by integration
	requestPool  pool
	routeAlias   alias

	events  atomic.Uint64
	simTime atomic.Int64
	active  atomic.Pointer[string] // comma-separated active scenarios
}

// New builds the fleet, resolves the scenarios and prepares the cells. A
// zero cfg.Start is resolved against the wall clock (see Config.ResolveStart).
// logger and reg may be nil.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Simulator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid simulator config: %w", err)
	}
	cfg.ResolveStart(time.Now())
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Simulator{cfg: cfg, log: logger, start: cfg.Start.UnixNano(), end: math.MaxInt64}
	if cfg.Duration > 0 {
		s.end = s.start + int64(cfg.Duration)
	}
	var err error
	if s.metrics, err = newMetrics(reg); err != nil {
		return nil, err
	}
	s.runID = cfg.RunID
	if s.runID == "" {
		s.runID = strconv.FormatUint(mix64(cfg.Seed, uint64(s.start))%(36*36*36*36*36*36), 36)
	}
	if s.lib, err = buildLibrary(); err != nil {
		return nil, fmt.Errorf("building message templates: %w", err)
	}
	if s.fleet, err = buildFleet(&s.cfg, newRNG(cfg.Seed, 1)); err != nil {
		return nil, err
	}
	s.plan = newDeployPlan(&s.cfg, len(s.fleet.Cells))
	s.buildPools(newRNG(cfg.Seed, 2))
	s.integFx = make([]*effect, len(integrations))
	for i := range s.fleet.Cells {
		s.cells = append(s.cells, newCellGen(s, i))
	}
	if err := s.schedule(newRNG(cfg.Seed, 3)); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Simulator) buildPools(r *rng) {
	const (
		zipfS  = 1.2 // rank-frequency exponent of log templates
		spread = 0.7 // how much one context's mix departs from the fleet's
	)
	generic := newPopularity(s.lib.generic, zipfS, r)
	var w []float64
	for i, svc := range backgroundServices {
		w = append(w, svc.weight)
		var ids []int
		for k, id := range s.lib.generic {
			// every template belongs to at least one service (k mod n)
			if k%len(backgroundServices) == i || r.Chance(0.3) {
				ids = append(ids, id)
			}
		}
		s.servicePools = append(s.servicePools, generic.pool(ids, spread, r))
	}
	s.bgServices = newAlias(w)
	s.requestPool = s.servicePools[0]
	for i := range integrations {
		s.integPools = append(s.integPools, zipfPool(s.lib.integration[i], zipfS, r))
	}
	for i := range jobTypes {
		var ids []int
		for _, id := range s.lib.generic {
			if r.Chance(0.15) {
				ids = append(ids, id)
			}
		}
		integ := []int(nil)
		if k := jobIntegration[i]; k >= 0 {
			integ = s.lib.integration[k]
		}
		s.jobPools = append(s.jobPools, weightedPool(r, zipfS,
			poolGroup{s.lib.jobType[i], 0.5}, poolGroup{integ, 0.25}, poolGroup{ids, 0.25}))
	}
	w = w[:0]
	for _, rt := range routes {
		w = append(w, rt.weight)
	}
	s.routeAlias = newAlias(w)
}

// Fleet returns the simulated fleet.
func (s *Simulator) Fleet() *Fleet { return s.fleet }

// Start returns the simulated start time; End the end (zero if open-ended).
func (s *Simulator) Start() time.Time { return time.Unix(0, s.start).UTC() }

func (s *Simulator) End() time.Time {
	if s.end == math.MaxInt64 {
		return time.Time{}
	}
	return time.Unix(0, s.end).UTC()
}

// RunID is the prefix of every event id of this run.
func (s *Simulator) RunID() string { return s.runID }

// Templates lists every message template the simulator knows.
func (s *Simulator) Templates() []TemplateInfo {
	out := make([]TemplateInfo, len(s.lib.all))
	for i, t := range s.lib.all {
		out[i] = TemplateInfo{ID: t.ID, Key: t.Key, Class: t.Class, Text: t.Text}
	}
	return out
}

// Truth returns the ground truth of every scheduled scenario; after Run it
// includes the tenants actually affected.
func (s *Simulator) Truth() []Truth {
	out := make([]Truth, len(s.scenarios))
	for i, sc := range s.scenarios {
		out[i] = sc.record()
	}
	return out
}

// Stats is a snapshot of a run's progress.
type Stats struct {
	Events  uint64
	SimTime time.Time
}

// Stats is safe to call while Run is running.
func (s *Simulator) Stats() Stats {
	return Stats{Events: s.events.Load(), SimTime: time.Unix(0, s.simTime.Load()).UTC()}
}

// Run generates the whole run into sink, writing each scenario's ground
// truth to truth (may be nil) when the scenario ends. It returns when the
// run is complete, the context is cancelled or the sink fails. With more
// than one worker the sink's methods are called concurrently.
func (s *Simulator) Run(ctx context.Context, sink Sink, truth io.Writer) error {
	labeled, _ := sink.(LabeledSink)
	for _, c := range s.cells {
		c.ctx, c.sink, c.labeled = ctx, sink, labeled
	}
	pool := newWorkerPool(s.cellGroups(s.workers()))
	defer pool.stop()
	wall0 := time.Now()
	var runErr error
	last := s.start
	for t0, n := s.start, 0; t0 < s.end; t0, n = t0+tick, n+1 {
		t1 := min(t0+tick, s.end)
		if n%16 == 0 {
			if runErr = ctx.Err(); runErr != nil {
				break
			}
		}
		if runErr = s.pace(ctx, wall0, t1); runErr != nil {
			break
		}
		if runErr = s.updateScenarios(t0, truth); runErr != nil {
			break
		}
		pool.tick(t0, t1)
		var events uint64
		for _, c := range s.cells {
			events += c.events
			if c.err != nil && runErr == nil {
				runErr = fmt.Errorf("emitting to sink: %w", c.err)
			}
		}
		last = t1
		s.publish(events, t1)
		if runErr != nil {
			break
		}
	}
	if err := s.finishScenarios(last, truth); err != nil && runErr == nil {
		runErr = err
	}
	if s.end == math.MaxInt64 && ctx.Err() != nil && errors.Is(runErr, ctx.Err()) {
		return nil // an open-ended realtime run ends by being stopped
	}
	return runErr
}

// minEventsPerTickPerWorker is the work below which handing a tick to
// another goroutine costs more than it saves.
const minEventsPerTickPerWorker = 1000

func (s *Simulator) workers() int {
	w := s.cfg.Workers
	if w == 0 {
		w = 1
		if s.cfg.Rate*float64(tick)/1e9 >= 2*minEventsPerTickPerWorker {
			w = runtime.GOMAXPROCS(0)
		}
	}
	return max(1, min(w, len(s.cells)))
}

// cellGroups splits the cells into n groups of about equal load, biggest
// cell first onto the lightest group.
func (s *Simulator) cellGroups(n int) [][]*cellGen {
	order := append([]*cellGen(nil), s.cells...)
	sort.SliceStable(order, func(a, b int) bool { return order[a].cell.Share > order[b].cell.Share })
	groups := make([][]*cellGen, n)
	load := make([]float64, n)
	for _, c := range order {
		g := 0
		for i := range load {
			if load[i] < load[g] {
				g = i
			}
		}
		groups[g] = append(groups[g], c)
		load[g] += c.cell.Share
	}
	return groups
}

func (s *Simulator) publish(events uint64, simNow int64) {
	prev := s.events.Swap(events)
	s.simTime.Store(simNow)
	s.metrics.events.Add(float64(events - prev))
	s.metrics.simTime.Set(float64(simNow) / 1e9)
}

// pace holds the loop back until the wall clock reaches the simulated time
// t (mapped by the mode). Backfill never waits.
func (s *Simulator) pace(ctx context.Context, wall0 time.Time, t int64) error {
	var target time.Time
	switch s.cfg.Mode {
	case ModeRealtime:
		target = time.Unix(0, t)
	case ModeAccelerated:
		target = wall0.Add(time.Duration(float64(t-s.start) / s.cfg.Speed))
	default:
		return nil
	}
	wait := time.Until(target)
	if wait < 2*time.Millisecond {
		return nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
