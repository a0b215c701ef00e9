// Package ingester consumes operational events from Kafka and writes them to
// ClickHouse with exactly-once results: per-partition batches, each inserted
// as one block whose rows record the Kafka offsets they cover; on every
// (re)assignment a partition resumes after the highest offset ClickHouse
// already holds, so replays after a crash, a broker restart or a rebalance
// never store an event twice. Bad messages go to a dead-letter topic with a
// reason; nothing is dropped silently.
package ingester

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Config configures an ingester.
type Config struct {
	Brokers         []string      `yaml:"brokers"`
	Topic           string        `yaml:"topic"`
	GroupID         string        `yaml:"group_id"`
	DeadLetterTopic string        `yaml:"dead_letter_topic"`
	BatchSize       int           `yaml:"batch_size"`
	BatchAge        time.Duration `yaml:"batch_age"`
	InsertRows      int           `yaml:"insert_rows"`
	InsertLinger    time.Duration `yaml:"insert_linger"`
	FetchMaxBytes   int           `yaml:"fetch_max_bytes"`
	CommitInterval  time.Duration `yaml:"commit_interval"`
	SessionTimeout  time.Duration `yaml:"session_timeout"`
	AttemptTimeout  time.Duration `yaml:"attempt_timeout"`
	DedupWindow     int           `yaml:"dedup_window"`
	RetryMin        time.Duration `yaml:"retry_min"`
	RetryMax        time.Duration `yaml:"retry_max"`
	MaxEventBytes   int           `yaml:"max_event_bytes"`
	MaxFuture       time.Duration `yaml:"max_future"`
	MaxAge          time.Duration `yaml:"max_age"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// SortBatches puts each batch in the events table's key order, so
	// ClickHouse need not sort it (store.Batch.SortByKey).
	SortBatches bool `yaml:"sort_batches"`
	// DisableDedup turns off the ledger resume and the duplicate window. It
	// exists only for the chaos test's negative control.
	DisableDedup bool `yaml:"-"`
}

// RegisterFlags registers the ingester flags with their defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	*c = DefaultConfig()
	fs.Func("kafka.brokers", "comma-separated Kafka bootstrap brokers (default 127.0.0.1:19092)", func(s string) error {
		c.Brokers = splitList(s)
		return nil
	})
	fs.StringVar(&c.Topic, "kafka.topic", c.Topic, "topic of operational events")
	fs.StringVar(&c.GroupID, "kafka.group", c.GroupID, "consumer group id shared by all ingester replicas")
	fs.StringVar(&c.DeadLetterTopic, "kafka.dead-letter-topic", c.DeadLetterTopic, "topic for rejected messages")
	fs.IntVar(&c.BatchSize, "ingest.batch-size", c.BatchSize, "messages per partition batch before a flush")
	fs.DurationVar(&c.BatchAge, "ingest.batch-age", c.BatchAge, "oldest a partition batch gets before a flush")
	fs.IntVar(&c.InsertRows, "ingest.insert-rows", c.InsertRows, "rows of several partitions' batches combined into one INSERT (ClickHouse squashes them into one block)")
	fs.DurationVar(&c.InsertLinger, "ingest.insert-linger", c.InsertLinger, "how long a batch waits for other partitions' batches to share its INSERT (not at all once every partition has handed one over)")
	fs.IntVar(&c.FetchMaxBytes, "ingest.fetch-max-bytes", c.FetchMaxBytes, "largest Kafka fetch per partition")
	fs.DurationVar(&c.CommitInterval, "ingest.commit-interval", c.CommitInterval, "how often acknowledged offsets are committed to Kafka")
	fs.DurationVar(&c.SessionTimeout, "kafka.session-timeout", c.SessionTimeout, "consumer group session timeout")
	fs.DurationVar(&c.AttemptTimeout, "ingest.attempt-timeout", c.AttemptTimeout, "longest one insert attempt may take, and after a failed one the longest the ingester waits for the server to finish it; the group's rebalance timeout is twice this plus the session timeout")
	fs.IntVar(&c.DedupWindow, "ingest.dedup-window", c.DedupWindow, "recent event ids remembered per partition to drop producer retries")
	fs.DurationVar(&c.RetryMin, "ingest.retry-min", c.RetryMin, "first backoff when ClickHouse or Kafka fails")
	fs.DurationVar(&c.RetryMax, "ingest.retry-max", c.RetryMax, "largest backoff")
	fs.IntVar(&c.MaxEventBytes, "ingest.max-event-bytes", c.MaxEventBytes, "largest accepted event")
	fs.DurationVar(&c.MaxFuture, "ingest.max-future", c.MaxFuture, "how far ahead of now an event timestamp may be")
	fs.DurationVar(&c.MaxAge, "ingest.max-age", c.MaxAge, "how old an event timestamp may be")
	fs.DurationVar(&c.ShutdownTimeout, "ingest.shutdown-timeout", c.ShutdownTimeout, "time allowed to flush on shutdown")
	fs.BoolVar(&c.SortBatches, "ingest.sort-batches", c.SortBatches, "sort each batch by the events table's key before inserting it, so ClickHouse's single INSERT thread skips that sort")
	fs.BoolVar(&c.DisableDedup, "ingest.unsafe-disable-dedup", false, "TESTING ONLY: resume from committed offsets alone and keep duplicate ids (the chaos test's negative control)")
}

// DefaultConfig returns the defaults, in one place.
func DefaultConfig() Config {
	return Config{
		Brokers:         []string{"127.0.0.1:19092"},
		Topic:           "opswarehouse.events.v1",
		GroupID:         "opswarehouse-ingester",
		DeadLetterTopic: "opswarehouse.events.dlq",
		BatchSize:       25000,
		BatchAge:        time.Second,
		InsertRows:      200000,
		InsertLinger:    100 * time.Millisecond,
		FetchMaxBytes:   8 << 20,
		CommitInterval:  time.Second,
		SessionTimeout:  10 * time.Second,
		AttemptTimeout:  20 * time.Second,
		DedupWindow:     50000,
		RetryMin:        100 * time.Millisecond,
		RetryMax:        5 * time.Second,
		MaxEventBytes:   event.DefaultLimits.MaxBytes,
		MaxFuture:       event.DefaultLimits.MaxFuture,
		MaxAge:          event.DefaultLimits.MaxAge,
		ShutdownTimeout: 30 * time.Second,
		SortBatches:     true,
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("kafka.brokers is required"))
	}
	if c.Topic == "" || c.GroupID == "" || c.DeadLetterTopic == "" {
		errs = append(errs, errors.New("kafka.topic, kafka.group and kafka.dead-letter-topic are required"))
	}
	if c.Topic == c.DeadLetterTopic {
		errs = append(errs, errors.New("the dead-letter topic must differ from the events topic"))
	}
	if c.BatchSize < 1 || c.BatchSize > 1_000_000 {
		errs = append(errs, fmt.Errorf("ingest.batch-size %d outside [1, 1000000] (one batch must stay one ClickHouse block)", c.BatchSize))
	}
	if c.InsertRows < 1 || c.InsertRows > 1_000_000 || c.InsertLinger < 0 {
		errs = append(errs, fmt.Errorf("ingest.insert-rows %d outside [1, 1000000] (ClickHouse's min_insert_block_size_rows keeps one INSERT one block) or negative ingest.insert-linger", c.InsertRows))
	}
	if c.BatchAge <= 0 || c.CommitInterval <= 0 || c.RetryMin <= 0 || c.RetryMax < c.RetryMin {
		errs = append(errs, errors.New("batch age, commit interval and retry backoffs must be positive, retry-max >= retry-min"))
	}
	if c.AttemptTimeout < time.Second {
		errs = append(errs, errors.New("ingest.attempt-timeout must be at least 1s"))
	}
	if c.SessionTimeout < 6*time.Second {
		errs = append(errs, errors.New("kafka.session-timeout must be at least 6s (the broker's minimum)"))
	}
	if c.MaxEventBytes < 1024 || c.DedupWindow < 0 {
		errs = append(errs, errors.New("ingest.max-event-bytes must be >= 1024 and ingest.dedup-window >= 0"))
	}
	return errors.Join(errs...)
}

// rebalanceTimeout is how long the group waits for a member to rejoin. A
// partition whose generation ends waits for the INSERT holding its batch
// (one attempt) and, if it failed, until the server no longer runs it (at
// most another attempt), so its next owner never reads the ledger while an
// INSERT of it may still land; the session timeout is the margin for the
// rejoin itself.
func (c *Config) rebalanceTimeout() time.Duration { return 2*c.AttemptTimeout + c.SessionTimeout }

func (c *Config) limits() event.Limits {
	return event.Limits{MaxBytes: c.MaxEventBytes, MaxFuture: c.MaxFuture, MaxAge: c.MaxAge}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
