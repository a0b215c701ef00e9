package alert

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder stands in for Alertmanager's HTTP API in unit tests: it records
// every POST /api/v2/alerts body and answers with the queued statuses
// (200 once the queue is empty); GET /api/v2/alerts returns active.
type recorder struct {
	*httptest.Server
	mu       sync.Mutex
	posts    [][]postableAlert
	raw      [][]byte
	statuses []int
	active   []gettableAlert
	getFails bool
}

func newRecorder(tb testing.TB) *recorder {
	tb.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.Close)
	return r
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case req.Method == http.MethodGet && req.URL.Path == "/api/v2/alerts":
		if r.getFails {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(r.active)
	case req.Method == http.MethodPost && req.URL.Path == "/api/v2/alerts":
		body, _ := io.ReadAll(req.Body)
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		if status == http.StatusOK {
			var alerts []postableAlert
			if err := json.Unmarshal(body, &alerts); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.posts = append(r.posts, alerts)
			r.raw = append(r.raw, body)
		}
		w.WriteHeader(status)
	default:
		http.NotFound(w, req)
	}
}

// take returns the accepted posts since the last take.
func (r *recorder) take() [][]postableAlert {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.posts
	r.posts, r.raw = nil, nil
	return p
}

func (r *recorder) failNext(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = append(r.statuses, statuses...)
}

// flat returns the alerts of posts in order.
func flat(posts [][]postableAlert) []postableAlert {
	var out []postableAlert
	for _, p := range posts {
		out = append(out, p...)
	}
	return out
}

type harness struct {
	n     *Notifier
	am    *recorder
	clock *fakeClock
	reg   *prometheus.Registry
}

// newHarness returns a notifier on a recorder and a fake clock at t0;
// change adjusts the config (URL already set).
func newHarness(tb testing.TB, change func(*Config)) *harness {
	tb.Helper()
	am := newRecorder(tb)
	cfg := Config{URL: am.URL, RunbookBaseURL: "https://runbooks.example/opswarehouse",
		RetryBackoffMin: time.Millisecond, RetryBackoffMax: 5 * time.Millisecond}
	if change != nil {
		change(&cfg)
	}
	clock := &fakeClock{t: t0}
	reg := prometheus.NewRegistry()
	n, err := New(cfg, slog.New(slog.DiscardHandler), reg, WithClock(clock.Now))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return &harness{n: n, am: am, clock: clock, reg: reg}
}

func (h *harness) sync(tb testing.TB, fs ...finding.Finding) {
	tb.Helper()
	if err := h.n.Sync(tb.Context(), fs); err != nil {
		tb.Fatalf("Sync: %v", err)
	}
}

// metric reads the value of the series of metric name with exactly these
// labels ("name=value", in label-name order); 0 when there is none.
func (h *harness) metric(tb testing.TB, name string, labels ...string) float64 {
	tb.Helper()
	families, err := h.reg.Gather()
	if err != nil {
		tb.Fatalf("gather: %v", err)
	}
	want := strings.Join(labels, ",")
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var got []string
			for _, lp := range m.GetLabel() {
				got = append(got, lp.GetName()+"="+lp.GetValue())
			}
			if strings.Join(got, ",") != want {
				continue
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// incident is a finding in a test's story.
func incident(key string, kind finding.Kind, sev finding.Severity, scope finding.Scope, ev ...float64) finding.Finding {
	f := finding.Finding{
		Key: key, Kind: kind, Severity: sev, State: finding.Open, Scope: scope,
		Summary:   "retries of invoice-sync in cell-a tripled",
		FirstSeen: t0.Add(-2 * time.Minute), LastSeen: t0, UpdatedAt: t0,
	}
	for i, v := range ev {
		f.Evidence = append(f.Evidence, finding.Evidence{Name: []string{"rate_now", "rate_baseline", "tenants_now"}[i%3], Value: v})
	}
	return f
}

func resolvedAtTime(f finding.Finding, at time.Time) finding.Finding {
	f.State = finding.Resolved
	f.UpdatedAt = at
	return f
}
