package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/pipelinetest"
)

// canaries are client data that must never reach the warehouse; each has
// the spellings a search must not find.
var canaries = []struct {
	kind, text string
	needles    []string
}{
	{"email", "jane.canary@example.org", []string{"jane.canary", "canary@example"}},
	{"card", "4111 1111 1111 1111", []string{"4111 1111 1111 1111", "4111111111111111", "1111 1111"}},
	{"card-dashes", "5500-0000-0000-0004", []string{"5500-0000-0000-0004", "0000-0000-0004"}},
	{"bearer", "Bearer sk_live_CANARY51Hq8mZkT2xLr9PqW", []string{"sk_live_CANARY", "CANARY51Hq8"}},
	{"aws key", "AKIAIOSFODNN7CANARY1", []string{"AKIAIOSFODNN7CANARY1"}},
	{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlY2FuYXJ5", []string{"eyJhbGciOiJIUzI1NiJ9", "c2lnbmF0dXJlY2FuYXJ5"}},
	{"ipv4", "203.0.113.77", []string{"203.0.113.77"}},
	{"ipv6", "2001:db8:85a3::8a2e:370:7334", []string{"8a2e:370:7334"}},
	{"phone", "+1 415 555 0199", []string{"555 0199", "4155550199"}},
	{"password kv", "password=Hunter2CanaryPw", []string{"Hunter2CanaryPw"}},
}

// canaryEvents embeds every canary in an error message, a route and an
// attribute value, next to operational words that must survive.
func canaryEvents(now time.Time, prefix string) []event.Event {
	var out []event.Event
	for i, c := range canaries {
		e := pipelinetest.SampleEvent(i, now)
		e.ID = fmt.Sprintf("%s-%d", prefix, i)
		e.Kind, e.ErrorClass = event.KindError, "PaymentFailed"
		e.ErrorMessage = fmt.Sprintf("payment gateway timed out after 3 retries (attempt %d) for %s", i, c.text)
		e.Route = "/v1/customers/" + strings.ReplaceAll(c.text, " ", "%20") + "?q=" + c.text
		e.Attrs = map[string]string{"reason": "declined for " + c.text, "endpoint": "hook " + c.text}
		out = append(out, e)
	}
	return out
}

func TestNoClientDataReachesTheWarehouse(t *testing.T) {
	p := pipelinetest.New(t, 2)
	now := time.Now().UTC()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := guard.New(guard.Config{PseudonymKey: "canary-test-key-0123456789"})
	if err != nil {
		t.Fatal(err)
	}

	// Path 1: the emitter scrubs before Kafka.
	em, err := emitter.New(emitter.Config{Brokers: p.Kafka.Brokers, Topic: p.Topic}.WithDefaults(), g, logger, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	emitted := canaryEvents(now, "emitted")
	for i := range emitted {
		if err := em.EmitWait(context.Background(), &emitted[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := em.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Path 2: a client that bypasses the emitter; the ingester's guard must
	// catch the same data (defence in depth).
	var raw [][]byte
	for _, e := range canaryEvents(now, "raw") {
		raw = append(raw, pipelinetest.Marshal(t, e))
	}
	p.Produce(t, raw)

	p.StartIngester(t)
	want := uint64(2 * len(canaries))
	pipelinetest.WaitUntil(t, 60*time.Second, "canary events stored", func() bool { r, _ := p.Counts(t); return r >= want })
	if rows, _ := p.Counts(t); rows != want {
		t.Fatalf("stored %d events, want %d (a canary event was rejected instead of scrubbed?)", rows, want)
	}

	columns := stringColumns(t, p)
	if len(columns) < 20 {
		t.Fatalf("found only %d string columns to search", len(columns))
	}
	for _, c := range canaries {
		for _, needle := range c.needles {
			for _, col := range columns {
				if n := countContaining(t, p, col, needle); n > 0 {
					t.Errorf("canary %s (%q) found %d times in %s.%s", c.kind, needle, n, col.table, col.name)
				}
			}
		}
	}

	var kept uint64
	if err := p.CH.Conn.QueryRow(context.Background(),
		"SELECT count() FROM events WHERE position(error_message, 'payment gateway timed out after 3 retries') > 0").Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != want {
		t.Errorf("operational text survived in %d of %d messages", kept, want)
	}
}

type column struct{ table, name, typ string }

// stringColumns lists every String-bearing column of every stored table.
func stringColumns(tb testing.TB, p *pipelinetest.Pipeline) []column {
	tb.Helper()
	rows, err := p.CH.Conn.Query(context.Background(), `
		SELECT c.table, c.name, c.type FROM system.columns AS c
		INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table
		WHERE c.database = currentDatabase() AND t.engine LIKE '%MergeTree'
		  AND (c.type = 'String' OR c.type = 'Array(String)' OR c.type = 'AggregateFunction(any, String)')`)
	if err != nil {
		tb.Fatalf("listing columns: %v", err)
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
			tb.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func countContaining(tb testing.TB, p *pipelinetest.Pipeline, c column, needle string) uint64 {
	tb.Helper()
	// Table and column names come from system.columns, not from input.
	expr := map[string]string{
		"String":                         "positionCaseInsensitive(" + c.name + ", @needle) > 0",
		"Array(String)":                  "arrayExists(x -> positionCaseInsensitive(x, @needle) > 0, " + c.name + ")",
		"AggregateFunction(any, String)": "positionCaseInsensitive(finalizeAggregation(" + c.name + "), @needle) > 0",
	}[c.typ]
	var n uint64
	err := p.CH.Conn.QueryRow(context.Background(), "SELECT count() FROM "+c.table+" WHERE "+expr,
		namedNeedle(needle)).Scan(&n)
	if err != nil {
		tb.Fatalf("searching %s.%s: %v", c.table, c.name, err)
	}
	return n
}
