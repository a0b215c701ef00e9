package sim

import (
	"fmt"
	"time"
)

// Deploys: a release every ReleaseEvery (±25%), rolled out cell by cell
// starting at a canary cell, host by host inside a cell. A host's version
// at time t is a pure function of the seed, so cells can evaluate it
// independently and lazily.
type deployPlan struct {
	start      int64 // run start, unix ns
	every      int64
	seed       uint64
	cells      int
	baseMinor  int
	names      []string // version name by release number (0 = before the run)
	cellStep   int64
	hostStep   int64
	firstAfter int64
}

func newDeployPlan(cfg *Config, cells int) *deployPlan {
	p := &deployPlan{
		start: cfg.Start.UnixNano(), every: int64(cfg.ReleaseEvery), seed: cfg.Seed, cells: cells,
		baseMinor: 30 + int(cfg.Seed%20), cellStep: int64(12 * time.Minute), hostStep: int64(90 * time.Second),
	}
	p.firstAfter = int64(mix64(cfg.Seed, 7) % uint64(p.every))
	releases := 10000 // open-ended runs: years of releases
	if cfg.Duration > 0 {
		releases = int(int64(cfg.Duration)/p.every) + 4
	}
	for n := 0; n < releases; n++ {
		p.names = append(p.names, fmt.Sprintf("v3.%d.%d", p.baseMinor+n, mix64(p.seed, uint64(n))%3))
	}
	return p
}

// release returns when release k (k >= 1) starts rolling out.
func (p *deployPlan) release(k int) int64 {
	jitter := int64(mix64(p.seed, uint64(k))%uint64(p.every/2)) - p.every/4
	return p.start + p.firstAfter + int64(k-1)*p.every + jitter
}

// switchAt is when host (local index h on cell c) moves to release k.
func (p *deployPlan) switchAt(k, c, h int) int64 {
	canary := k % p.cells
	order := (c - canary + p.cells) % p.cells
	return p.release(k) + int64(order)*p.cellStep + int64(h)*p.hostStep
}

// name returns release k's version string. Names are built up front (see
// newDeployPlan) because cells on different workers read them.
func (p *deployPlan) name(k int) string {
	if k < len(p.names) {
		return p.names[k]
	}
	return p.names[len(p.names)-1]
}

// hostVersion tracks one host's place in the plan.
type hostVersion struct {
	release    int   // current release number
	nextSwitch int64 // when it moves to release+1

	override     string // a scenario's version (bad deploy), "" for none
	overrideFrom int64
	overrideFx   *effect
}

func (p *deployPlan) initHost(hv *hostVersion, c, h int) {
	hv.release = 0
	hv.nextSwitch = p.switchAt(1, c, h)
}

// at returns the host's version at ts, advancing lazily. The effect is the
// scenario owning an override version, if any.
func (p *deployPlan) at(hv *hostVersion, c, h int, ts int64) (string, *effect) {
	for ts >= hv.nextSwitch {
		hv.release++
		hv.nextSwitch = p.switchAt(hv.release+1, c, h)
	}
	if hv.override != "" && ts >= hv.overrideFrom {
		return hv.override, hv.overrideFx
	}
	return p.name(hv.release), nil
}

// mix64 is a stateless hash for seed-derived constants.
func mix64(a, b uint64) uint64 {
	z := a*0x9E3779B97F4A7C15 + b + 0x632BE59BD9B4E019
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}
