// Package bench measures the ingest path on this machine, side by side in one
// run: the ingester end to end (Kafka → ClickHouse), ClickHouse's own native
// insert ceiling for the same rows, and ClickHouse's Kafka table engine
// consuming the same topic; plus ingest-to-queryable latency at half the
// measured rate and the ingester's peak RSS.
package bench

import (
	"errors"
	"flag"
	"os"
	"time"
)

// Config configures a benchmark run.
type Config struct {
	BinDir         string
	Brokers        string
	ClickHouseAddr string
	Events         int
	Partitions     int
	BatchSize      int
	InsertGroup    int
	IngesterArgs   string
	Keep           bool
	LatencyFor     time.Duration
	Profile        time.Duration
	OutDir         string
	SkipKafkaTable bool
	Unsorted       bool
}

// RegisterFlags registers the benchmark flags.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.BinDir, "bin", "bin", "directory holding the ingester binary")
	fs.StringVar(&c.Brokers, "kafka.brokers", envOr("OPSW_KAFKA_BROKERS", "127.0.0.1:19092"), "Kafka broker (default from $OPSW_KAFKA_BROKERS)")
	fs.StringVar(&c.ClickHouseAddr, "clickhouse.addr", envOr("OPSW_CLICKHOUSE_ADDR", "127.0.0.1:19000"), "ClickHouse native address (default from $OPSW_CLICKHOUSE_ADDR)")
	fs.IntVar(&c.Events, "events", 3_000_000, "events in the throughput runs")
	fs.IntVar(&c.Partitions, "partitions", 4, "partitions of the benchmark topic")
	fs.IntVar(&c.BatchSize, "batch-size", 25_000, "ingester batch size (the ceiling sends one such batch per partition in each INSERT, as the ingester does at best)")
	fs.BoolVar(&c.Keep, "keep", false, "keep the run's topics and databases (dropped at the end by default)")
	fs.StringVar(&c.IngesterArgs, "ingester-args", "", "extra flags for the ingester under test, space-separated (for experiments; the reported runs use none)")
	fs.IntVar(&c.InsertGroup, "schema-costs-group", 1, "with -schema-costs: batches sent as the blocks of one INSERT")
	fs.DurationVar(&c.LatencyFor, "latency-for", 20*time.Second, "length of the latency run")
	fs.DurationVar(&c.Profile, "profile", 8*time.Second, "CPU profile length taken from the ingester during the end-to-end run (0: none)")
	fs.StringVar(&c.OutDir, "out", ".bench", "directory for profiles and logs")
	fs.BoolVar(&c.SkipKafkaTable, "skip-kafka-engine", false, "skip the Kafka table engine run")
	fs.BoolVar(&c.Unsorted, "unsorted", false, "leave batches in arrival order, in the ingester (-ingest.sort-batches=false) and the ceiling's prebuilt batches alike (for A/B runs)")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Events < 10000 || c.Partitions < 1 || c.BatchSize < 1000 {
		return errors.New("events >= 10000, partitions >= 1 and batch-size >= 1000 required")
	}
	if c.LatencyFor < 5*time.Second {
		return errors.New("latency-for must be at least 5s: the latency run needs probes to measure")
	}
	return nil
}

// envOr lets scripts/services.sh's environment (scripts/services.sh env)
// choose the default addresses.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
