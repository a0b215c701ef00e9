package alert

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

var (
	stormA = incident("retry_storm/cell-a/invoice-sync", finding.RetryStorm, finding.Warning,
		finding.Scope{Cell: "cell-a", JobType: "invoice-sync", Tenants: []string{"t-1", "t-2"}}, 40, 4, 2)
	noisyB = incident("noisy_neighbour/t-0/queue", finding.NoisyNeighbour, finding.Critical,
		finding.Scope{CulpritTenant: "t-0", Tenants: []string{"t-3", "t-4"}, Service: "queue", Fingerprint: 0xabc}, 0.9)
)

// The POST body is Alertmanager's postableAlerts: a JSON array of labels,
// annotations, startsAt, endsAt and generatorURL.
func TestPayloadGolden(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.GeneratorURL = "https://grafana.example/d/findings" })
	h.sync(t, stormA, noisyB)
	h.am.mu.Lock()
	raw := h.am.raw
	h.am.mu.Unlock()
	if len(raw) != 1 {
		t.Fatalf("got %d posts, want 1", len(raw))
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw[0], "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "payload.golden.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("payload differs from %s (go test -update rewrites it):\n%s", golden, pretty.Bytes())
	}
}

// An open finding is posted when it opens and again each ResendInterval,
// with endsAt Expiry after the post; syncs in between post nothing, even
// when the evidence changes.
func TestResendTiming(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ResendInterval = time.Minute; c.Expiry = 4 * time.Minute })
	steps := []struct {
		advance  time.Duration
		wantPost bool
	}{
		{0, true},
		{10 * time.Second, false},
		{40 * time.Second, false},
		{10 * time.Second, true}, // 60s after the first post
		{59 * time.Second, false},
		{time.Second, true},
		{5 * time.Minute, true}, // a late sync re-posts once
	}
	f := stormA
	for i, st := range steps {
		h.clock.Advance(st.advance)
		f.Evidence = []finding.Evidence{{Name: "rate_now", Value: float64(40 + i)}}
		f.UpdatedAt = h.clock.Now()
		h.sync(t, f)
		posts := flat(h.am.take())
		if got := len(posts) == 1; got != st.wantPost || len(posts) > 1 {
			t.Fatalf("step %d (+%s): %d alerts posted, want post=%v", i, st.advance, len(posts), st.wantPost)
		}
		if !st.wantPost {
			continue
		}
		a := posts[0]
		if want := h.clock.Now().Add(4 * time.Minute); !a.EndsAt.Equal(want) {
			t.Errorf("step %d: endsAt %s, want now+expiry %s", i, a.EndsAt, want)
		}
		if !a.StartsAt.Equal(f.FirstSeen) {
			t.Errorf("step %d: startsAt %s, want FirstSeen %s", i, a.StartsAt, f.FirstSeen)
		}
		if want := "rate_now=" + strconv.Itoa(40+i); a.Annotations[AnnotationDescription] != want {
			t.Errorf("step %d: description %q, want the latest evidence %q", i, a.Annotations[AnnotationDescription], want)
		}
	}
}

// Escalation posts at once: the new severity's alert and a resolve of the
// old one, so Alertmanager holds one active alert for the finding.
func TestEscalationPostsAtOnceAndResolvesTheOldLabelSet(t *testing.T) {
	h := newHarness(t, nil)
	h.sync(t, stormA)
	h.am.take()

	h.clock.Advance(5 * time.Second)
	up := stormA
	up.Severity = finding.Critical
	h.sync(t, up)
	posts := flat(h.am.take())
	if len(posts) != 2 {
		t.Fatalf("escalation posted %d alerts, want 2 (resolve warning, fire critical): %+v", len(posts), posts)
	}
	var resolvedWarning, firingCritical bool
	for _, a := range posts {
		switch a.Labels[LabelSeverity] {
		case "warning":
			resolvedWarning = a.EndsAt.Equal(h.clock.Now())
		case "critical":
			firingCritical = a.EndsAt.After(h.clock.Now())
		}
		if a.Labels[LabelFindingKey] != stormA.Key || a.Labels[LabelAlertName] != "OpswarehouseRetryStorm" {
			t.Errorf("grouping labels changed: %v", a.Labels)
		}
	}
	if !resolvedWarning || !firingCritical {
		t.Fatalf("want warning resolved now and critical firing, got %+v", posts)
	}
	if got := h.metric(t, "opswarehouse_findings_total", "kind=retry_storm", "transition=escalated"); got != 1 {
		t.Errorf("escalated transitions = %v, want 1", got)
	}

	h.clock.Advance(time.Minute)
	h.sync(t, up)
	posts = flat(h.am.take())
	if len(posts) != 1 || posts[0].Labels[LabelSeverity] != "critical" {
		t.Fatalf("resend after escalation: want only the critical alert, got %+v", posts)
	}

	h.clock.Advance(time.Second)
	down := up
	down.Severity = finding.Info
	h.sync(t, down)
	if posts := flat(h.am.take()); len(posts) != 2 {
		t.Fatalf("de-escalation posted %d alerts, want 2", len(posts))
	}
	if got := h.metric(t, "opswarehouse_findings_total", "kind=retry_storm", "transition=deescalated"); got != 1 {
		t.Errorf("deescalated transitions = %v, want 1", got)
	}
}

// A resolved finding is posted once, with endsAt at its resolution, and
// not again however often it is reported.
func TestResolvePostedOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.sync(t, stormA)
	h.am.take()
	h.clock.Advance(30 * time.Second)
	done := resolvedAtTime(stormA, h.clock.Now().Add(-10*time.Second))
	h.sync(t, done)
	posts := flat(h.am.take())
	if len(posts) != 1 || !posts[0].EndsAt.Equal(done.UpdatedAt) || posts[0].Labels[LabelSeverity] != "warning" {
		t.Fatalf("resolve: want one alert ending at %s, got %+v", done.UpdatedAt, posts)
	}
	for range 5 {
		h.clock.Advance(time.Minute)
		h.sync(t, done)
		if posts := h.am.take(); len(posts) != 0 {
			t.Fatalf("resolved finding posted again: %+v", posts)
		}
	}
	if got := h.metric(t, "opswarehouse_findings_total", "kind=retry_storm", "transition=resolved"); got != 1 {
		t.Errorf("resolved transitions = %v, want 1", got)
	}
	if got := h.metric(t, "opswarehouse_findings_total", "kind=retry_storm", "transition=opened"); got != 1 {
		t.Errorf("opened transitions = %v, want 1", got)
	}

	// The same key opening again is a new episode: posted at once.
	h.clock.Advance(time.Minute)
	again := stormA
	again.FirstSeen, again.UpdatedAt = h.clock.Now(), h.clock.Now()
	h.sync(t, again)
	if posts := flat(h.am.take()); len(posts) != 1 || !posts[0].EndsAt.After(h.clock.Now()) {
		t.Fatalf("re-opened finding: want one firing alert, got %+v", posts)
	}
	if got := h.metric(t, "opswarehouse_findings_total", "kind=retry_storm", "transition=opened"); got != 2 {
		t.Errorf("opened transitions = %v, want 2", got)
	}
}

// A resolve that fails is posted again by later syncs even when they no
// longer report the finding.
func TestFailedResolveIsRetriedWithoutBeingReported(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxAttempts = 1 })
	h.sync(t, stormA)
	h.am.take()
	h.am.failNext(http.StatusServiceUnavailable)
	if err := h.n.Sync(t.Context(), []finding.Finding{resolvedAtTime(stormA, t0)}); err == nil {
		t.Fatal("Sync hid a failed post")
	}
	h.clock.Advance(time.Minute)
	h.sync(t) // nothing reported
	posts := flat(h.am.take())
	if len(posts) != 1 || !posts[0].EndsAt.Equal(t0) {
		t.Fatalf("want the owed resolve (endsAt %s), got %+v", t0, posts)
	}
	h.sync(t)
	if posts := h.am.take(); len(posts) != 0 {
		t.Fatalf("accepted resolve posted again: %+v", posts)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name        string
		statuses    []int
		wantErr     string
		wantOK      float64
		wantRetried float64
		wantReject  float64
	}{
		{"5xx then success", []int{503, 502}, "", 1, 2, 0},
		{"429 is retried", []int{429}, "", 1, 1, 0},
		{"gives up after MaxAttempts", []int{500, 500, 500}, "giving up after 3 attempts", 0, 3, 0},
		{"400 is not retried", []int{400}, "answered 400", 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.MaxAttempts = 3 })
			h.am.failNext(tt.statuses...)
			err := h.n.Sync(t.Context(), []finding.Finding{stormA})
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Sync = %v, want error %q", err, tt.wantErr)
			}
			for result, want := range map[string]float64{"ok": tt.wantOK, "error": tt.wantRetried, "rejected": tt.wantReject} {
				if got := h.metric(t, "opswarehouse_alert_posts_total", "result="+result); got != want {
					t.Errorf("posts_total{result=%s} = %v, want %v", result, got, want)
				}
			}
			if got := h.metric(t, "opswarehouse_alert_dropped_total", "reason=rejected"); got != tt.wantReject {
				t.Errorf("dropped{rejected} = %v, want %v", got, tt.wantReject)
			}
			// Whatever failed is planned again by the next sync.
			h.am.take()
			h.sync(t, stormA)
			wantAgain := 0
			if tt.wantErr != "" {
				wantAgain = 1
			}
			if got := len(flat(h.am.take())); got != wantAgain {
				t.Errorf("next sync posted %d alerts, want %d", got, wantAgain)
			}
		})
	}
}

func TestNetworkErrorAndContextBoundSync(t *testing.T) {
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte("[]"))
			return
		}
		_, _ = io.Copy(io.Discard, r.Body) // the server notices a client hanging up only after the body
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(hang) }) // runs first
	h := newHarness(t, func(c *Config) { c.MaxAttempts = 20; c.Timeout = time.Hour })
	h.n.cfg.URL = slow.URL
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := h.n.Sync(ctx, []finding.Finding{stormA})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("Sync with a hanging Alertmanager: err %v after %s; want an error soon after ctx ends", err, time.Since(start))
	}

	down := newHarness(t, func(c *Config) { c.MaxAttempts = 2 })
	down.am.Close()
	if err := down.n.Sync(t.Context(), []finding.Finding{stormA}); err == nil {
		t.Fatal("Sync against a closed port returned no error")
	}
	if got := down.metric(t, "opswarehouse_alert_posts_total", "result=error"); got != 2 {
		t.Errorf("posts_total{error} = %v, want 2 attempts", got)
	}
}

func TestInvalidFindingsAreCountedNotSent(t *testing.T) {
	tests := []struct {
		reason string
		change func(*finding.Finding)
	}{
		{DropMissingKey, func(f *finding.Finding) { f.Key = "" }},
		{DropMissingKind, func(f *finding.Finding) { f.Kind = "" }},
		{DropBadSeverity, func(f *finding.Finding) { f.Severity = "page-me" }},
		{DropBadState, func(f *finding.Finding) { f.State = "flapping" }},
	}
	h := newHarness(t, nil)
	var batch []finding.Finding
	for _, tt := range tests {
		f := stormA
		tt.change(&f)
		batch = append(batch, f)
	}
	older := noisyB
	older.UpdatedAt = noisyB.UpdatedAt.Add(-time.Minute)
	older.Severity = finding.Info
	batch = append(batch, noisyB, older)
	h.sync(t, batch...)
	posts := flat(h.am.take())
	if len(posts) != 1 || posts[0].Labels[LabelSeverity] != "critical" {
		t.Fatalf("want only the newest noisyB posted, got %+v", posts)
	}
	reasons := []string{DropSuperseded}
	for _, tt := range tests {
		reasons = append(reasons, tt.reason)
	}
	for _, reason := range reasons {
		if got := h.metric(t, "opswarehouse_alert_dropped_total", "reason="+reason); got != 1 {
			t.Errorf("dropped{%s} = %v, want 1", reason, got)
		}
	}
}

func TestOpenGauge(t *testing.T) {
	h := newHarness(t, nil)
	other := stormA
	other.Key = "retry_storm/cell-b/invoice-sync"
	h.sync(t, stormA, other, noisyB)
	if got := h.metric(t, "opswarehouse_findings_open", "kind=retry_storm", "severity=warning"); got != 2 {
		t.Errorf("open{retry_storm,warning} = %v, want 2", got)
	}
	if got := h.metric(t, "opswarehouse_findings_open", "kind=noisy_neighbour", "severity=critical"); got != 1 {
		t.Errorf("open{noisy_neighbour,critical} = %v, want 1", got)
	}
	h.sync(t, resolvedAtTime(stormA, t0), other)
	if got := h.metric(t, "opswarehouse_findings_open", "kind=retry_storm", "severity=warning"); got != 1 {
		t.Errorf("after a resolve: open{retry_storm,warning} = %v, want 1", got)
	}
	if got := h.metric(t, "opswarehouse_findings_open", "kind=noisy_neighbour", "severity=critical"); got != 0 {
		t.Errorf("unreported: open{noisy_neighbour,critical} = %v, want 0", got)
	}
}

func TestBatches(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBatch = 2 })
	var fs []finding.Finding
	for i := range 5 {
		f := stormA
		f.Key = "k" + strconv.Itoa(i)
		fs = append(fs, f)
	}
	h.sync(t, fs...)
	posts := h.am.take()
	if len(posts) != 3 || len(flat(posts)) != 5 {
		t.Fatalf("5 alerts with MaxBatch 2: got %d posts of %d alerts, want 3 of 5", len(posts), len(flat(posts)))
	}
}

// An open finding no longer reported is left to expire at its endsAt, then
// forgotten.
func TestUnreportedOpenFindingExpiresAndIsForgotten(t *testing.T) {
	h := newHarness(t, nil)
	h.sync(t, stormA)
	h.am.take()
	for range 3 {
		h.clock.Advance(time.Minute)
		h.sync(t)
	}
	if posts := h.am.take(); len(posts) != 0 {
		t.Fatalf("unreported finding posted: %+v", posts)
	}
	if len(h.n.state.entries) != 1 {
		t.Fatalf("forgotten before its endsAt: %d entries", len(h.n.state.entries))
	}
	h.clock.Advance(2 * time.Minute)
	h.sync(t)
	if len(h.n.state.entries) != 0 {
		t.Fatalf("remembered past its endsAt: %d entries", len(h.n.state.entries))
	}
}

// A restarted notifier reads what Alertmanager holds: it neither re-posts
// nor re-counts a finding already firing, and resolves a label set that
// was superseded while it was down.
func TestRestartAdoptsAlertmanagersAlerts(t *testing.T) {
	h := newHarness(t, nil)
	warn := stormA
	held := labelsOf(&noisyB)
	h.am.active = []gettableAlert{
		{Labels: labelsOf(&warn), StartsAt: warn.FirstSeen, EndsAt: t0.Add(3 * time.Minute), UpdatedAt: t0.Add(-10 * time.Second)},
		{Labels: held, StartsAt: noisyB.FirstSeen, EndsAt: t0.Add(3 * time.Minute), UpdatedAt: t0.Add(-10 * time.Second)},
		{Labels: labelSet{"alertname": "HostDown"}, UpdatedAt: t0}, // not ours: ignored
	}
	up := stormA
	up.Severity = finding.Critical
	h.sync(t, up, noisyB)
	posts := flat(h.am.take())
	if len(posts) != 2 {
		t.Fatalf("after restart: want 2 alerts (retry storm escalated: resolve + fire), got %+v", posts)
	}
	for _, a := range posts {
		if a.Labels[LabelFindingKey] != stormA.Key {
			t.Errorf("finding already firing at its severity was re-posted: %v", a.Labels)
		}
	}
	if got := h.metric(t, "opswarehouse_findings_total", "kind=noisy_neighbour", "transition=opened"); got != 0 {
		t.Errorf("adopted finding counted as opened again")
	}
	if got := h.metric(t, "opswarehouse_findings_total", "kind=retry_storm", "transition=escalated"); got != 1 {
		t.Errorf("escalated across the restart = %v, want 1", got)
	}
	// Resolving a finding that Alertmanager does not hold sends nothing.
	other := resolvedAtTime(stormA, t0)
	other.Key = "never/alerted"
	h.sync(t, up, noisyB, other)
	if posts := h.am.take(); len(posts) != 0 {
		t.Fatalf("resolve of a finding Alertmanager never held: %+v", posts)
	}
}

// When Alertmanager cannot be read, a resolved finding the notifier never
// saw is resolved anyway (it may be firing from before a restart), and the
// read is retried by the next sync.
func TestUnadoptedResolveIsSentOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.am.getFails = true
	err := h.n.Sync(t.Context(), []finding.Finding{resolvedAtTime(stormA, t0)})
	if err == nil || !strings.Contains(err.Error(), "adopting") {
		t.Fatalf("Sync = %v, want the failed read reported", err)
	}
	if posts := flat(h.am.take()); len(posts) != 1 || !posts[0].EndsAt.Equal(t0) {
		t.Fatalf("want one resolve, got %+v", posts)
	}
	h.am.getFails = false
	h.sync(t, resolvedAtTime(stormA, t0))
	if posts := h.am.take(); len(posts) != 0 {
		t.Fatalf("resolve sent twice: %+v", posts)
	}
	if !h.n.state.adopted {
		t.Fatal("adoption not retried")
	}
}

func TestNewRejectsBadSetup(t *testing.T) {
	if _, err := New(Config{URL: "nope"}, nil, nil); err == nil {
		t.Fatal("New accepted an invalid config")
	}
	h := newHarness(t, nil)
	if _, err := New(Config{}, h.n.logger, h.reg); err == nil {
		t.Fatal("New registered the metrics twice without an error")
	}
}
