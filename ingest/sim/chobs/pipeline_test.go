package chobs

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/ingester"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/sim"
	"github.com/opswarehouse/opswarehouse/ingest/store"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
	"github.com/prometheus/client_golang/prometheus"
)

// TestSignaturesThroughThePipeline sends a simulated run through the public
// path — emitter, Kafka, ingester, ClickHouse — and checks each scenario's
// signature in the warehouse.
func TestSignaturesThroughThePipeline(t *testing.T) {
	k := testenv.Kafka(t)
	ch := testenv.ClickHouse(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := slog.New(slog.DiscardHandler)
	if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), logger); err != nil {
		t.Fatal(err)
	}
	topic, dlq := k.CreateTopic(t, 3), k.CreateTopic(t, 1)
	g, err := guard.New(guard.Config{PseudonymKey: "simulator-pipeline-pseudonym-key"})
	if err != nil {
		t.Fatal(err)
	}

	icfg := ingester.DefaultConfig()
	icfg.Brokers, icfg.Topic, icfg.DeadLetterTopic, icfg.GroupID = k.Brokers, topic, dlq, topic+"-ingester"
	deadLetters := ingester.NewKafkaDeadLetters(k.Brokers, dlq)
	defer deadLetters.Close()
	in, err := ingester.New(icfg, ingester.Deps{
		Writer: store.NewWriter(ch.Conn), HighWater: ingester.LedgerHighWater{Conn: ch.Conn}, DeadLetters: deadLetters,
		Fingerprint: fingerprint.New(fingerprint.Config{}), Scrub: g, Logger: logger,
		Metrics: ingester.NewMetrics(prometheus.NewRegistry()),
	})
	if err != nil {
		t.Fatal(err)
	}
	ingested := make(chan error, 1)
	go func() { ingested <- in.Run(ctx) }()

	e, err := emitter.New(emitter.Config{Brokers: k.Brokers, Topic: topic}, g, logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sim.DefaultConfig()
	cfg.Mode, cfg.Start, cfg.Duration = sim.ModeBackfill, recentMorning(), 45*time.Minute
	cfg.Tenants, cfg.Cells, cfg.Rate, cfg.Seed = 150, 4, 150, 11
	cfg.Scenarios = []string{"bad_deploy@+20m/20m", "retry_storm@+20m/20m", "request_flood@+20m/20m"}
	s, err := sim.New(cfg, logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sim.NewSinkMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(ctx, sim.NewEmitterSink(e, true, m), nil); err != nil {
		t.Fatal(err)
	}
	closeCtx, closeCancel := context.WithTimeout(ctx, time.Minute)
	defer closeCancel()
	if err := e.Close(closeCtx); err != nil {
		t.Fatal(err)
	}
	waitForRows(t, ch, s.Stats().Events)

	obs := New(ch.Conn)
	for _, tr := range s.Truth() {
		rep, err := sim.CheckSignature(ctx, obs, tr)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(rep)
		if !rep.OK() {
			t.Errorf("signature missing after the pipeline:\n%s", rep)
		}
	}
	cancel()
	if err := <-ingested; err != nil {
		t.Fatalf("ingester: %v", err)
	}
}

// waitForRows waits until the events table holds want rows.
func waitForRows(t *testing.T, ch *testenv.CH, want uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	var got uint64
	for time.Now().Before(deadline) {
		if err := ch.Conn.QueryRow(context.Background(), "SELECT count() FROM events").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= want {
			if got > want {
				t.Fatalf("%d rows for %d events", got, want)
			}
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("only %d of %d events reached ClickHouse", got, want)
}
