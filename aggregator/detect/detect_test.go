package detect_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/detect"
	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// minutes returns the minute starts from now-from to now-to (exclusive).
func minutes(from, to int) []time.Time {
	var out []time.Time
	for m := from; m > to; m-- {
		out = append(out, now.Add(-time.Duration(m)*time.Minute))
	}
	return out
}

// onCell lists the tenants of a cell.
func onCell(cell int) []int {
	var out []int
	for i := 0; i < tenants; i++ {
		if i%cells == cell {
			out = append(out, i)
		}
	}
	return out
}

var detectorCases = []struct {
	name   string
	inject func(g *gen)
	kind   finding.Kind // "" expects no finding at all
	scope  finding.Scope
}{
	{"quiet fleet", func(g *gen) {}, "", finding.Scope{}},
	{"new error on one cell and version", func(g *gen) {
		for _, m := range minutes(4, 0) {
			for _, i := range onCell(1) {
				for k := 0; k < 5; k++ {
					g.errorEvent(g.at(m), i, host("cell-1", k%3), "v2.0.0", fmt.Sprintf("panic: assignment to entry in nil map in pricing.apply goroutine %d", g.r.IntN(9999)))
				}
			}
		}
	}, finding.Localized, finding.Scope{Cell: "cell-1", Version: "v2.0.0"}},
	{"one tenant's credentials revoked", func(g *gen) {
		for _, m := range minutes(6, 0) {
			for k := 0; k < 6; k++ {
				g.job(g.at(m), 5, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: 200, attempts: 3, retryGap: 10 * time.Second,
					failMsg: fmt.Sprintf("The provided authorization grant is invalid, expired, or revoked (API key SG.%x)", g.r.Uint32())})
			}
		}
	}, finding.SingleTenant, finding.Scope{CulpritTenant: "t-05", Integration: "sendgrid"}},
	{"one tenant's credentials revoked, retried with 1.5x backoff", func(g *gen) {
		// Backoff with a common multiplier (Resilience4j's default); the
		// queue and run time in the gaps make the measured growth 1.47.
		for _, m := range minutes(3, 0) {
			for k := 0; k < 20; k++ {
				g.job(g.at(m), 5, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: 200, attempts: 4,
					retryGap: 4 * time.Second, retryGrowth: 1.5,
					failMsg: fmt.Sprintf("The provided authorization grant is invalid, expired, or revoked (API key SG.%x)", g.r.Uint32())})
			}
		}
	}, finding.SingleTenant, finding.Scope{CulpritTenant: "t-05", Integration: "sendgrid"}},
	{"one tenant's integration times out, retried with 5x backoff", func(g *gen) {
		// Timeouts make the attempts' run times vary more than the backoff
		// grows: the gaps between retries shrink (14 s, then 11.5 s) while
		// the waits before the attempts grow (2 s, then 10 s).
		for _, m := range minutes(3, 0) {
			for k := 0; k < 20; k++ {
				g.job(g.at(m), 5, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runsMs: []float64{3000, 12000, 1500, 9000},
					attempts: 4, retryGap: 2 * time.Second, retryGrowth: 5,
					failMsg: fmt.Sprintf("execution expired after %ds calling api.sendgrid.com", 1+g.r.IntN(12))})
			}
		}
	}, finding.SingleTenant, finding.Scope{CulpritTenant: "t-05", Integration: "sendgrid"}},
	{"an integration down for everyone", func(g *gen) {
		msg := func() string {
			return fmt.Sprintf("HTTP 503 from api.twilio.com after %dms (request RQ%x)", 900+g.r.IntN(900), g.r.Uint32())
		}
		for _, m := range minutes(75, 5) {
			if m.Minute()%10 == 0 {
				g.job(g.at(m), int(m.Unix()/60)%tenants, jobSpec{jobType: "sms.send", integration: "twilio", queueMs: 60, runMs: 300, failMsg: msg()})
			}
		}
		for _, m := range minutes(4, 0) {
			for i := 0; i < tenants; i++ {
				g.job(g.at(m), i, jobSpec{jobType: "sms.send", integration: "twilio", queueMs: 60, runMs: 300, failMsg: msg()})
			}
		}
	}, finding.SystemWide, finding.Scope{Integration: "twilio"}},
	{"bursts of an error arriving ever closer on one host", func(g *gen) {
		for _, ago := range []int{62, 37, 19, 7, 2} {
			m := now.Add(-time.Duration(ago) * time.Minute)
			for k := 0; k < 5; k++ {
				i := onCell(2)[k%len(onCell(2))]
				g.errorEvent(m.Add(time.Duration(k)*5*time.Second), i, "cell-2-wrk-01", "v1.0.0",
					fmt.Sprintf("leaked %d prepared statements on connection %x", 3+g.r.IntN(9), g.r.Uint32()))
			}
		}
	}, finding.Emerging, finding.Scope{Host: "cell-2-wrk-01"}},
	{"bursts of an error growing as they come closer until they merge", func(g *gen) {
		// Minutes ago and errors: the early bursts are small beside the
		// later ones, and the last three merge (gaps under three minutes).
		for _, b := range [][2]int{{38, 4}, {26, 2}, {25, 4}, {17, 6}, {16, 2}, {11, 4}, {10, 6}, {6, 12}, {3, 14}, {1, 16}} {
			m := now.Add(-time.Duration(b[0]) * time.Minute)
			for k := 0; k < b[1]; k++ {
				i := onCell(0)[k%len(onCell(0))]
				g.errorEvent(m.Add(time.Duration(k)*time.Second), i, "cell-0-wrk-04", "v1.0.0",
					fmt.Sprintf("leaked %d prepared statements on connection %x", 3+g.r.IntN(9), g.r.Uint32()))
			}
		}
	}, finding.Emerging, finding.Scope{Host: "cell-0-wrk-04"}},
	{"a tenant floods the API", func(g *gen) {
		for _, m := range minutes(3, 0) {
			for k := 0; k < 60; k++ {
				g.request(g.at(m), 7, 200, 15)
			}
		}
	}, finding.RequestFlood, finding.Scope{CulpritTenant: "t-07"}},
	{"a small tenant's one-minute burst is no flood", func(g *gen) {
		for _, m := range minutes(1, 0) {
			for k := 0; k < 22; k++ { // ~27 requests in the minute where it sends ~5
				g.request(g.at(m), 10, 200, 15)
			}
		}
	}, "", finding.Scope{}},
	{"a tenant's jobs retried without backoff", func(g *gen) {
		for _, m := range minutes(3, 0) {
			for k := 0; k < 6; k++ {
				g.job(m.Add(time.Duration(k)*5*time.Second), 8, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: 200,
					attempts: 12, retryGap: time.Second, failMsg: fmt.Sprintf("could not acquire job lock %x, will retry immediately", g.r.Uint32())})
			}
		}
	}, finding.RetryStorm, finding.Scope{CulpritTenant: "t-08"}},
	{"a tenant's jobs fail fast on every attempt", func(g *gen) {
		for _, m := range minutes(4, 0) {
			for k := 0; k < 10; k++ {
				g.job(g.at(m), 9, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: 10, attempts: 4, retryGap: 2 * time.Second, dead: true,
					failMsg: fmt.Sprintf("panic: runtime error: index out of range [%d] with length %d in payload decoder", 3+g.r.IntN(5), 3)})
			}
		}
	}, finding.PoisonJob, finding.Scope{CulpritTenant: "t-09", JobType: "email.send"}},
	{"a tenant's webhook endpoint fails", func(g *gen) {
		for _, m := range minutes(3, 0) {
			for k := 0; k < 6; k++ {
				g.job(g.at(m), 10, jobSpec{jobType: "webhook.deliver", endpoint: "orders", queueMs: 60, runMs: 300,
					failMsg: fmt.Sprintf("webhook endpoint returned 500 after %dms (delivery %x)", 200+g.r.IntN(300), g.r.Uint32())})
			}
		}
	}, finding.EndpointSlow, finding.Scope{CulpritTenant: "t-10", JobType: "webhook.deliver"}},
	{"one of a tenant's webhook endpoints fails fast, its other succeeds", func(g *gen) {
		for _, m := range minutes(3, 0) {
			for k := 0; k < 3; k++ {
				g.job(g.at(m), 11, jobSpec{jobType: "webhook.deliver", endpoint: "orders", queueMs: 60, runMs: 10, attempts: 2, retryGap: 40 * time.Second,
					failMsg: fmt.Sprintf("webhook endpoint returned 500 after %dms (delivery %x)", 5+g.r.IntN(10), g.r.Uint32())})
				g.job(g.at(m), 11, jobSpec{jobType: "webhook.deliver", endpoint: "billing", queueMs: 60, runMs: 300})
			}
		}
	}, finding.EndpointSlow, finding.Scope{CulpritTenant: "t-11", JobType: "webhook.deliver"}},
	{"a worker host hangs", func(g *gen) {
		for _, m := range minutes(30, 12) {
			g.job(g.at(m), 3, jobSpec{jobType: "email.send", integration: "sendgrid", host: "cell-0-wrk-02", queueMs: 60, runMs: 200, stuck: true})
		}
	}, finding.StuckJobs, finding.Scope{Cell: "cell-0", Host: "cell-0-wrk-02"}},
	{"a tenant's import saturates its cell", func(g *gen) { saturateCell(g, 4) }, finding.NoisyNeighbour, finding.Scope{CulpritTenant: "t-04", Cell: "cell-1", JobType: "import.chunk"}},
	{"a tenant's import saturates its cell after its own earlier heavy run", func(g *gen) {
		// The earlier run is in the baseline, so the tenant's share does
		// not grow against it; against its usual minute it does, and its
		// neighbours wait longer than in the baseline.
		for _, m := range minutes(30, 8) {
			for k := 0; k < 40; k++ {
				g.job(g.at(m), 4, jobSpec{jobType: "report.export", queueMs: 60, runMs: 4000})
			}
		}
		saturateCell(g, 4)
	}, finding.NoisyNeighbour, finding.Scope{CulpritTenant: "t-04", Cell: "cell-1", JobType: "import.chunk"}},
	{"a tenant's bulk import fails no more often than usual (control)", func(g *gen) {
		importJob := func(m time.Time, perMinute int) {
			for k := 0; k < perMinute; k++ {
				s := jobSpec{jobType: "import.chunk", queueMs: 60, runMs: 300}
				if g.r.IntN(20) == 0 {
					s.failMsg = fmt.Sprintf("%d duplicate external ids in chunk %d of import %x", 1+g.r.IntN(9), k, g.r.Uint32())
				}
				g.job(g.at(m), 6, s)
			}
		}
		for _, m := range minutes(70, 3) {
			importJob(m, 4)
		}
		for _, m := range minutes(3, 0) {
			importJob(m, 120)
		}
	}, "", finding.Scope{}},
}

// TestDetectors evaluates every detector at one tick over a quiet fleet
// with one injected incident each, on real ClickHouse: the incident must be
// the one finding, of its kind, naming its culprits.
func TestDetectors(t *testing.T) {
	for _, tc := range detectorCases {
		t.Run(tc.name, func(t *testing.T) {
			d := detectorsOver(t, tc.inject)
			fs, err := d.Evaluate(context.Background(), now, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.kind == "" {
				for _, f := range fs {
					t.Errorf("false finding %s: %s", f.Key, f.Summary)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d findings, want one %s:\n%s", len(fs), tc.kind, describe(fs))
			}
			f := fs[0]
			if f.Kind != tc.kind || !scopeHas(f.Scope, tc.scope) {
				t.Errorf("got %s %+v, want %s naming %+v", f.Kind, f.Scope, tc.kind, tc.scope)
			}
			if f.Key == "" || f.Summary == "" || len(f.Evidence) == 0 || !f.FirstSeen.Equal(now) {
				t.Errorf("incomplete finding: %+v", f)
			}
		})
	}
}

// scopeHas reports whether got names every non-empty field of want.
func scopeHas(got, want finding.Scope) bool {
	for _, p := range [][2]string{
		{want.CulpritTenant, got.CulpritTenant}, {want.Cell, got.Cell}, {want.Version, got.Version},
		{want.Host, got.Host}, {want.JobType, got.JobType}, {want.Integration, got.Integration},
	} {
		if p[0] != "" && p[0] != p[1] {
			return false
		}
	}
	return true
}

func describe(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s: %s\n", f.Key, f.Summary)
	}
	return b.String()
}

// An incident running for 40 minutes fills most of the baseline and no
// longer rises against it: it opens nothing, but keeps its open finding
// open instead of letting it resolve while it goes on.
func TestLongIncidentsKeepTheirFindingsOpen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(g *gen)
		key    string
		kind   finding.Kind
	}{
		{"revoked credentials", func(g *gen) {
			for _, m := range minutes(40, 0) {
				for k := 0; k < 6; k++ {
					g.job(g.at(m), 5, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: 200, attempts: 3, retryGap: 10 * time.Second,
						failMsg: fmt.Sprintf("The provided authorization grant is invalid, expired, or revoked (API key SG.%x)", g.r.Uint32())})
				}
			}
		}, "failure_pattern.single_tenant/tenant=t-05", finding.SingleTenant},
		{"a request flood", func(g *gen) {
			for _, m := range minutes(40, 0) {
				for k := 0; k < 60; k++ {
					g.request(g.at(m), 7, 200, 20)
				}
			}
		}, "request_flood/tenant=t-07", finding.RequestFlood},
		{"a failing endpoint", func(g *gen) {
			for _, m := range minutes(40, 0) {
				for k := 0; k < 6; k++ {
					g.job(g.at(m), 10, jobSpec{jobType: "webhook.deliver", endpoint: "orders", queueMs: 60, runMs: 300,
						failMsg: fmt.Sprintf("webhook endpoint returned 500 after %dms (delivery %x)", 200+g.r.IntN(300), g.r.Uint32())})
				}
			}
		}, "tenant_endpoint_degraded/tenant=t-10,job_type=webhook.deliver,endpoint=orders", finding.EndpointSlow},
		{"a tenant's import saturates its cell", func(g *gen) { saturateCell(g, 34) },
			"noisy_neighbour/cell=cell-1,tenant=t-04", finding.NoisyNeighbour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := detectorsOver(t, tc.inject)
			fs, err := d.Evaluate(context.Background(), now, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				t.Errorf("without an open finding: %s: %s", f.Key, f.Summary)
			}
			open := finding.Finding{Key: tc.key, Kind: tc.kind, State: finding.Open, FirstSeen: now.Add(-38 * time.Minute), LastSeen: now.Add(-time.Minute)}
			fs, err = d.Evaluate(context.Background(), now, []finding.Finding{open})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].Key != open.Key {
				t.Fatalf("with the open finding: got\n%s\nwant it continued", describe(fs))
			}
		})
	}
}

// saturateCell has tenant 4 run 40 imports a minute on cell-1 for the last
// n minutes while the cell's other tenants queue five times longer.
func saturateCell(g *gen, n int) {
	g.slow = func(i int, ts time.Time) float64 {
		if i%cells == 1 && i != 4 && !ts.Before(now.Add(-time.Duration(n)*time.Minute)) {
			return 5
		}
		return 1
	}
	for _, m := range minutes(n, 0) {
		for k := 0; k < 40; k++ {
			g.job(g.at(m), 4, jobSpec{jobType: "import.chunk", queueMs: 400, runMs: 4000})
		}
	}
}

// detectorsOver loads the quiet fleet with an incident injected (before
// the background: it may change how background jobs queue) and returns
// detectors over it.
func detectorsOver(t testing.TB, inject func(g *gen)) *detect.Detectors {
	t.Helper()
	g := newGen()
	inject(g)
	g.background(now.Add(-80 * time.Minute))
	ch := g.load(t)
	d, err := detect.New(detect.DefaultConfig(), ch.Conn)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A tenant's poison is its own incident while its job type's integration is
// down for everyone: the other tenants fail with the outage's errors, the
// tenant fast with its payloads'. When the other tenants fail fast with
// the tenant's errors, the job type is broken, and that is no poison.
func TestPoisonDuringAnOutageOfItsJobType(t *testing.T) {
	outage := func(g *gen, msg func() string, runMs float64) {
		for _, m := range minutes(4, 0) {
			for i := 0; i < tenants; i++ {
				if i == 9 {
					continue
				}
				for k := 0; k < 3; k++ {
					g.job(g.at(m), i, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: runMs, attempts: 2, retryGap: 5 * time.Second,
						failMsg: msg()})
				}
			}
		}
	}
	poison := func(g *gen) string {
		return fmt.Sprintf("panic: runtime error: index out of range [%d] with length %d in payload decoder", 3+g.r.IntN(5), 3)
	}
	for _, tc := range []struct {
		name       string
		inject     func(g *gen)
		wantPoison bool
	}{
		{"the others time out calling sendgrid", func(g *gen) {
			outage(g, func() string {
				return fmt.Sprintf("POST https://api.sendgrid.com/v3/mail/send timed out after %ds", 30+g.r.IntN(3))
			}, 200)
		}, true},
		{"the others fail fast with the same errors", func(g *gen) { outage(g, func() string { return poison(g) }, 10) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := detectorsOver(t, func(g *gen) {
				tc.inject(g)
				for _, m := range minutes(4, 0) {
					for k := 0; k < 10; k++ {
						g.job(g.at(m), 9, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: 10, attempts: 4,
							retryGap: 2 * time.Second, dead: true, failMsg: poison(g)})
					}
				}
			})
			fs, err := d.Evaluate(context.Background(), now, nil)
			if err != nil {
				t.Fatal(err)
			}
			var gotPoison bool
			for _, f := range fs {
				if f.Kind == finding.PoisonJob && f.Scope.CulpritTenant == "t-09" {
					gotPoison = true
				}
				if f.Kind == finding.SingleTenant && f.Scope.CulpritTenant == "t-09" {
					t.Errorf("the poison's errors raised as a failure pattern: %s", f.Summary)
				}
			}
			if gotPoison != tc.wantPoison {
				t.Errorf("poison found: %v, want %v; findings:\n%s", gotPoison, tc.wantPoison, describe(fs))
			}
		})
	}
}

// A poison that begins while its job type's integration is down for every
// tenant, this one included: for a minute or two the outage's slow
// failures hide the poison's fast ones in the tenant's mean, so no poison
// is found yet, and its errors must not be raised as the tenant's failure
// pattern meanwhile.
func TestPoisonBeginningDuringAnOutageIsNoPatternYet(t *testing.T) {
	d := detectorsOver(t, func(g *gen) {
		for _, m := range minutes(4, 0) {
			for i := 0; i < tenants; i++ {
				for k := 0; k < 3; k++ {
					g.job(g.at(m), i, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: 2000, attempts: 2, retryGap: 5 * time.Second,
						failMsg: fmt.Sprintf("POST https://api.sendgrid.com/v3/mail/send timed out after %ds", 30+g.r.IntN(3))})
				}
			}
		}
		for _, m := range minutes(1, 0) {
			for k := 0; k < 10; k++ {
				g.job(g.at(m), 9, jobSpec{jobType: "email.send", integration: "sendgrid", queueMs: 60, runMs: 10, attempts: 4,
					retryGap: 2 * time.Second, dead: true,
					failMsg: fmt.Sprintf("panic: runtime error: index out of range [%d] with length %d in payload decoder", 3+g.r.IntN(5), 3)})
			}
		}
	})
	fs, err := d.Evaluate(context.Background(), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Scope.CulpritTenant == "t-09" && f.Kind != finding.PoisonJob {
			t.Errorf("the beginning poison raised as %s: %s", f.Kind, f.Summary)
		}
	}
}
