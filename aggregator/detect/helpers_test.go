package detect_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

// now is the evaluation time of every test: a whole minute.
var now = time.Date(2026, 3, 3, 15, 0, 0, 0, time.UTC)

// gen builds a small fleet's events by hand: tenants t-00..t-NN spread over
// cells, each with steady requests, jobs and background errors, so the
// baseline is quiet and an injected incident is the only anomaly.
type gen struct {
	rows []store.Row
	r    *rand.Rand
	fp   *fingerprint.Fingerprinter
	seq  int
	// slow multiplies the queue time of background jobs (a contended cell).
	slow func(tenant int, ts time.Time) float64
}

const (
	tenants = 24
	cells   = 3
)

func newGen() *gen {
	return &gen{r: rand.New(rand.NewPCG(1, 2)), fp: fingerprint.New(fingerprint.Config{})}
}

func tenantID(i int) string { return fmt.Sprintf("t-%02d", i) }
func cellOf(i int) string   { return fmt.Sprintf("cell-%d", i%cells) }
func shardOf(i int) string  { return fmt.Sprintf("%s-s%d", cellOf(i), (i/cells)%2) }

// host returns one of a cell's worker hosts.
func host(cell string, h int) string { return fmt.Sprintf("%s-wrk-%02d", cell, h) }

func (g *gen) add(e event.Event) {
	g.seq++
	e.V, e.ID = 1, fmt.Sprintf("e%d", g.seq)
	if e.Version == "" {
		e.Version = "v1.0.0"
	}
	r := store.Row{Event: e, IngestedAt: e.Time, Source: store.Source{Topic: "test", Offset: int64(g.seq), BatchEnd: int64(g.seq)}}
	if e.ErrorMessage != "" {
		r.Fingerprint, r.Template = g.fp.Fingerprint(e.ErrorMessage)
	}
	g.rows = append(g.rows, r)
}

// at is a random time inside the minute starting at m.
func (g *gen) at(m time.Time) time.Time {
	return m.Add(time.Duration(g.r.IntN(59_000)) * time.Millisecond)
}

func (g *gen) base(i int) event.Event {
	return event.Event{Tenant: tenantID(i), Cell: cellOf(i), Shard: shardOf(i)}
}

// request emits one API request.
func (g *gen) request(ts time.Time, i int, status uint16, durMs float64) {
	e := g.base(i)
	e.Time, e.Kind, e.Service, e.Host, e.Route, e.Status, e.DurationMs = ts, event.KindRequest, "api", cellOf(i)+"-api-01", "GET /v1/x", status, durMs
	g.add(e)
}

// jobSpec shapes one job.
type jobSpec struct {
	jobType, integration, endpoint string
	host                           string
	queueMs, runMs                 float64
	runsMs                         []float64 // run time by attempt, overriding runMs
	failMsg                        string    // every attempt fails with it
	attempts                       int       // attempts made (1 = no retry)
	retryGap                       time.Duration
	retryGrowth                    float64 // each gap over the one before (0: constant)
	dead                           bool    // the last attempt is the last allowed
	stuck                          bool    // the last attempt never ends
}

// job emits a job's lifecycle starting at ts.
func (g *gen) job(ts time.Time, i int, s jobSpec) {
	id := fmt.Sprintf("j%d", g.seq)
	if s.attempts == 0 {
		s.attempts = 1
	}
	if s.host == "" {
		s.host = host(cellOf(i), g.r.IntN(3))
	}
	ev := func(t time.Time, kind event.Kind, st event.State, attempt int) event.Event {
		e := g.base(i)
		e.Time, e.Kind, e.State, e.Attempt = t, kind, st, uint16(attempt)
		e.Service, e.JobID, e.JobType, e.Integration, e.Queue = "worker", id, s.jobType, s.integration, s.jobType
		if s.endpoint != "" {
			e.Attrs = map[string]string{"endpoint": s.endpoint}
		}
		return e
	}
	g.add(ev(ts, event.KindJobState, event.StateQueued, 1))
	if g.slow != nil {
		s.queueMs *= g.slow(i, ts)
	}
	t := ts
	for a := 1; a <= s.attempts; a++ {
		t = t.Add(time.Duration(s.queueMs) * time.Millisecond)
		run := ev(t, event.KindJobState, event.StateRunning, a)
		run.Host, run.QueueMs = s.host, s.queueMs
		g.add(run)
		if s.stuck && a == s.attempts {
			return
		}
		runMs := s.runMs
		if a <= len(s.runsMs) {
			runMs = s.runsMs[a-1]
		}
		t = t.Add(time.Duration(runMs) * time.Millisecond)
		end := ev(t, event.KindJobState, event.StateSucceeded, a)
		end.Host, end.DurationMs, end.CPUMs = s.host, runMs, runMs/2
		if s.failMsg != "" {
			end.State, end.ErrorClass, end.ErrorMessage = event.StateFailed, "Error", s.failMsg
			if a == s.attempts && s.dead {
				end.State = event.StateDead
			}
		}
		g.add(end)
		if s.failMsg != "" && a < s.attempts {
			g.add(ev(t, event.KindJobRetry, "", a+1))
			t = t.Add(s.retryGap)
			if s.retryGrowth > 0 {
				s.retryGap = time.Duration(float64(s.retryGap) * s.retryGrowth)
			}
		}
	}
}

// errorEvent emits an error outside jobs and requests.
func (g *gen) errorEvent(ts time.Time, i int, hostName, version, msg string) {
	e := g.base(i)
	e.Time, e.Kind, e.Service, e.Host, e.Version, e.ErrorClass, e.ErrorMessage = ts, event.KindError, "worker", hostName, version, "Error", msg
	g.add(e)
}

// background is the quiet fleet from `from` to now: per tenant and minute
// a few requests and jobs (webhooks to two endpoints among them), and
// background errors from a pool of messages at steady low rates.
func (g *gen) background(from time.Time) {
	msgs := []string{"connection reset by peer talking to db-1", "cache miss storm on key group 7", "upstream timed out after 30s"}
	for m := from; m.Before(now); m = m.Add(time.Minute) {
		for i := 0; i < tenants; i++ {
			for k := 0; k < 4+i%3; k++ {
				g.request(g.at(m), i, 200, 20+float64(g.r.IntN(20)))
			}
			for k := 0; k < 2; k++ {
				g.job(g.at(m), i, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 50 + float64(g.r.IntN(30)), runMs: 150 + float64(g.r.IntN(100))})
			}
			g.job(g.at(m), i, jobSpec{jobType: "webhook.deliver", endpoint: []string{"orders", "crm"}[g.r.IntN(2)],
				queueMs: 50 + float64(g.r.IntN(30)), runMs: 250 + float64(g.r.IntN(150))})
			if g.r.IntN(4) == 0 {
				g.errorEvent(g.at(m), i, host(cellOf(i), g.r.IntN(3)), "v1.0.0", msgs[g.r.IntN(len(msgs))])
			}
		}
	}
}

// load writes the rows into a fresh database with the warehouse schema.
func (g *gen) load(tb testing.TB) *testenv.CH {
	tb.Helper()
	ch := testenv.ClickHouse(tb)
	ctx := context.Background()
	if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		tb.Fatal(err)
	}
	if err := store.NewWriter(ch.Conn).WriteRows(ctx, g.rows); err != nil {
		tb.Fatal(err)
	}
	return ch
}
