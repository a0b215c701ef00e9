package chaos

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/ingest/ingester"
	"github.com/opswarehouse/opswarehouse/ingest/kafkaadmin"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// Result is what a run counted.
type Result struct {
	Produced     int // acknowledged sends: valid events plus malformed messages
	Stored       int // distinct events stored
	DeadLettered int // distinct malformed messages in the dead-letter topic
	Duplicated   int // stored rows beyond one per event
	Lost         int // acknowledged valid events not stored
}

// String is the run's closing line.
func (r Result) String() string {
	return fmt.Sprintf("RESULT produced=%d stored=%d dead_lettered=%d duplicated=%d lost=%d",
		r.Produced, r.Stored, r.DeadLettered, r.Duplicated, r.Lost)
}

// ExactlyOnce reports whether the run stored every event exactly once.
func (r Result) ExactlyOnce() bool {
	return r.Duplicated == 0 && r.Lost == 0 && r.Produced == r.Stored+r.DeadLettered
}

// Passed reports whether the run showed what it was for: exactly once, or,
// as the negative control (deduplication disabled), duplicates.
func (r Result) Passed(negativeControl bool) bool {
	if negativeControl {
		return r.Duplicated > 0
	}
	return r.ExactlyOnce()
}

type run struct {
	cfg    Config
	log    *slog.Logger
	rng    *rand.Rand
	id     string
	topic  string
	dlq    string
	db     string
	conn   driver.Conn
	ingest *process
}

// Run executes one chaos run and returns its counts.
func Run(ctx context.Context, cfg Config, log *slog.Logger) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	r := &run{cfg: cfg, log: log, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 7))}
	r.id = fmt.Sprintf("chaos_%d", time.Now().Unix())
	r.topic, r.dlq, r.db = r.id+".events", r.id+".dlq", r.id
	if err := r.setup(ctx); err != nil {
		return Result{}, err
	}
	defer r.conn.Close()
	logFile, err := os.CreateTemp("", r.id+"-ingester-*.log")
	if err != nil {
		return Result{}, fmt.Errorf("creating ingester log: %w", err)
	}
	defer logFile.Close()
	r.ingest = newProcess(r.ingesterCommand(), logFile, log)
	if err := r.ingest.start(); err != nil {
		return Result{}, err
	}
	defer r.ingest.stop()
	log.Info("chaos run", "seed", cfg.Seed, "topic", r.topic, "database", r.db, "events", cfg.Events,
		"rate", cfg.Rate, "kills", cfg.Kills, "clickhouse_down", cfg.ClickHouseDown, "restart_kafka", cfg.RestartKafka,
		"negative_control", cfg.NegativeControl, "ingester_log", logFile.Name())

	prod := newProducer(cfg, r.topic, r.id)
	faultsDone := make(chan error, 1)
	go func() { faultsDone <- r.runFaults(ctx, prod.duration()) }()
	produced, err := prod.run(ctx, log)
	if err != nil {
		return Result{}, err
	}
	if err := <-faultsDone; err != nil {
		return Result{}, err
	}
	drained := r.settle(ctx, produced)
	if err := r.ingest.stop(); err != nil {
		log.Warn("stopping ingester", "err", err)
	}
	failed := r.ingest.failure()
	if !drained || failed != nil {
		// CI keeps nothing but this output, and the ingester's log is the only
		// record of why it stopped making progress.
		printTail(os.Stderr, logFile.Name(), 80)
	}
	if failed != nil {
		return Result{}, failed
	}
	res, err := r.count(ctx, produced)
	if err == nil && res.Passed(cfg.NegativeControl) && !cfg.Keep {
		r.cleanUp(ctx)
	} else {
		log.Info("kept the run's topics and database", "topic", r.topic, "dead_letter_topic", r.dlq, "database", r.db)
	}
	return res, err
}

// cleanUp drops the run's database and topics; a failure only costs disk,
// so it is logged, not returned.
func (r *run) cleanUp(ctx context.Context) {
	if err := kafkaadmin.DeleteTopics(ctx, r.cfg.Brokers, r.topic, r.dlq); err != nil {
		r.log.Warn("deleting the run's topics", "err", err)
	}
	// The database name is built from the run id, an identifier.
	if err := r.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+r.db); err != nil {
		r.log.Warn("dropping the run's database", "database", r.db, "err", err)
	}
}

func (r *run) setup(ctx context.Context) error {
	if err := kafkaadmin.CreateTopics(ctx, r.cfg.Brokers, map[string]int{r.topic: r.cfg.Partitions, r.dlq: 1}); err != nil {
		return err
	}
	storeCfg := store.Config{Addr: r.cfg.ClickHouseAddr, Database: r.db, Username: "default", DialTimeout: 5 * time.Second, ReadTimeout: time.Minute}
	conn, err := store.Open(ctx, storeCfg, true)
	if err != nil {
		return err
	}
	r.conn = conn
	return schema.Migrate(ctx, conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func (r *run) ingesterCommand() []string {
	args := []string{r.cfg.BinDir + "/ingester",
		"-kafka.brokers", r.cfg.Brokers, "-kafka.topic", r.topic, "-kafka.dead-letter-topic", r.dlq,
		"-kafka.group", r.id, "-clickhouse.addr", r.cfg.ClickHouseAddr, "-clickhouse.database", r.db,
		"-guard.pseudonym-key", "chaos-pseudonym-key-0123456789", "-listen", "127.0.0.1:0",
		"-kafka.session-timeout", "6s", "-ingest.attempt-timeout", "10s", "-ingest.batch-age", "500ms",
		"-ingest.batch-size", "20000", "-migrate=false", "-log.level", "INFO",
	}
	if r.cfg.NegativeControl {
		args = append(args, "-ingest.unsafe-disable-dedup")
	}
	return args
}

// settle waits until everything produced is accounted for, or Settle passes,
// and reports whether it was.
func (r *run) settle(ctx context.Context, produced produced) bool {
	deadline := time.Now().Add(r.cfg.Settle)
	var res Result
	for time.Now().Before(deadline) && ctx.Err() == nil {
		var err error
		res, err = r.count(ctx, produced)
		if err == nil && res.Stored+res.DeadLettered >= res.Produced {
			r.log.Info("pipeline drained", "stored", res.Stored, "dead_lettered", res.DeadLettered)
			time.Sleep(5 * time.Second) // a late duplicate would land now
			return true
		}
		if err != nil {
			r.log.Warn("counting", "err", err)
		}
		time.Sleep(2 * time.Second)
	}
	r.log.Warn("pipeline did not drain before the settle timeout", "stored", res.Stored, "produced", res.Produced)
	return false
}

// printTail copies the last n lines of the file at path to w.
func printTail(w io.Writer, path string, n int) {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(w, "reading ingester log: %v\n", err)
		return
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	fmt.Fprintf(w, "--- last %d lines of the ingester log %s ---\n%s\n--- end of ingester log ---\n", len(lines), path, strings.Join(lines, "\n"))
}

// count uses the project's own queries to count what landed.
func (r *run) count(ctx context.Context, p produced) (Result, error) {
	res := Result{Produced: p.valid + p.malformed}
	rows, distinct, err := r.stored(ctx)
	if err != nil {
		return res, err
	}
	dl, err := ingester.SummarizeDeadLetters(ctx, r.cfg.Brokers, r.dlq)
	if err != nil {
		return res, err
	}
	res.Stored = int(distinct)
	res.Duplicated = int(rows - distinct)
	res.DeadLettered = dl.DistinctPayloads
	res.Lost = max(p.valid-res.Stored, 0)
	return res, nil
}
