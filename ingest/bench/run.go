package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/ingest/kafkaadmin"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// Result is one benchmark run's numbers.
type Result struct {
	Events          int
	E2EEPS          float64 // ingester, Kafka → ClickHouse: events / (start → last row visible)
	E2ESteadyEPS    float64 // events / (first row visible → last row visible)
	E2EWallSeconds  float64 // start → last row visible, including the group join
	CeilingEPS      float64 // native inserts of pre-built batches
	KafkaEngineEPS  float64 // ClickHouse Kafka table engine + materialized view
	P99LatencyS     float64
	P50LatencyS     float64
	LatencyRateEPS  float64
	RSSMB           float64
	E2ECPU          cpuShare // during (a); Ingester is the ingester process
	E2EInserts      insertShape
	E2EMerges       mergeDebt // after (a)'s last row
	CeilingCPU      cpuShare  // during (b); Ingester is the benchmark's own inserting process
	CeilingMerges   mergeDebt // after (b)'s last INSERT
	KafkaEngineCPU  cpuShare  // during (c)
	ProfileTop      string
	ServerVersion   string
	KafkaEngineNote string
}

// String is the closing line.
func (r Result) String() string {
	return fmt.Sprintf("RESULT e2e_eps=%.0f ceiling_eps=%.0f kafka_engine_eps=%.0f p99_latency_s=%.2f rss_mb=%.0f",
		r.E2EEPS, r.CeilingEPS, r.KafkaEngineEPS, r.P99LatencyS, r.RSSMB)
}

type bench struct {
	cfg       Config
	log       *slog.Logger
	runID     string
	databases []string // created by this run
}

// Run measures everything, in one process, side by side.
func Run(ctx context.Context, cfg Config, log *slog.Logger) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return Result{}, fmt.Errorf("creating %s: %w", cfg.OutDir, err)
	}
	b := &bench{cfg: cfg, log: log, runID: fmt.Sprintf("bench_%d", time.Now().Unix())}
	var res Result
	res.Events = cfg.Events
	topic := b.runID + ".events"
	if err := kafkaadmin.CreateTopics(ctx, cfg.Brokers, map[string]int{topic: cfg.Partitions}); err != nil {
		return res, err
	}
	if !cfg.Keep {
		defer b.cleanUp(context.WithoutCancel(ctx), topic)
	}
	values := genValues(b.runID, cfg.Events, time.Now().UTC())
	began := time.Now()
	if err := fill(ctx, cfg.Brokers, topic, values); err != nil {
		return res, err
	}
	log.Info("topic filled", "events", cfg.Events, "seconds", time.Since(began).Seconds())

	if err := b.endToEnd(ctx, topic, &res); err != nil {
		return res, fmt.Errorf("end-to-end run: %w", err)
	}
	if err := b.ceiling(ctx, topic, values, &res); err != nil {
		return res, fmt.Errorf("ceiling run: %w", err)
	}
	if !cfg.SkipKafkaTable {
		if err := b.kafkaEngine(ctx, topic, &res); err != nil {
			log.Warn("Kafka table engine run failed", "err", err)
			res.KafkaEngineNote = err.Error()
		}
	}
	if err := b.latency(ctx, res.E2EEPS/2, &res); err != nil {
		return res, fmt.Errorf("latency run: %w", err)
	}
	return res, nil
}

// cleanUp drops what the run created: its databases hold a few million rows
// each and its topic a few hundred megabytes.
func (b *bench) cleanUp(ctx context.Context, topic string) {
	latency := b.runID + ".latency"
	for _, t := range []string{topic, topic + ".dlq", latency, latency + ".dlq"} {
		if err := kafkaadmin.DeleteTopics(ctx, b.cfg.Brokers, t); err != nil && !errors.Is(err, kafka.UnknownTopicOrPartition) {
			b.log.Warn("deleting a benchmark topic", "topic", t, "err", err)
		}
	}
	conn, err := store.Open(ctx, store.Config{Addr: b.cfg.ClickHouseAddr, Database: "default", Username: "default",
		DialTimeout: 5 * time.Second, ReadTimeout: time.Minute}, false)
	if err != nil {
		b.log.Warn("dropping the benchmark databases", "err", err)
		return
	}
	defer conn.Close()
	for _, db := range b.databases {
		// A database name is built from the run id, an identifier.
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
			b.log.Warn("dropping a benchmark database", "database", db, "err", err)
		}
	}
}

// database creates a fresh database with the warehouse schema.
func (b *bench) database(ctx context.Context, suffix string) (driver.Conn, string, error) {
	name := b.runID + "_" + suffix
	b.databases = append(b.databases, name)
	conn, err := store.Open(ctx, store.Config{Addr: b.cfg.ClickHouseAddr, Database: name, Username: "default",
		DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Minute}, true)
	if err != nil {
		return nil, "", err
	}
	if err := schema.Migrate(ctx, conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		conn.Close()
		return nil, "", err
	}
	return conn, name, nil
}

func (b *bench) ingesterArgs(topic, group, db string) []string {
	args := []string{
		"-kafka.brokers", b.cfg.Brokers, "-kafka.topic", topic, "-kafka.group", group,
		"-kafka.dead-letter-topic", topic + ".dlq", "-clickhouse.addr", b.cfg.ClickHouseAddr,
		"-clickhouse.database", db, "-guard.pseudonym-key", "bench-pseudonym-key-0123456789",
		"-ingest.batch-size", fmt.Sprint(b.cfg.BatchSize), "-migrate=false", "-log.level", "WARN",
		// The benchmark data is generated "now" and consumed minutes later.
		"-ingest.max-age", "24h",
	}
	if b.cfg.Unsorted {
		args = append(args, "-ingest.sort-batches=false")
	}
	return append(args, strings.Fields(b.cfg.IngesterArgs)...)
}

func (b *bench) outPath(name string) string { return filepath.Join(b.cfg.OutDir, b.runID+"-"+name) }

// countRows counts events in db's events table.
func countRows(ctx context.Context, conn driver.Conn) (uint64, error) {
	var n uint64
	err := conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&n)
	return n, err
}

// waitForRows polls until the table holds want rows and returns when the
// first rows became visible and when the last did.
func waitForRows(ctx context.Context, conn driver.Conn, want uint64, timeout time.Duration) (first, last time.Time, err error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		n, err := countRows(ctx, conn)
		if err != nil {
			return first, last, fmt.Errorf("counting rows: %w", err)
		}
		now := time.Now()
		if n > 0 && first.IsZero() {
			first = now
		}
		if n >= want {
			return first, now, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return first, last, fmt.Errorf("only part of %d rows stored after %s", want, timeout)
}
