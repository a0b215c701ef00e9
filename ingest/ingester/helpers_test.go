package ingester

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
	"github.com/opswarehouse/opswarehouse/queries"
)

// env is one test's ClickHouse database and Kafka topics.
type env struct {
	ch      *testenv.CH
	kafka   *testenv.KafkaCluster
	topic   string
	dlq     string
	cfg     Config
	metrics *Metrics
	reg     *prometheus.Registry
}

func newEnv(tb testing.TB, partitions int) *env {
	tb.Helper()
	ch := testenv.ClickHouse(tb)
	k := testenv.Kafka(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		tb.Fatalf("migrating: %v", err)
	}
	e := &env{ch: ch, kafka: k, topic: k.CreateTopic(tb, partitions), dlq: k.CreateTopic(tb, 1)}
	e.cfg = DefaultConfig()
	e.cfg.Brokers = k.Brokers
	e.cfg.Topic = e.topic
	e.cfg.DeadLetterTopic = e.dlq
	e.cfg.GroupID = "g-" + e.topic
	e.cfg.BatchAge = 200 * time.Millisecond
	e.cfg.SessionTimeout = 6 * time.Second
	e.cfg.AttemptTimeout = 5 * time.Second
	e.reg = prometheus.NewRegistry()
	e.metrics = NewMetrics(e.reg)
	return e
}

// start runs one ingester replica until the returned stop is called.
func (e *env) start(tb testing.TB) (stop func()) {
	tb.Helper()
	g, err := guard.New(guard.Config{PseudonymKey: "test-key-0123456789abcdef"})
	if err != nil {
		tb.Fatal(err)
	}
	dl := NewKafkaDeadLetters(e.kafka.Brokers, e.dlq)
	in, err := New(e.cfg, Deps{
		Writer: store.NewWriter(e.ch.Conn), HighWater: LedgerHighWater{Conn: e.ch.Conn}, DeadLetters: dl,
		Fingerprint: fingerprint.New(fingerprint.Config{}), Scrub: g,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: e.metrics,
	})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := in.Run(ctx); err != nil {
			tb.Errorf("ingester: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait(); dl.Close() }) }
	tb.Cleanup(stop)
	return stop
}

// produce writes raw message values, keyed like the emitter does.
func (e *env) produce(tb testing.TB, values [][]byte) {
	tb.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(e.kafka.Brokers...), Topic: e.topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond}
	defer w.Close()
	msgs := make([]kafka.Message, len(values))
	for i, v := range values {
		key := peekID(v)
		if key == "" {
			key = fmt.Sprint(i)
		}
		msgs[i] = kafka.Message{Key: []byte(key), Value: v}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		tb.Fatalf("producing: %v", err)
	}
}

func (e *env) counts(tb testing.TB) (rows, distinct uint64) {
	tb.Helper()
	q := queries.Get("ingest_counts")
	if err := e.ch.Conn.QueryRow(context.Background(), q.SQL, q.MustBind(queries.Named("topic", e.topic))...).Scan(&rows, &distinct); err != nil {
		tb.Fatalf("counting: %v", err)
	}
	return rows, distinct
}

func (e *env) deadLetters(tb testing.TB) DeadLetterSummary {
	tb.Helper()
	s, err := SummarizeDeadLetters(context.Background(), e.kafka.Brokers[0], e.dlq)
	if err != nil {
		tb.Fatalf("reading dead letters: %v", err)
	}
	return s
}

// waitUntil polls cond until it holds or the timeout passes.
func waitUntil(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sampleEvent returns a valid event; i makes it unique.
func sampleEvent(i int, now time.Time) event.Event {
	kinds := event.Kinds
	e := event.Event{
		V: 1, ID: fmt.Sprintf("ev-%d", i), Time: now.Add(-time.Duration(i%600) * time.Second),
		Tenant: fmt.Sprintf("t-%03d", i%37), Service: "billing", Cell: fmt.Sprintf("cell-%d", i%4),
		Host: fmt.Sprintf("host-%d", i%11), Version: "v1.4.2", Kind: kinds[i%len(kinds)],
		JobID: fmt.Sprintf("job-%d", i/3), JobType: "invoice.render", DurationMs: float64(i % 900), QueueMs: float64(i % 50),
	}
	if e.Kind == event.KindJobState {
		e.State = event.StateSucceeded
	}
	if e.Kind == event.KindError {
		e.ErrorClass = "Timeout"
		e.ErrorMessage = fmt.Sprintf("upstream timed out after %dms talking to db-%d", 100+i%50, i%5)
	}
	return e
}

func marshal(tb testing.TB, e event.Event) []byte {
	tb.Helper()
	b, err := event.Marshal(&e)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func contains(haystack []string, s string) bool {
	for _, h := range haystack {
		if strings.Contains(h, s) {
			return true
		}
	}
	return false
}
