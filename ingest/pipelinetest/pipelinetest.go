// Package pipelinetest runs the real ingest pipeline for tests: a fresh
// ClickHouse database with the warehouse schema, fresh Kafka topics, and
// in-process ingester replicas, with helpers to produce and count.
package pipelinetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/ingester"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
	"github.com/opswarehouse/opswarehouse/queries"
)

// Pipeline is one test's ClickHouse database and Kafka topics.
type Pipeline struct {
	CH      *testenv.CH
	Kafka   *testenv.KafkaCluster
	Topic   string
	DLQ     string
	Config  ingester.Config
	Metrics *ingester.Metrics
	Reg     *prometheus.Registry
	// Wrap, when set, wraps the ClickHouse writer (to inject faults).
	Wrap func(ingester.Writer) ingester.Writer
}

// New creates the database, migrates it and creates the topics.
func New(tb testing.TB, partitions int) *Pipeline {
	tb.Helper()
	ch := testenv.ClickHouse(tb)
	k := testenv.Kafka(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		tb.Fatalf("migrating: %v", err)
	}
	e := &Pipeline{CH: ch, Kafka: k, Topic: k.CreateTopic(tb, partitions), DLQ: k.CreateTopic(tb, 1)}
	e.Config = ingester.DefaultConfig()
	e.Config.Brokers = k.Brokers
	e.Config.Topic = e.Topic
	e.Config.DeadLetterTopic = e.DLQ
	e.Config.GroupID = "g-" + e.Topic
	e.Config.BatchAge = 200 * time.Millisecond
	e.Config.SessionTimeout = 6 * time.Second
	e.Config.AttemptTimeout = 5 * time.Second
	e.Reg = prometheus.NewRegistry()
	e.Metrics = ingester.NewMetrics(e.Reg)
	return e
}

// StartIngester runs one ingester replica until the returned stop is called
// (or the test ends).
func (e *Pipeline) StartIngester(tb testing.TB) (stop func()) {
	tb.Helper()
	g, err := guard.New(guard.Config{PseudonymKey: "test-key-0123456789abcdef"})
	if err != nil {
		tb.Fatal(err)
	}
	dl := ingester.NewKafkaDeadLetters(e.Kafka.Brokers, e.DLQ)
	var w ingester.Writer = store.NewWriter(e.CH.Conn)
	if e.Wrap != nil {
		w = e.Wrap(w)
	}
	in, err := ingester.New(e.Config, ingester.Deps{
		Writer: w, HighWater: ingester.LedgerHighWater{Conn: e.CH.Conn}, DeadLetters: dl,
		Fingerprint: fingerprint.New(fingerprint.Config{}), Scrub: g,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: e.Metrics,
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

// Produce writes raw message values, keyed by event id like the emitter.
func (e *Pipeline) Produce(tb testing.TB, values [][]byte) {
	tb.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(e.Kafka.Brokers...), Topic: e.Topic, Balancer: &kafka.Hash{},
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

// Counts returns stored rows and distinct event ids of the topic.
func (e *Pipeline) Counts(tb testing.TB) (rows, distinct uint64) {
	tb.Helper()
	q := queries.Get("ingest_counts")
	if err := e.CH.Conn.QueryRow(context.Background(), q.SQL, q.MustBind(queries.Named("topic", e.Topic))...).Scan(&rows, &distinct); err != nil {
		tb.Fatalf("counting: %v", err)
	}
	return rows, distinct
}

// DeadLetters summarises the dead-letter topic.
func (e *Pipeline) DeadLetters(tb testing.TB) ingester.DeadLetterSummary {
	tb.Helper()
	s, err := ingester.SummarizeDeadLetters(context.Background(), e.Kafka.Brokers[0], e.DLQ)
	if err != nil {
		tb.Fatalf("reading dead letters: %v", err)
	}
	return s
}

// WaitUntil polls cond until it holds or the timeout passes.
func WaitUntil(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// SampleEvent returns a valid event; i makes it unique.
func SampleEvent(i int, now time.Time) event.Event {
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

// Marshal encodes an event or fails the test.
func Marshal(tb testing.TB, e event.Event) []byte {
	tb.Helper()
	b, err := event.Marshal(&e)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// peekID reads the event id of a message for its key.
func peekID(v []byte) string {
	var e struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(v, &e) != nil {
		return ""
	}
	return e.ID
}
