package alert

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

// The acceptance test: three incidents at once — two of them of the same
// kind — go through their whole life against a real Alertmanager running
// docs/alertmanager.example.yml. Each is exactly one alert group (and one
// webhook group) from the first post through re-syncs with changing
// evidence and an escalation, and each is resolved once it ends.
func TestAlertmanagerOneGroupPerIncident(t *testing.T) {
	hook := newWebhook(t)
	am := testenv.StartAlertmanager(t, exampleConfig(t, hook.URL))
	status := amStatus(t, am)
	if !strings.HasPrefix(status.VersionInfo.Version, "0.") || !strings.Contains(status.Config.Original, "finding_key") {
		t.Fatalf("alertmanager status: version %q, config:\n%s", status.VersionInfo.Version, status.Config.Original)
	}
	t.Logf("alertmanager %s", status.VersionInfo.Version)

	// The notifier's clock starts five resend intervals behind the wall
	// clock and catches up one interval per step, so every step is a resend
	// without the test waiting for one. It never runs ahead: Alertmanager
	// judges endsAt by its own clock, and a resolve must end in its past.
	// Expiry covers the lag, so open alerts stay active.
	const resend = time.Minute
	var behind atomic.Int64
	behind.Store(int64(5 * resend))
	clock := func() time.Time { return time.Now().Add(-time.Duration(behind.Load())) }
	reg := prometheus.NewRegistry()
	n, err := New(Config{URL: am, RunbookBaseURL: "https://runbooks.example/opswarehouse",
		ResendInterval: resend, Expiry: 10 * resend}, slog.New(slog.DiscardHandler), reg, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{n: n, reg: reg}

	began := time.Now().Add(-10 * resend)
	victims := make([]string, 30)
	for i := range victims {
		victims[i] = fmt.Sprintf("t-%d", i)
	}
	incidents := []finding.Finding{
		{Key: "retry_storm/cell-a/invoice-sync", Kind: finding.RetryStorm, Severity: finding.Warning,
			Scope: finding.Scope{Cell: "cell-a", JobType: "invoice-sync", Tenants: victims[:2]}},
		{Key: "failure_pattern.localized/cell-b/2.3.1", Kind: finding.Localized, Severity: finding.Warning,
			Scope: finding.Scope{Cell: "cell-b", Version: "2.3.1", Fingerprint: 0x5eed, Template: "upstream <*> timed out"}},
		{Key: "failure_pattern.localized/cell-c/2.3.1", Kind: finding.Localized, Severity: finding.Warning,
			Scope: finding.Scope{Cell: "cell-c", Version: "2.3.1", Tenants: victims}},
	}
	evaluate := func(step int) []finding.Finding {
		now := time.Now()
		out := slices.Clone(incidents)
		for i := range out {
			out[i].State = finding.Open
			out[i].FirstSeen, out[i].LastSeen, out[i].UpdatedAt = began, now, now
			out[i].Summary = fmt.Sprintf("%s: error rate up (evaluation %d)", out[i].Kind, step)
			out[i].Evidence = []finding.Evidence{{Name: "rate_now", Value: float64(10 * (step + 1))}, {Name: "tenants_now", Value: float64(step + i)}}
		}
		return out
	}
	want := map[string]finding.Severity{}
	for _, f := range incidents {
		want[f.Key] = finding.Warning
	}

	// Opened, then re-synced three times (each a resend) with new evidence.
	var firstFingerprints map[string]string
	for step := range 4 {
		h.sync(t, evaluate(step)...)
		got := expectGroups(t, am, want)
		if step == 0 {
			firstFingerprints = got
		} else if !maps.Equal(got, firstFingerprints) {
			t.Fatalf("step %d: an alert's identity changed with its evidence: %v, first %v", step, got, firstFingerprints)
		}
		// A sync within the resend interval posts nothing.
		before := h.metric(t, "opswarehouse_alert_posts_total", "result=ok")
		h.sync(t, evaluate(step)...)
		if after := h.metric(t, "opswarehouse_alert_posts_total", "result=ok"); after != before {
			t.Fatalf("step %d: a sync within the resend interval posted", step)
		}
		behind.Add(-int64(resend))
	}

	// Two incidents escalate: still one group each, holding one alert.
	escalated := evaluate(4)
	for _, i := range []int{0, 2} {
		escalated[i].Severity = finding.Critical
		incidents[i].Severity = finding.Critical
		want[escalated[i].Key] = finding.Critical
	}
	h.sync(t, escalated...)
	expectGroups(t, am, want)

	// The notifier restarts. The new one reads what Alertmanager holds, so
	// the same evaluation posts nothing and counts no transition.
	reg2 := prometheus.NewRegistry()
	n2, err := New(n.cfg, slog.New(slog.DiscardHandler), reg2, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	h2 := &harness{n: n2, reg: reg2}
	h2.sync(t, escalated...)
	if posts := h2.metric(t, "opswarehouse_alert_posts_total", "result=ok"); posts != 0 {
		t.Fatalf("restarted notifier re-posted what Alertmanager holds (%v posts)", posts)
	}
	expectGroups(t, am, want)

	// The first incident ends; the others go on.
	ended := evaluate(5)
	ended[0] = resolvedAtTime(ended[0], time.Now())
	delete(want, ended[0].Key)
	h2.sync(t, ended...)
	expectGroups(t, am, want)
	if active := amAlerts(t, am, LabelFindingKey+`="`+ended[0].Key+`"`); len(active) != 0 {
		t.Fatalf("resolved incident still active: %+v", active)
	}

	// The others end; the first is reported again (and not posted again).
	final := evaluate(6)
	for i := range final {
		final[i] = resolvedAtTime(final[i], time.Now())
	}
	clear(want)
	h2.sync(t, final...)
	expectGroups(t, am, want)
	if active := amAlerts(t, am); len(active) != 0 {
		t.Fatalf("active alerts after every incident ended: %+v", active)
	}

	// Before the restart: 3 opened, 3×3 resends, then 3 at the escalation
	// (two escalated, one resend due), and 2 superseded severities resolved.
	// After it: 3 ends, and nothing else.
	for _, c := range []struct {
		h      *harness
		metric string
		labels []string
		want   float64
	}{
		{h, "opswarehouse_findings_total", []string{"transition=opened"}, 3},
		{h, "opswarehouse_findings_total", []string{"transition=escalated"}, 2},
		{h, "opswarehouse_alert_alerts_total", []string{"status=firing"}, 15},
		{h, "opswarehouse_alert_alerts_total", []string{"status=resolved"}, 2},
		{h2, "opswarehouse_findings_total", []string{"transition=opened"}, 0},
		{h2, "opswarehouse_findings_total", []string{"transition=resolved"}, 3},
		{h2, "opswarehouse_alert_alerts_total", []string{"status=firing"}, 0},
		{h2, "opswarehouse_alert_alerts_total", []string{"status=resolved"}, 3},
	} {
		var got float64
		if c.metric == "opswarehouse_findings_total" {
			for _, kind := range []string{"retry_storm", "failure_pattern.localized"} {
				got += c.h.metric(t, c.metric, append([]string{"kind=" + kind}, c.labels...)...)
			}
		} else {
			got = c.h.metric(t, c.metric, c.labels...)
		}
		if got != c.want {
			t.Errorf("%s{%s} (notifier %s) = %v, want %v", c.metric, c.labels[0], whichOf(c.h, h), got, c.want)
		}
	}

	hook.expectOneGroupPerIncident(t, incidents)
}

func whichOf(got, first *harness) string {
	if got == first {
		return "before the restart"
	}
	return "after the restart"
}

// The shared Alertmanager (scripts/services.sh) answers its status and
// holds an incident as one group until it ends, whatever else other tests
// have sent it: the test's queries filter on its own finding key.
func TestSharedAlertmanagerIncident(t *testing.T) {
	am := testenv.Alertmanager(t)
	if status := amStatus(t, am); status.VersionInfo.Version == "" {
		t.Fatalf("no version in /api/v2/status: %+v", status)
	}
	reg := prometheus.NewRegistry()
	n, err := New(Config{URL: am}, slog.New(slog.DiscardHandler), reg)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{n: n, reg: reg}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	f := finding.Finding{Key: "stuck_jobs/cell-z/" + hex.EncodeToString(suffix[:]), Kind: finding.StuckJobs,
		Severity: finding.Warning, State: finding.Open, Scope: finding.Scope{Cell: "cell-z", JobType: "export"},
		Summary: "exports stuck", FirstSeen: time.Now().Add(-time.Minute), UpdatedAt: time.Now()}
	filter := LabelFindingKey + `="` + f.Key + `"`

	h.sync(t, f)
	expectFilteredGroup(t, am, filter, "warning")
	f.Severity = finding.Critical
	h.sync(t, f)
	expectFilteredGroup(t, am, filter, "critical")
	h.sync(t, resolvedAtTime(f, time.Now()))
	expectFilteredGroup(t, am, filter, "")
	if active := amAlerts(t, am, filter); len(active) != 0 {
		t.Fatalf("resolved incident still active: %+v", active)
	}
}

// exampleConfig is docs/alertmanager.example.yml with its webhook pointed
// at the test and its group timings cut to fit a test.
func exampleConfig(tb testing.TB, webhookURL string) string {
	tb.Helper()
	path := filepath.Join(testenv.RepoRoot(tb), "docs", "alertmanager.example.yml")
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := string(raw)
	for _, r := range [][2]string{
		{"url: http://127.0.0.1:9095/opswarehouse", "url: " + webhookURL},
		{"group_wait: 30s", "group_wait: 100ms"},
		{"group_interval: 5m", "group_interval: 1s"},
	} {
		if strings.Count(cfg, r[0]) != 1 {
			tb.Fatalf("%s no longer contains %q exactly once; update exampleConfig", path, r[0])
		}
		cfg = strings.Replace(cfg, r[0], r[1], 1)
	}
	return cfg
}

type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Fingerprint string            `json:"fingerprint"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

type amGroup struct {
	Labels   map[string]string `json:"labels"`
	Receiver struct {
		Name string `json:"name"`
	} `json:"receiver"`
	Alerts []amAlert `json:"alerts"`
}

type amStatusReply struct {
	VersionInfo struct {
		Version string `json:"version"`
	} `json:"versionInfo"`
	Config struct {
		Original string `json:"original"`
	} `json:"config"`
}

func amGet(tb testing.TB, base, path string, q url.Values, into any) {
	tb.Helper()
	u := base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := http.Get(u)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %s: %s", u, resp.Status, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		tb.Fatalf("GET %s: decoding %s: %v", u, body, err)
	}
}

func amStatus(tb testing.TB, base string) amStatusReply {
	var s amStatusReply
	amGet(tb, base, "/api/v2/status", nil, &s)
	return s
}

func amGroups(tb testing.TB, base string, filters ...string) []amGroup {
	var gs []amGroup
	amGet(tb, base, "/api/v2/alerts/groups", url.Values{"filter": filters}, &gs)
	return gs
}

// amAlerts returns the active alerts; Alertmanager never lists resolved ones.
func amAlerts(tb testing.TB, base string, filters ...string) []amAlert {
	var as []amAlert
	amGet(tb, base, "/api/v2/alerts", url.Values{"filter": filters}, &as)
	return as
}

// expectGroups waits until Alertmanager's groups are exactly one per
// wanted finding key, each grouped by alertname and finding_key, routed to
// the opswarehouse receiver and holding one active alert of the wanted
// severity; it returns each key's alert fingerprint.
func expectGroups(tb testing.TB, base string, want map[string]finding.Severity) map[string]string {
	tb.Helper()
	var problem string
	deadline := time.Now().Add(10 * time.Second)
	for {
		var fps map[string]string
		fps, problem = checkGroups(amGroups(tb, base), want)
		if problem == "" {
			return fps
		}
		if time.Now().After(deadline) {
			tb.Fatalf("alert groups: %s", problem)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func checkGroups(groups []amGroup, want map[string]finding.Severity) (map[string]string, string) {
	if len(groups) != len(want) {
		return nil, fmt.Sprintf("%d groups, want %d: %+v", len(groups), len(want), groups)
	}
	fps := map[string]string{}
	for _, g := range groups {
		key := g.Labels[LabelFindingKey]
		sev, ok := want[key]
		switch {
		case !ok || len(g.Labels) != 2 || g.Labels[LabelAlertName] == "":
			return nil, fmt.Sprintf("unexpected group labels %v", g.Labels)
		case g.Receiver.Name != "opswarehouse":
			return nil, fmt.Sprintf("group %s routed to %q", key, g.Receiver.Name)
		case len(g.Alerts) != 1:
			return nil, fmt.Sprintf("group %s holds %d alerts, want 1: %+v", key, len(g.Alerts), g.Alerts)
		case g.Alerts[0].Labels[LabelSeverity] != string(sev) || g.Alerts[0].Status.State != "active":
			return nil, fmt.Sprintf("group %s: alert %v is %s, want %s and active", key, g.Alerts[0].Labels, g.Alerts[0].Status.State, sev)
		}
		if _, dup := fps[key]; dup {
			return nil, fmt.Sprintf("two groups for %s", key)
		}
		fps[key] = g.Alerts[0].Fingerprint
	}
	return fps, ""
}

// expectFilteredGroup waits until the groups holding filter's alerts are
// one with one alert of severity sev, or none when sev is empty.
func expectFilteredGroup(tb testing.TB, base, filter, sev string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		gs := amGroups(tb, base, filter)
		ok := len(gs) == 0 && sev == ""
		if len(gs) == 1 && len(gs[0].Alerts) == 1 {
			ok = gs[0].Alerts[0].Labels[LabelSeverity] == sev
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("groups for %s: %+v, want one alert of severity %q", filter, gs, sev)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// webhook records Alertmanager's notifications.
type webhook struct {
	*httptest.Server
	mu    sync.Mutex
	notes []notification
}

type notification struct {
	Status      string            `json:"status"`
	GroupKey    string            `json:"groupKey"`
	GroupLabels map[string]string `json:"groupLabels"`
	Alerts      []struct {
		Status string            `json:"status"`
		Labels map[string]string `json:"labels"`
	} `json:"alerts"`
}

func newWebhook(tb testing.TB) *webhook {
	w := &webhook{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var n notification
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			tb.Errorf("webhook: decoding a notification: %v", err)
		}
		w.mu.Lock()
		w.notes = append(w.notes, n)
		w.mu.Unlock()
	}))
	tb.Cleanup(w.Close)
	return w
}

// expectOneGroupPerIncident waits until every incident's group notified
// its resolution, then checks that the notifications form exactly one
// group per incident, each about that incident alone, and few of them.
func (w *webhook) expectOneGroupPerIncident(tb testing.TB, incidents []finding.Finding) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		byKey, problem := w.groupsByKey(incidents)
		if problem == "" {
			for key, notes := range byKey {
				tb.Logf("webhook: %s: %d notifications, the last %s", key, len(notes), notes[len(notes)-1].Status)
			}
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("webhook notifications: %s", problem)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (w *webhook) groupsByKey(incidents []finding.Finding) (map[string][]notification, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	byKey := map[string][]notification{}
	groupKeys := map[string]string{}
	for _, n := range w.notes {
		key := n.GroupLabels[LabelFindingKey]
		for _, a := range n.Alerts {
			if a.Labels[LabelFindingKey] != key {
				return nil, fmt.Sprintf("a notification for %s carries an alert of %s", key, a.Labels[LabelFindingKey])
			}
		}
		if gk, seen := groupKeys[key]; seen && gk != n.GroupKey {
			return nil, fmt.Sprintf("%s notified under two group keys: %s and %s", key, gk, n.GroupKey)
		}
		groupKeys[key] = n.GroupKey
		byKey[key] = append(byKey[key], n)
	}
	if len(byKey) != len(incidents) {
		return nil, fmt.Sprintf("%d notified groups, want %d", len(byKey), len(incidents))
	}
	for _, f := range incidents {
		notes := byKey[f.Key]
		switch {
		case len(notes) == 0:
			return nil, fmt.Sprintf("no notification for %s", f.Key)
		case notes[len(notes)-1].Status != "resolved":
			return nil, fmt.Sprintf("%s not notified resolved yet", f.Key)
		case len(notes) > 4:
			return nil, fmt.Sprintf("%s notified %d times: a storm", f.Key, len(notes))
		}
	}
	return byKey, ""
}
