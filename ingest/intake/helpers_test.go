package intake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"
	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
	"github.com/prometheus/client_golang/prometheus"
)

const (
	secretAll = "secret-any-tenant-0123456789"
	secretT1  = "secret-tenant-t1-0123456789"
	// clientEmail is client data the guard must keep out of Kafka.
	clientEmail = "jane.doe@example.com"
)

// testTokens: "ops" may write any tenant, "t1" only tenant t-1.
func testTokens() []Token {
	return []Token{
		{Name: "ops", Secret: secretAll},
		{Name: "t1", Secret: secretT1, Tenants: []string{"t-1"}},
	}
}

type harness struct {
	url     string
	brokers []string
	topic   string
	em      *emitter.Emitter
	srv     *Server
	reg     *prometheus.Registry
}

// newHarness runs the intake over a real emitter. With brokers nil it uses
// the test Kafka and a fresh topic.
func newHarness(tb testing.TB, cfg Config, ecfg emitter.Config) *harness {
	tb.Helper()
	h := &harness{reg: prometheus.NewRegistry()}
	if len(ecfg.Brokers) == 0 {
		k := testenv.Kafka(tb)
		ecfg.Brokers, ecfg.Topic = k.Brokers, k.CreateTopic(tb, 3)
	}
	h.brokers, h.topic = ecfg.Brokers, ecfg.Topic
	g, err := guard.New(guard.Config{PseudonymKey: "intake-test-pseudonym-key-0123"})
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	h.em, err = emitter.New(ecfg, g, log, h.reg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = h.em.Close(ctx)
	})
	if cfg.Tokens == nil {
		cfg.Tokens = testTokens()
	}
	srv, err := New(cfg, h.em, log, h.reg)
	if err != nil {
		tb.Fatal(err)
	}
	h.srv = srv
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(ts.Close)
	h.url = ts.URL
	return h
}

// post sends body to /v1/events and decodes the answer.
func (h *harness) post(tb testing.TB, token string, body []byte, header ...string) (*http.Response, Response) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url+"/v1/events", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	var out Response
	if err := json.Unmarshal(raw, &out); err != nil {
		tb.Fatalf("answer is not JSON (%d): %q", res.StatusCode, raw)
	}
	return res, out
}

func (h *harness) closeEmitter(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.em.Close(ctx); err != nil {
		tb.Fatal(err)
	}
}

// goodLine is a valid contract-v1 line whose error message carries client data.
func goodLine(id, tenant string) string { return lineAt(id, tenant, time.Now().Add(-time.Minute)) }

func lineAt(id, tenant string, ts time.Time) string {
	return fmt.Sprintf(`{"v":1,"id":%q,"ts":%q,"tenant":%q,"service":"checkout","kind":"request","route":"/api/orders","status":502,"duration_ms":41.5,"error_class":"UpstreamTimeout","error_message":"timeout while mailing %s"}`,
		id, ts.UTC().Format(time.RFC3339Nano), tenant, clientEmail)
}

func ndjson(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// deadBroker is an address that accepts connections and never answers.
func deadBroker(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	conns := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(conns)
				return
			}
			select {
			case conns <- c: // held open, never answered
			default:
				c.Close()
			}
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		for c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
