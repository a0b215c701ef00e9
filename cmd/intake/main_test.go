package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/emitter/emittertest"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

func TestExampleConfigLoads(t *testing.T) {
	t.Setenv("OPSW_INTAKE_TOKEN_PLATFORM", "platform-secret-0123456789")
	t.Setenv("OPSW_INTAKE_TOKEN_BILLING", "billing-secret-0123456789")
	cfg, err := loadConfig([]string{"-config", "example.yaml", "-emitter.topic", "from-flag", "-log.level", "debug"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Emitter.Topic != "from-flag" || cfg.Emitter.Compression != "lz4" || len(cfg.Intake.Tokens) != 2 ||
		cfg.Intake.EmitTimeout != 250*time.Millisecond || cfg.LogLevel != slog.LevelDebug || cfg.FlushTimeout != 30*time.Second {
		t.Fatalf("loaded %+v", cfg)
	}
}

func TestConfigRejectsUnknownKeys(t *testing.T) {
	path := t.TempDir() + "/c.yaml"
	writeFile(t, path, "intake:\n  listen: ':1'\n  tokenz: []\n")
	if _, err := loadConfig([]string{"-config", path}); err == nil {
		t.Fatal("a misspelt key was accepted")
	}
}

// TestShutdownFlushes runs the binary's wiring against real Kafka, posts
// events, then cancels (as SIGTERM does): run drains HTTP, flushes the
// emitter, and every accepted event is in the topic.
func TestShutdownFlushes(t *testing.T) {
	k := testenv.Kafka(t)
	topic := k.CreateTopic(t, 2)
	const secret = "cmd-intake-test-secret-0123"
	path := t.TempDir() + "/c.yaml"
	writeFile(t, path, fmt.Sprintf("intake:\n  tokens:\n    - name: test\n      secret: %s\n", secret))
	// With a one-hour batch timeout only the shutdown flush can deliver the events.
	loaded, err := loadConfig([]string{"-config", path, "-emitter.brokers", strings.Join(k.Brokers, ","), "-emitter.topic", topic,
		"-emitter.batch-timeout", "1h", "-guard.pseudonym-key", "cmd-intake-test-pseudonym-key", "-flush-timeout", "20s"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, loaded, slog.New(slog.DiscardHandler), ln) }()

	var body bytes.Buffer
	const n = 50
	for i := range n {
		fmt.Fprintf(&body, `{"v":1,"id":"e-%d","ts":%q,"tenant":"t-1","service":"svc","kind":"error","error_class":"Boom"}`+"\n",
			i, time.Now().UTC().Format(time.RFC3339Nano))
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/v1/events", &body)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
	if got := len(emittertest.ReadTopic(t, k.Brokers, topic)); got != n {
		t.Fatalf("%d events in Kafka after shutdown, want %d", got, n)
	}
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}
