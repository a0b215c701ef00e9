package sim

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// MemStore is a Sink that keeps a compact copy of every event and answers
// Observations from memory: the signature checks' in-process backend. Each
// event costs about 100 bytes; it is meant for runs of a few million events.
type MemStore struct {
	mu     sync.Mutex
	rows   []memRow
	strs   []string
	ids    map[string]uint32
	msgs   []string // error messages, by row's msg index
	labels []Label
}

type memRow struct {
	ts                             int64
	queueMs, durMs                 float32
	tenant, cell, host, version    uint32
	service, route, jobType, integ uint32
	endpoint, errClass, jobID      uint32
	msg                            int32
	attempt, status                uint16
	kind                           event.Kind
	state                          event.State
	isErr                          bool
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{ids: map[string]uint32{"": 0}, strs: []string{""}}
}

func (m *MemStore) intern(s string) uint32 {
	if id, ok := m.ids[s]; ok {
		return id
	}
	id := uint32(len(m.strs))
	m.strs = append(m.strs, s)
	m.ids[s] = id
	return id
}

// Emit stores ev.
func (m *MemStore) Emit(ctx context.Context, ev *event.Event) error {
	return m.EmitLabeled(ctx, ev, Label{Template: -1, Scenario: -1})
}

// EmitLabeled stores ev with its ground-truth label.
func (m *MemStore) EmitLabeled(_ context.Context, ev *event.Event, l Label) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := memRow{
		ts: ev.Time.UnixNano(), queueMs: float32(ev.QueueMs), durMs: float32(ev.DurationMs),
		tenant: m.intern(ev.Tenant), cell: m.intern(ev.Cell), host: m.intern(ev.Host),
		version: m.intern(ev.Version), service: m.intern(ev.Service), route: m.intern(ev.Route),
		jobType: m.intern(ev.JobType), integ: m.intern(ev.Integration), endpoint: m.intern(ev.Attrs["endpoint"]),
		errClass: m.intern(ev.ErrorClass), msg: -1, attempt: ev.Attempt, status: ev.Status,
		kind: ev.Kind, state: ev.State, isErr: ev.IsError(),
	}
	if ev.JobID != "" {
		r.jobID = m.intern(ev.JobID)
	}
	if ev.ErrorMessage != "" {
		r.msg = int32(len(m.msgs))
		m.msgs = append(m.msgs, ev.ErrorMessage)
	}
	m.rows = append(m.rows, r)
	m.labels = append(m.labels, l)
	return nil
}

// Len is the number of stored events.
func (m *MemStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}

// compiled is a Filter with its strings turned into interned ids; a string
// the store never saw matches nothing.
type compiled struct {
	f        Filter
	from, to int64
	ids      [11]uint32
	want     [11]bool
	never    bool
}

const (
	idxTenant = iota
	idxNotTenant
	idxCell
	idxNotCell
	idxHost
	idxVersion
	idxService
	idxRoute
	idxJobType
	idxEndpoint
	idxInteg
)

func (m *MemStore) compile(f Filter) compiled {
	c := compiled{f: f, from: math.MinInt64, to: math.MaxInt64}
	if !f.From.IsZero() {
		c.from = f.From.UnixNano()
	}
	if !f.To.IsZero() {
		c.to = f.To.UnixNano()
	}
	for i, s := range [...]string{f.Tenant, f.NotTenant, f.Cell, f.NotCell, f.Host, f.Version, f.Service, f.Route, f.JobType, f.Endpoint, f.Integration} {
		if s == "" {
			continue
		}
		id, ok := m.ids[s]
		c.ids[i], c.want[i] = id, true
		if !ok && i != idxNotTenant && i != idxNotCell {
			c.never = true
		}
		if !ok {
			c.want[i] = false // a never-seen exclusion excludes nothing
		}
	}
	return c
}

func (m *MemStore) match(c *compiled, r *memRow) bool {
	if r.ts < c.from || r.ts >= c.to {
		return false
	}
	fields := [...]uint32{r.tenant, r.tenant, r.cell, r.cell, r.host, r.version, r.service, r.route, r.jobType, r.endpoint, r.integ}
	for i, want := range c.want {
		if !want {
			continue
		}
		eq := fields[i] == c.ids[i]
		if (i == idxNotTenant || i == idxNotCell) == eq {
			return false
		}
	}
	f := &c.f
	switch {
	case f.Kind != "" && r.kind != f.Kind,
		f.State != "" && r.state != f.State,
		f.Status != 0 && r.status != f.Status,
		f.ErrorsOnly && !r.isErr,
		f.MinAttempt != 0 && r.attempt < f.MinAttempt,
		f.ErrorClass != "" && m.strs[r.errClass] != f.ErrorClass:
		return false
	}
	if f.MessagePrefix != "" && (r.msg < 0 || !strings.HasPrefix(m.msgs[r.msg], f.MessagePrefix)) {
		return false
	}
	return true
}

func (m *MemStore) scan(f Filter, fn func(r *memRow)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.compile(f)
	if c.never {
		return
	}
	for i := range m.rows {
		if m.match(&c, &m.rows[i]) {
			fn(&m.rows[i])
		}
	}
}

// Count implements Observations.
func (m *MemStore) Count(_ context.Context, f Filter, by Dim) (map[string]int64, error) {
	out := map[string]int64{}
	m.scan(f, func(r *memRow) {
		var key string
		switch by {
		case DimTenant:
			key = m.strs[r.tenant]
		case DimCell:
			key = m.strs[r.cell]
		case DimHost:
			key = m.strs[r.host]
		case DimVersion:
			key = m.strs[r.version]
		case DimMinute:
			key = strconv.FormatInt(r.ts/int64(time.Minute)*60, 10)
		}
		out[key]++
	})
	return out, nil
}

// Quantile implements Observations.
func (m *MemStore) Quantile(_ context.Context, f Filter, field Field, q float64) (float64, error) {
	var vals []float64
	m.scan(f, func(r *memRow) {
		if field == FieldQueueMs {
			vals = append(vals, float64(r.queueMs))
		} else {
			vals = append(vals, float64(r.durMs))
		}
	})
	if len(vals) == 0 {
		return math.NaN(), nil
	}
	slices.Sort(vals)
	return vals[min(int(q*float64(len(vals))), len(vals)-1)], nil
}

// StuckJobs implements Observations. The filter applies to the job's latest
// event (so Host is where it hung).
func (m *MemStore) StuckJobs(_ context.Context, f Filter, at time.Time, olderThan time.Duration) (map[string]int64, error) {
	type last struct {
		ts  int64
		row int
	}
	latest := map[uint32]last{}
	cut := at.UnixNano()
	m.mu.Lock()
	for i := range m.rows {
		r := &m.rows[i]
		if r.jobID == 0 || r.ts > cut || r.kind != event.KindJobState {
			continue
		}
		if l, ok := latest[r.jobID]; !ok || r.ts >= l.ts {
			latest[r.jobID] = last{r.ts, i}
		}
	}
	f.From, f.To = time.Time{}, time.Time{}
	c := m.compile(f)
	out := map[string]int64{}
	for _, l := range latest {
		r := &m.rows[l.row]
		if r.state == event.StateRunning && cut-r.ts >= int64(olderThan) && !c.never && m.match(&c, r) {
			out[m.strs[r.tenant]]++
		}
	}
	m.mu.Unlock()
	return out, nil
}

// Labels returns each stored event's label, in storage order.
func (m *MemStore) Labels() []Label {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.labels)
}
