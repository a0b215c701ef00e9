package guard

import (
	"strings"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Typical error messages: operational only, and ones carrying client data.
var (
	benchClean = []string{
		"upstream timed out after 30s waiting for invoice-render on host-17.internal (attempt 3 of 5)",
		"connection refused: db-3.cell-2:5432 while running job 7f3a9c2d-1b2e-4c5d-8e9f-0a1b2c3d4e5f; will retry in 250ms",
		"HTTP 503 from stripe: service unavailable, request took 1234ms, route /v1/invoices/{id}/pay, client v2.3.1",
		"disk 91% full on /var/lib/postgresql/data (shard s-12, cell-2); compaction deferred, 48213 rows pending",
	}
	benchDirty = []string{
		"payment for bob.smith@example.com failed: card 4111 1111 1111 1111 declined by issuer (HTTP 402)",
		"webhook to 203.0.113.7:443 rejected: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc_DEF-123",
		"GET /v1/customers?email=jane%40corp.example&api_key=sk_live_51H8xYzAbCdEfGhIjKlMnOp returned 401",
		"sms to +44 20 7946 0958 failed after 3 attempts; fallback call (555) 123-4567 from 2001:db8::17",
	}
)

func benchGuard(b *testing.B) *Guard {
	b.Helper()
	g, err := New(Config{PseudonymKey: "bench-pseudonym-key-0123456789"})
	if err != nil {
		b.Fatal(err)
	}
	return g
}

func benchScrub(b *testing.B, msgs []string) {
	g := benchGuard(b)
	n := 0
	for _, m := range msgs {
		n += len(m)
	}
	b.ReportAllocs()
	b.SetBytes(int64(n / len(msgs)))
	i := 0
	for b.Loop() {
		_ = g.ScrubText(msgs[i%len(msgs)])
		i++
	}
}

func BenchmarkScrubTextClean(b *testing.B) { benchScrub(b, benchClean) }
func BenchmarkScrubTextDirty(b *testing.B) { benchScrub(b, benchDirty) }

// BenchmarkBaselineDecode decodes an event carrying a clean message: the
// work every event costs anyway, for a ratio that survives noisy machines.
func BenchmarkBaselineDecode(b *testing.B) {
	e := event.Event{V: event.Version, ID: "e-1", Time: time.Now().UTC(), Tenant: "t-1", Service: "billing",
		Kind: event.KindJobState, State: event.StateFailed, JobType: "invoice.render", ErrorMessage: benchClean[0]}
	doc, err := event.Marshal(&e)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, rej := event.Decode(doc, e.Time, event.DefaultLimits); rej != nil {
			b.Fatal(rej)
		}
	}
}

func BenchmarkScrubEvent(b *testing.B) {
	g := benchGuard(b)
	e := event.Event{
		ErrorMessage: benchClean[0],
		Route:        "/v1/invoices/{id}/pay",
		Attrs:        map[string]string{"priority": "high", "trigger": "webhook", "client": "billing-sdk/2.3.1"},
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = g.ScrubEvent(&e)
	}
}

// Adversarial inputs: long runs of what makes detectors look further.
// Each must stay linear in the input.
func BenchmarkScrubTextAdversarial(b *testing.B) {
	g := benchGuard(b)
	for _, p := range []string{"%40", "a@", "1 ", "+1 ", "(1)", "DE89 ", "Basic ", "key='", "::", "1.1.1.1.", "4111 ", "eyJaa."} {
		in := strings.Repeat(p, event.MaxErrorMessageLen/len(p)+cutSlack/len(p))
		b.Run(strings.TrimSpace(p), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				_ = g.ScrubText(in)
			}
		})
	}
}
