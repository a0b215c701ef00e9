// Package chaos proves the ingest path's exactly-once results under faults:
// it streams events through Kafka into real ingester processes while it
// SIGKILLs them, stops ClickHouse and restarts the Kafka broker, then counts
// with the project's own queries that every acknowledged event is stored
// exactly once and every bad message was dead-lettered.
package chaos

import (
	"errors"
	"flag"
	"os"
	"time"
)

// Config configures one chaos run.
type Config struct {
	BinDir          string
	Services        string // path of scripts/services.sh
	Brokers         string
	ClickHouseAddr  string
	Events          int
	BadEvery        int // one malformed message per this many events
	Rate            int // events per second produced
	Partitions      int
	Kills           int
	ClickHouseDown  time.Duration
	RestartKafka    bool
	NegativeControl bool
	Seed            int64
	Settle          time.Duration // how long to wait for the pipeline to drain
	Keep            bool          // keep the topics and database of a run that passed
}

// RegisterFlags registers the chaos flags with their defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.BinDir, "bin", "bin", "directory holding the ingester binary")
	fs.StringVar(&c.Services, "services", "scripts/services.sh", "services control script")
	fs.StringVar(&c.Brokers, "kafka.brokers", envOr("OPSW_KAFKA_BROKERS", "127.0.0.1:19092"), "Kafka broker (default from $OPSW_KAFKA_BROKERS)")
	fs.StringVar(&c.ClickHouseAddr, "clickhouse.addr", envOr("OPSW_CLICKHOUSE_ADDR", "127.0.0.1:19000"), "ClickHouse native address (default from $OPSW_CLICKHOUSE_ADDR)")
	fs.IntVar(&c.Events, "events", 200000, "valid events to produce")
	fs.IntVar(&c.BadEvery, "bad-every", 500, "produce one malformed message per this many events (0: none)")
	fs.IntVar(&c.Rate, "rate", 2500, "events per second")
	fs.IntVar(&c.Partitions, "partitions", 4, "partitions of the events topic")
	fs.IntVar(&c.Kills, "kills", 5, "SIGKILLs of the ingester at random moments")
	fs.DurationVar(&c.ClickHouseDown, "clickhouse-down", 22*time.Second, "how long ClickHouse is stopped (0: not stopped)")
	fs.BoolVar(&c.RestartKafka, "restart-kafka", true, "restart the Kafka broker mid-stream")
	fs.BoolVar(&c.NegativeControl, "negative-control", false, "disable deduplication; the run must then report duplicates")
	fs.Int64Var(&c.Seed, "seed", time.Now().UnixNano(), "seed of the fault schedule")
	fs.DurationVar(&c.Settle, "settle", 4*time.Minute, "longest wait for the pipeline to drain after producing")
	fs.BoolVar(&c.Keep, "keep", false, "keep the run's topics and database (dropped after a run that passed; a failed run always keeps them)")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Events < 1 || c.Rate < 1 || c.Partitions < 1 || c.Kills < 0 || c.BadEvery < 0 {
		return errors.New("events, rate and partitions must be positive; kills and bad-every not negative")
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
