package sim

import (
	"fmt"
	"math"
	"sort"
)

// Fleet is the simulated SaaS fleet: tenants placed on cells, cells made of
// hosts. It is built once from the seed and read-only afterwards.
type Fleet struct {
	Tenants []Tenant
	Cells   []Cell
	Hosts   []Host
}

// Tenant is one customer account.
type Tenant struct {
	ID     string
	Index  int
	Share  float64 // share of the fleet's activity
	Cell   int
	Shard  string
	Region string
	// Integrations the tenant has configured (indexes into the catalog).
	Integrations []int
	Endpoints    []string // webhook endpoint names

	reqShare      float64 // share of its activities that are requests
	jobs          alias   // over jobKinds
	jobKinds      []int   // job type indexes it runs
	endpointAttrs []map[string]string
	local         int     // index within its cell's tenant list
	jobMeanSec    float64 // expected work of one of its jobs
}

// Uses reports whether the tenant has an integration configured.
func (t *Tenant) Uses(integration int) bool {
	for _, i := range t.Integrations {
		if i == integration {
			return true
		}
	}
	return false
}

// Cell is a shared slice of infrastructure serving a set of tenants.
type Cell struct {
	Name        string
	Index       int
	Region      string
	utcOffset   float64
	Share       float64 // share of the fleet's activity
	Tenants     []int   // fleet tenant indexes
	APIHosts    []int   // fleet host indexes
	WorkerHosts []int
}

// Host is one machine of a cell.
type Host struct {
	Name  string
	Cell  int
	API   bool
	local int // index within its cell's host list (api hosts first)
}

const (
	shardsPerCell      = 4
	apiHostsPerCell    = 4
	workerHostsPerCell = 6
	maxTenantShare     = 0.06
	paretoAlpha        = 1.16 // the "80/20" tail
)

var endpointNames = []string{"orders-hook", "crm-events", "billing-updates", "slack-relay", "erp-sync", "audit-sink", "zapier", "status-page", "inventory-feed", "support-desk"}

func buildFleet(cfg *Config, r *rng) (*Fleet, error) {
	nCells := cfg.Cells
	if nCells == 0 {
		nCells = max(2, min(64, cfg.Tenants/50))
	}
	f := &Fleet{}
	f.buildCells(nCells)
	shares := tenantShares(cfg.Tenants, r)
	f.placeTenants(shares, r)
	for i := range f.Tenants {
		f.Tenants[i].configure(r)
	}
	if len(f.Tenants) == 0 {
		return nil, fmt.Errorf("fleet has no tenants")
	}
	return f, nil
}

func (f *Fleet) buildCells(n int) {
	assigned := make([]float64, len(regions))
	for i := 0; i < n; i++ {
		best := 0
		for ri := range regions {
			if regions[ri].share*float64(n)-assigned[ri] > regions[best].share*float64(n)-assigned[best] {
				best = ri
			}
		}
		assigned[best]++
		c := Cell{Name: fmt.Sprintf("cell-%d", i), Index: i, Region: regions[best].name, utcOffset: regions[best].utcOffset}
		for h := 0; h < apiHostsPerCell+workerHostsPerCell; h++ {
			api := h < apiHostsPerCell
			name := fmt.Sprintf("%s-api-%02d", c.Name, h+1)
			if !api {
				name = fmt.Sprintf("%s-wrk-%02d", c.Name, h-apiHostsPerCell+1)
			}
			f.Hosts = append(f.Hosts, Host{Name: name, Cell: i, API: api, local: h})
			if api {
				c.APIHosts = append(c.APIHosts, len(f.Hosts)-1)
			} else {
				c.WorkerHosts = append(c.WorkerHosts, len(f.Hosts)-1)
			}
		}
		f.Cells = append(f.Cells, c)
	}
}

// tenantShares draws heavy-tailed tenant sizes: Pareto, capped so no single
// tenant is more than a few percent of the fleet.
func tenantShares(n int, r *rng) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.Pow(1-r.Float64(), -1/paretoAlpha)
	}
	for iter := 0; iter < 20; iter++ {
		var sum float64
		for _, v := range s {
			sum += v
		}
		capped := false
		for i := range s {
			s[i] /= sum
			if s[i] > maxTenantShare && float64(n) > 1/maxTenantShare {
				s[i] = maxTenantShare
				capped = true
			}
		}
		if !capped {
			break
		}
	}
	return s
}

// placeTenants puts tenants, biggest first, on the least-loaded cell of
// their region; tenant ids are independent of size.
func (f *Fleet) placeTenants(shares []float64, r *rng) {
	order := make([]int, len(shares))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return shares[order[a]] > shares[order[b]] })
	f.Tenants = make([]Tenant, len(shares))
	for _, i := range order {
		cell := f.pickCell(r)
		c := &f.Cells[cell]
		c.Share += shares[i]
		t := &f.Tenants[i]
		*t = Tenant{
			ID: fmt.Sprintf("t-%04d", i), Index: i, Share: shares[i], Cell: cell,
			Shard: fmt.Sprintf("%s-s%d", c.Name, r.Intn(shardsPerCell)), Region: c.Region,
			local: len(c.Tenants),
		}
		c.Tenants = append(c.Tenants, i)
	}
}

func (f *Fleet) pickCell(r *rng) int {
	u, acc := r.Float64(), 0.0
	reg := regions[len(regions)-1].name
	for _, rg := range regions {
		acc += rg.share
		if u < acc {
			reg = rg.name
			break
		}
	}
	best := -1
	for i := range f.Cells {
		if f.Cells[i].Region != reg {
			continue
		}
		if best < 0 || f.Cells[i].Share < f.Cells[best].Share {
			best = i
		}
	}
	if best < 0 { // region without cells in a tiny fleet
		best = 0
		for i := range f.Cells {
			if f.Cells[i].Share < f.Cells[best].Share {
				best = i
			}
		}
	}
	return best
}

func (t *Tenant) configure(r *rng) {
	for i, in := range integrations {
		if r.Chance(in.adoption) {
			t.Integrations = append(t.Integrations, i)
		}
	}
	t.reqShare = 0.55 + 0.3*r.Float64()
	var w []float64
	for i := range jobTypes {
		jt := &jobTypes[i]
		if jt.bulkOnly || (jt.integration != "" && !t.Uses(integrationIndex(jt.integration))) {
			continue
		}
		t.jobKinds = append(t.jobKinds, i)
		w = append(w, jt.weight*r.LogNormal(1, 0.6))
	}
	t.jobs = newAlias(w)
	var sum, work float64
	for k, ji := range t.jobKinds {
		sum += w[k]
		work += w[k] * jobTypes[ji].meanMs() / 1000
	}
	if sum > 0 {
		t.jobMeanSec = work / sum
	}
	n := 1 + r.Intn(3)
	for i := 0; i < n; i++ {
		name := endpointNames[r.Intn(len(endpointNames))]
		dup := false
		for _, e := range t.Endpoints {
			dup = dup || e == name
		}
		if !dup {
			t.Endpoints = append(t.Endpoints, name)
			t.endpointAttrs = append(t.endpointAttrs, map[string]string{"endpoint": name})
		}
	}
}

// TenantByID finds a tenant by its id.
func (f *Fleet) TenantByID(id string) (*Tenant, bool) {
	for i := range f.Tenants {
		if f.Tenants[i].ID == id {
			return &f.Tenants[i], true
		}
	}
	return nil, false
}

// CellByName finds a cell by its name.
func (f *Fleet) CellByName(name string) (*Cell, bool) {
	for i := range f.Cells {
		if f.Cells[i].Name == name {
			return &f.Cells[i], true
		}
	}
	return nil, false
}

// HostByName finds a host by its name.
func (f *Fleet) HostByName(name string) (*Host, bool) {
	for i := range f.Hosts {
		if f.Hosts[i].Name == name {
			return &f.Hosts[i], true
		}
	}
	return nil, false
}

// TenantsBySize returns tenant indexes, biggest first.
func (f *Fleet) TenantsBySize() []int {
	order := make([]int, len(f.Tenants))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return f.Tenants[order[a]].Share > f.Tenants[order[b]].Share })
	return order
}

// HostNames lists every host name.
func (f *Fleet) HostNames() []string {
	names := make([]string, len(f.Hosts))
	for i, h := range f.Hosts {
		names[i] = h.Name
	}
	return names
}

// diurnal is the load multiplier for a cell at unix-nanosecond time ts: a
// daily curve peaking mid-afternoon local time, lighter at weekends.
func (c *Cell) diurnal(ts int64, amplitude float64) float64 {
	hours := float64(ts)/3.6e12 + c.utcOffset
	local := math.Mod(hours, 24)
	if local < 0 {
		local += 24
	}
	f := 1 + amplitude*math.Cos(2*math.Pi*(local-14)/24)
	day := int(math.Floor((hours/24)+4)) % 7 // 1970-01-01 was a Thursday: day 0 = Sunday
	if amplitude > 0 && (day == 0 || day == 6) {
		f *= 0.7
	}
	return f
}
