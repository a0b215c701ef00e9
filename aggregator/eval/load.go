package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/ingester"
	"github.com/opswarehouse/opswarehouse/ingest/kafkaadmin"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/sim"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// evalPseudonymKey keys the guard's pseudonyms; the run's data is synthetic.
const evalPseudonymKey = "opswarehouse-eval-pseudonym-key"

// Loaded is a database holding a simulated run.
type Loaded struct {
	Start, End time.Time // simulated
	Truth      []sim.Truth
	Events     uint64
	LoadTime   time.Duration
}

// truthPath is where a run's truth records are kept next to its database.
func truthPath(cfg Config) string { return filepath.Join(cfg.OutDir, cfg.Database+".truth.jsonl") }

// load simulates the run into a fresh database through the whole pipeline.
func load(ctx context.Context, cfg Config, conn store.Conn, log *slog.Logger) (Loaded, error) {
	began := time.Now()
	end := began.Add(-2 * time.Minute).Truncate(time.Minute)
	sc, err := simConfig(cfg, end)
	if err != nil {
		return Loaded{}, err
	}
	if err := schema.Migrate(ctx, conn, schema.DefaultConfig(), log); err != nil {
		return Loaded{}, fmt.Errorf("migrating %s: %w", cfg.Database, err)
	}
	if err := requireEmpty(ctx, conn, cfg.Database); err != nil {
		return Loaded{}, err
	}
	// Topics of the load's own: a topic left by an earlier load into a
	// database of the same name would replay that run's uncommitted tail.
	prefix := fmt.Sprintf("%s.%d", cfg.Database, began.UnixNano())
	topic, dlq := prefix+".events", prefix+".dlq"
	if err := kafkaadmin.CreateTopics(ctx, cfg.Brokers[0], map[string]int{topic: cfg.Partitions, dlq: 1}); err != nil {
		return Loaded{}, err
	}
	defer deleteTopics(cfg.Brokers[0], log, topic, dlq)
	g, err := guard.New(guard.Config{PseudonymKey: evalPseudonymKey})
	if err != nil {
		return Loaded{}, err
	}
	stopIngester, err := startIngester(ctx, cfg, conn, g, topic, dlq, log)
	if err != nil {
		return Loaded{}, err
	}
	defer stopIngester()

	reg := prometheus.NewRegistry()
	em, err := emitter.New(emitter.Config{Brokers: cfg.Brokers, Topic: topic}, g, log, reg)
	if err != nil {
		return Loaded{}, err
	}
	s, err := sim.New(sc, log, nil)
	if err != nil {
		return Loaded{}, err
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return Loaded{}, fmt.Errorf("creating %s: %w", cfg.OutDir, err)
	}
	tf, err := os.Create(truthPath(cfg))
	if err != nil {
		return Loaded{}, fmt.Errorf("creating the truth file: %w", err)
	}
	defer tf.Close()
	log.Info("simulating", "start", s.Start(), "end", s.End(), "tenants", len(s.Fleet().Tenants), "cells", len(s.Fleet().Cells), "rate", sc.Rate)
	progress, stopProgress := context.WithCancel(ctx)
	go s.ReportProgress(progress, logWriter{log}, 15*time.Second)
	runErr := s.Run(ctx, sim.NewEmitterSink(em, true, nil), tf)
	stopProgress()
	closeCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := errors.Join(runErr, em.Close(closeCtx)); err != nil {
		return Loaded{}, fmt.Errorf("simulating into Kafka: %w", err)
	}
	acked, err := counterValue(reg, "opswarehouse_emitter_events_total", "result", "acked")
	if err != nil {
		return Loaded{}, err
	}
	// The simulator's truth assumes every event landed; a job whose end
	// event was lost looks stuck to the detectors, so say so.
	if failed, err := counterValue(reg, "opswarehouse_emitter_events_total", "result", "failed"); err != nil {
		return Loaded{}, err
	} else if failed > 0 {
		log.Warn("the emitter failed to produce some events; findings may reflect their absence", "failed", uint64(failed))
	}
	if err := waitForRows(ctx, conn, uint64(acked), 20*time.Minute); err != nil {
		return Loaded{}, err
	}
	truth := s.Truth()
	log.Info("loaded", "events", uint64(acked), "seconds", time.Since(began).Seconds(), "scenarios", len(truth))
	return Loaded{Start: s.Start(), End: s.End(), Truth: truth, Events: uint64(acked), LoadTime: time.Since(began)}, nil
}

func startIngester(ctx context.Context, cfg Config, conn store.Conn, g *guard.Guard, topic, dlq string, log *slog.Logger) (func(), error) {
	icfg := ingester.DefaultConfig()
	icfg.Brokers, icfg.Topic, icfg.DeadLetterTopic, icfg.GroupID = cfg.Brokers, topic, dlq, "g-"+topic
	icfg.BatchAge = 500 * time.Millisecond
	icfg.SessionTimeout = 6 * time.Second
	dl := ingester.NewKafkaDeadLetters(cfg.Brokers, dlq)
	in, err := ingester.New(icfg, ingester.Deps{
		Writer: store.NewWriter(conn), HighWater: ingester.LedgerHighWater{Conn: conn}, DeadLetters: dl,
		Fingerprint: fingerprint.New(fingerprint.Config{}), Scrub: g,
		Logger: log.With("component", "ingester"), Metrics: ingester.NewMetrics(prometheus.NewRegistry()),
	})
	if err != nil {
		dl.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := in.Run(runCtx); err != nil {
			log.Error("ingester stopped", "err", err)
		}
	}()
	return func() { cancel(); wg.Wait(); dl.Close() }, nil
}

// requireEmpty refuses to load a run into a database that holds one.
func requireEmpty(ctx context.Context, conn store.Conn, db string) error {
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&n); err != nil {
		return fmt.Errorf("counting events in %s: %w", db, err)
	}
	if n > 0 {
		return fmt.Errorf("database %s already holds %d events: pass -reuse to evaluate them again, or another -database", db, n)
	}
	return nil
}

// deleteTopics drops a load's topics once its events are in ClickHouse.
func deleteTopics(broker string, log *slog.Logger, topics ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafkaadmin.DeleteTopics(ctx, broker, topics...); err != nil {
		log.Warn("deleting the load's topics", "topics", topics, "err", err)
	}
}

// waitForRows polls until the events table holds want rows.
func waitForRows(ctx context.Context, conn store.Conn, want uint64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var n uint64
	for time.Now().Before(deadline) {
		if err := conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&n); err != nil {
			return fmt.Errorf("counting events: %w", err)
		}
		if n > want {
			return fmt.Errorf("%d events stored, %d produced: the database holds events of another run", n, want)
		}
		if n == want {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("%d of %d events stored after %s", n, want, timeout)
}

// counterValue reads one labelled counter from a registry.
func counterValue(reg *prometheus.Registry, name, label, value string) (float64, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, fmt.Errorf("gathering metrics: %w", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue(), nil
				}
			}
		}
	}
	return 0, fmt.Errorf("metric %s{%s=%q} not found", name, label, value)
}

// logWriter turns the simulator's progress lines into log records.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Info(string(trimNewline(p)))
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}

var _ io.Writer = logWriter{}
