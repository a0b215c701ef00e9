package sim

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// cellGen generates one cell's events. Cells share nothing mutable but the
// scenario tables, and each has its own random stream.
type cellGen struct {
	s    *Simulator
	cell *Cell
	idx  int
	r    *rng
	msg  messageFiller
	ids  arena

	evPrefix  string
	jobPrefix string
	seq       counter
	jobSeq    counter
	ev        event.Event

	tenants alias // over cell.Tenants by share

	// load model: utilisation of the cell's shared capacity
	actPerSec  float64 // activities per simulated second at diurnal 1
	workPerAct float64 // capacity-seconds an average activity uses
	slots      float64 // capacity-seconds per second
	ewma       float64 // smoothed work arriving, capacity-seconds per second
	tickWork   float64
	rho        float64
	queueMul   float64 // queue-time multiplier from utilisation
	durMul     float64 // service-time multiplier from utilisation

	jobs    []job
	free    []int32
	wheel   [][]int32
	spare   []int32
	now     []int32
	tickEnd int64

	tenantFx []*effect // by local tenant
	hostFx   []*effect // by local host (api hosts first)
	cellFx   *effect
	hosts    []hostVersion
	streams  []streamer

	usage     []usage // by local tenant
	dirty     []int32
	nextUsage int64

	ctx     context.Context
	sink    Sink
	labeled LabeledSink
	err     error
	events  uint64
}

type usage struct {
	cpuMs, dbMs float64
	bytes       uint64
}

const (
	wheelBits   = 14
	wheelMask   = 1<<wheelBits - 1
	rhoPeak     = 0.65 // utilisation at the busiest hour of a weekday
	rhoRef      = 0.5  // utilisation at which queue time is its median
	loadTau     = 30.0 // seconds over which utilisation is smoothed
	usageEvery  = int64(time.Minute)
	cancelShare = 0.002
	baseErr5xx  = 0.0008
)

func newCellGen(s *Simulator, i int) *cellGen {
	cell := &s.fleet.Cells[i]
	c := &cellGen{
		s: s, cell: cell, idx: i, r: newRNG(s.cfg.Seed, 100+uint64(i)),
		evPrefix:  s.runID + "-" + strconv.FormatInt(int64(i), 36) + ".",
		jobPrefix: "j-" + s.runID + "-" + strconv.FormatInt(int64(i), 36) + ".",
		wheel:     make([][]int32, 1<<wheelBits),
		tenantFx:  make([]*effect, len(cell.Tenants)),
		hostFx:    make([]*effect, len(cell.APIHosts)+len(cell.WorkerHosts)),
		hosts:     make([]hostVersion, len(cell.APIHosts)+len(cell.WorkerHosts)),
		usage:     make([]usage, len(cell.Tenants)),
		nextUsage: s.start - s.start%usageEvery + usageEvery,
	}
	c.msg.hosts = s.fleet.HostNames()
	for h := range c.hosts {
		s.plan.initHost(&c.hosts[h], i, h)
	}
	w := make([]float64, len(cell.Tenants))
	for k, ti := range cell.Tenants {
		w[k] = s.fleet.Tenants[ti].Share
	}
	c.tenants = newAlias(w)
	c.initLoad()
	return c
}

// initLoad sizes the cell so its busiest weekday hour runs at rhoPeak, and
// starts the smoothed load at its expected value.
func (c *cellGen) initLoad() {
	s := c.s
	c.actPerSec = s.activityRate() * c.cell.Share
	var work, share float64
	for _, ti := range c.cell.Tenants {
		t := &s.fleet.Tenants[ti]
		jobShare := 1 - t.reqShare - s.cfg.ErrorShare
		work += t.Share * (jobShare*t.jobMeanSec + t.reqShare*requestWorkSec)
		share += t.Share
	}
	if share > 0 {
		c.workPerAct = work / share
	}
	c.slots = math.Max(c.actPerSec*(1+s.cfg.Diurnal)*c.workPerAct/rhoPeak, 1e-9)
	c.ewma = c.baseWork(s.start)
	c.setUtilisation()
}

// requestWorkSec is the capacity an average request uses.
const requestWorkSec = 0.015

// baseWork is the expected work arriving at ts without incidents.
func (c *cellGen) baseWork(ts int64) float64 {
	return c.actPerSec * c.cell.diurnal(ts, c.s.cfg.Diurnal) * c.workPerAct
}

func (c *cellGen) setUtilisation() {
	c.rho = math.Min(c.ewma/c.slots, 0.98)
	c.queueMul = (1 - rhoRef) / (1 - c.rho)
	c.durMul = math.Pow(c.queueMul, 0.35)
}

func (c *cellGen) updateLoad() {
	instant := c.tickWork / (float64(tick) / 1e9)
	c.ewma += (instant - c.ewma) * (float64(tick) / 1e9 / loadTau)
	c.tickWork = 0
	c.setUtilisation()
}

func (c *cellGen) tick(t0, t1 int64) {
	c.tickEnd = t1
	c.updateLoad()
	c.processDue(t0, t1)
	n := c.r.Poisson(c.actPerSec * c.cell.diurnal(t0, c.s.cfg.Diurnal) * float64(t1-t0) / 1e9)
	span := int(t1 - t0)
	for i := 0; i < n; i++ {
		c.activity(t0+int64(c.r.Intn(span)), c.tenants.Sample(c.r))
	}
	for _, st := range c.streams {
		st.generate(c, t0, t1)
	}
	c.drainNow()
	if t1 >= c.nextUsage {
		c.flushUsage(c.nextUsage)
		c.nextUsage += usageEvery
	}
}

// activity is one unit of a tenant's baseline behaviour.
func (c *cellGen) activity(ts int64, local int) {
	t := &c.s.fleet.Tenants[c.cell.Tenants[local]]
	u := c.r.Float64()
	switch {
	case u < t.reqShare:
		c.request(ts, t, c.s.routeAlias.Sample(c.r), nil, -1, 0)
	case u < t.reqShare+c.s.cfg.ErrorShare:
		c.backgroundError(ts, t)
	default:
		jt := t.jobKinds[t.jobs.Sample(c.r)]
		c.enqueue(ts, t, jt, -1, nil)
	}
}

// begin resets the reused event with the fields every event has.
func (c *cellGen) begin(ts int64, t *Tenant) *event.Event {
	ev := &c.ev
	*ev = event.Event{} // cleared in place: a composite literal would be built and copied
	ev.V, ev.ID, ev.Time = event.Version, c.ids.nextID(c.evPrefix, &c.seq), time.Unix(0, ts).UTC()
	ev.Tenant, ev.Cell, ev.Shard = t.ID, c.cell.Name, t.Shard
	return ev
}

func (c *cellGen) send(tmpl, scenario int) {
	if c.err != nil {
		return
	}
	c.events++
	if c.labeled != nil {
		c.err = c.labeled.EmitLabeled(c.ctx, &c.ev, Label{Template: tmpl, Scenario: scenario})
		return
	}
	c.err = c.sink.Emit(c.ctx, &c.ev)
}

func (c *cellGen) setError(t *Template, ts int64) {
	c.ev.ErrorClass = t.Class
	c.ev.ErrorMessage = c.msg.fill(t, c.r, ts)
}

func (c *cellGen) version(h int, ts int64) (string, *effect) {
	return c.s.plan.at(&c.hosts[h], c.idx, h, ts)
}

func (c *cellGen) apiHost() int { return c.r.Intn(len(c.cell.APIHosts)) }

func (c *cellGen) workerHost() int { return len(c.cell.APIHosts) + c.r.Intn(len(c.cell.WorkerHosts)) }

func (c *cellGen) hostName(h int) string {
	if h < len(c.cell.APIHosts) {
		return c.s.fleet.Hosts[c.cell.APIHosts[h]].Name
	}
	return c.s.fleet.Hosts[c.cell.WorkerHosts[h-len(c.cell.APIHosts)]].Name
}

var (
	clientStatuses = []uint16{400, 401, 403, 404, 404, 404, 409, 422, 429}
	serverStatuses = []uint16{500, 500, 500, 502, 503, 504}
)

// request emits one API request. attrs and sc come from a scenario stream.
// A non-zero status forces the response (a flood's rate-limited calls).
func (c *cellGen) request(ts int64, t *Tenant, ri int, attrs map[string]string, sc int, status uint16) {
	rt := &routes[ri]
	h := c.apiHost()
	ver, vfx := c.version(h, ts)
	ev := c.begin(ts, t)
	ev.Kind, ev.Service, ev.Host, ev.Version, ev.Route = event.KindRequest, svcAPI, c.hostName(h), ver, rt.name
	ev.Attrs = attrs
	lat := c.r.LogNormal(rt.medianMs*c.durMul, rt.sigma)
	ev.Status = 200
	if strings.HasPrefix(rt.name, "POST ") {
		ev.Status = 201
	}
	tmpl := -1
	u := c.r.Float64()
	switch {
	case status != 0:
		ev.Status = status
	case vfx != nil && vfx.reqErrRate > 0 && c.r.Chance(vfx.reqErrRate):
		tp := vfx.pick(c.r)
		ev.Status, tmpl, sc = 500, tp.ID, vfx.sc.idx
		vfx.sc.affect(t.Index)
		c.setError(tp, ts)
	case u < rt.clientErr:
		ev.Status = clientStatuses[c.r.Intn(len(clientStatuses))]
	case u < rt.clientErr+baseErr5xx:
		tp := c.s.lib.all[c.s.requestPool.pick(c.r)]
		ev.Status, tmpl = serverStatuses[c.r.Intn(len(serverStatuses))], tp.ID
		c.setError(tp, ts)
	}
	ev.DurationMs = round2(lat)
	ev.CPUMs = round2(lat * (0.1 + 0.2*c.r.Float64()))
	ev.DBMs = round2(lat * (0.2 + 0.4*c.r.Float64()))
	ev.Bytes = uint64(c.r.LogNormal(rt.bytes, 0.8))
	c.tickWork += requestWorkSec
	c.addUsage(t, ev.CPUMs, ev.DBMs, ev.Bytes)
	c.send(tmpl, sc)
}

// backgroundError emits an error outside any request or job.
func (c *cellGen) backgroundError(ts int64, t *Tenant) {
	si := c.s.bgServices.Sample(c.r)
	svc := &backgroundServices[si]
	h := c.workerHost()
	if svc.api {
		h = c.apiHost()
	}
	ver, _ := c.version(h, ts)
	tp := c.s.lib.all[c.s.servicePools[si].pick(c.r)]
	ev := c.begin(ts, t)
	ev.Kind, ev.Service, ev.Host, ev.Version = event.KindError, svc.name, c.hostName(h), ver
	c.setError(tp, ts)
	c.send(tp.ID, -1)
}

func (c *cellGen) addUsage(t *Tenant, cpu, db float64, bytes uint64) {
	u := &c.usage[t.local]
	if u.cpuMs == 0 && u.dbMs == 0 && u.bytes == 0 {
		c.dirty = append(c.dirty, int32(t.local))
	}
	u.cpuMs += cpu
	u.dbMs += db
	u.bytes += bytes
}

// flushUsage emits one resource sample per tenant active in the last minute.
func (c *cellGen) flushUsage(ts int64) {
	for _, local := range c.dirty {
		u := &c.usage[local]
		t := &c.s.fleet.Tenants[c.cell.Tenants[local]]
		ev := c.begin(ts, t)
		ev.Kind, ev.Service = event.KindResource, svcMetering
		ev.DurationMs = float64(usageEvery / 1e6)
		ev.CPUMs, ev.DBMs, ev.Bytes = round2(u.cpuMs), round2(u.dbMs), u.bytes
		*u = usage{}
		c.send(-1, -1)
	}
	c.dirty = c.dirty[:0]
}

// round2 rounds a non-negative value to hundredths.
func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }
