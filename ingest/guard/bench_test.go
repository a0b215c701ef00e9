package guard

import (
	"testing"

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
