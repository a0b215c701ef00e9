package sim

import (
	"fmt"
	"math"
)

// library holds every compiled template. IDs are positions in a fixed
// declaration order, so they are stable for a given build of the simulator
// and independent of the seed.
type library struct {
	all   []*Template
	byKey map[string]*Template

	generic     []int
	integration [][]int // by integration index
	jobType     [][]int // by job type index
	badDeploy   []int
	creep       []int
	poison      []int
	storm       []int
	stuck       []int
}

func buildLibrary() (*library, error) {
	l := &library{byKey: map[string]*Template{}}
	add := func(defs []tmplDef) ([]int, error) {
		ids := make([]int, 0, len(defs))
		for _, d := range defs {
			if _, dup := l.byKey[d.key]; dup {
				return nil, fmt.Errorf("duplicate template key %q", d.key)
			}
			t, err := compileTemplate(len(l.all), d)
			if err != nil {
				return nil, err
			}
			l.all = append(l.all, t)
			l.byKey[d.key] = t
			ids = append(ids, t.ID)
		}
		return ids, nil
	}
	var err error
	if l.generic, err = add(genericTemplates); err != nil {
		return nil, err
	}
	for _, in := range integrations {
		ids, err := add(integrationTemplates[in.name])
		if err != nil {
			return nil, err
		}
		l.integration = append(l.integration, ids)
	}
	if _, err = add(configTemplates); err != nil {
		return nil, err
	}
	for _, jt := range jobTypes {
		ids, err := add(jobTypeTemplates[jt.name])
		if err != nil {
			return nil, err
		}
		l.jobType = append(l.jobType, ids)
	}
	for _, g := range []struct {
		dst  *[]int
		defs []tmplDef
	}{{&l.badDeploy, badDeployTemplates}, {&l.creep, creepTemplates}, {&l.poison, poisonTemplates}, {&l.storm, retryStormTemplates}, {&l.stuck, stuckTemplates}} {
		if *g.dst, err = add(g.defs); err != nil {
			return nil, err
		}
	}
	return l, l.checkReferences()
}

func (l *library) checkReferences() error {
	for in, keys := range outageKeys {
		for _, k := range keys {
			if l.byKey[k] == nil {
				return fmt.Errorf("outage template %q of %s is not defined", k, in)
			}
		}
	}
	for in, k := range configErrorKeys {
		if l.byKey[k] == nil {
			return fmt.Errorf("config-error template %q of %s is not defined", k, in)
		}
	}
	return nil
}

// pool is a weighted choice of templates for one context (a service's
// background errors, a job type's failures).
type pool struct {
	ids   []int32
	alias alias
}

func (p *pool) pick(r *rng) int { return int(p.ids[p.alias.Sample(r)]) }

// zipfPool weights the given templates 1/rank^s in a seeded random order:
// a few templates dominate, most are rare, as in real logs.
func zipfPool(ids []int, s float64, r *rng) pool {
	order := make([]int32, len(ids))
	for i, id := range ids {
		order[i] = int32(id)
	}
	for i := len(order) - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		order[i], order[j] = order[j], order[i]
	}
	w := make([]float64, len(order))
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
	}
	return pool{ids: order, alias: newAlias(w)}
}

// weightedPool concatenates groups with a share of the total weight each,
// Zipf-weighted within a group.
func weightedPool(r *rng, s float64, groups ...poolGroup) pool {
	var p pool
	var w []float64
	for _, g := range groups {
		if len(g.ids) == 0 || g.share <= 0 {
			continue
		}
		zp := zipfPool(g.ids, s, r)
		var sum float64
		for i := range zp.ids {
			sum += 1 / math.Pow(float64(i+1), s)
		}
		for i, id := range zp.ids {
			p.ids = append(p.ids, id)
			w = append(w, g.share/math.Pow(float64(i+1), s)/sum)
		}
	}
	p.alias = newAlias(w)
	return p
}

type poolGroup struct {
	ids   []int
	share float64
}

// popularity gives each template a fleet-wide weight, Zipf by a seeded
// rank: some failures (timeouts, deadlocks) are common everywhere, most are
// rare everywhere. Contexts then vary it by a log-normal factor.
type popularity map[int]float64

func newPopularity(ids []int, s float64, r *rng) popularity {
	p := popularity{}
	zp := zipfPool(ids, s, r)
	for rank, id := range zp.ids {
		p[int(id)] = 1 / math.Pow(float64(rank+1), s)
	}
	return p
}

// pool draws from ids weighted by popularity times a per-context factor.
func (p popularity) pool(ids []int, spread float64, r *rng) pool {
	out := pool{ids: make([]int32, len(ids))}
	w := make([]float64, len(ids))
	for i, id := range ids {
		out.ids[i] = int32(id)
		w[i] = p[id] * r.LogNormal(1, spread)
	}
	out.alias = newAlias(w)
	return out
}

// TemplateInfo describes a template for tests and documentation.
type TemplateInfo struct {
	ID    int
	Key   string
	Class string
	Text  string
}
