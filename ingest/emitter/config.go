package emitter

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

// Config configures an Emitter. Zero fields take the defaults below; a
// Config read from YAML, flags or a struct literal is completed the same way.
type Config struct {
	Brokers []string `yaml:"brokers"`
	Topic   string   `yaml:"topic"`
	// ClientID names this producer in the broker's logs and quotas.
	ClientID string `yaml:"client_id"`

	// BufferSize bounds the events accepted by Emit but not yet acknowledged
	// or failed; Emit drops (buffer_full) when it is reached.
	BufferSize   int           `yaml:"buffer_size"`
	BatchSize    int           `yaml:"batch_size"`  // events per produce request and partition
	BatchBytes   int           `yaml:"batch_bytes"` // uncompressed bytes per produce request and partition
	BatchTimeout time.Duration `yaml:"batch_timeout"`
	Compression  string        `yaml:"compression"` // lz4, zstd, snappy, gzip or none

	// WriteTimeout bounds one produce or metadata request.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// MaxAttempts bounds how often a batch is tried before its events are
	// counted as failed; retries back off from RetryBackoffMin to RetryBackoffMax.
	MaxAttempts     int           `yaml:"max_attempts"`
	RetryBackoffMin time.Duration `yaml:"retry_backoff_min"`
	RetryBackoffMax time.Duration `yaml:"retry_backoff_max"`
}

// Defaults, in one place.
const (
	DefaultTopic           = "opswarehouse.events.v1" // what the ingester consumes
	DefaultClientID        = "opswarehouse-emitter"
	DefaultBufferSize      = 65536
	DefaultBatchSize       = 1000
	DefaultBatchBytes      = 1 << 20
	DefaultBatchTimeout    = 20 * time.Millisecond
	DefaultCompression     = "lz4"
	DefaultWriteTimeout    = 10 * time.Second
	DefaultMaxAttempts     = 5
	DefaultRetryBackoffMin = 100 * time.Millisecond
	DefaultRetryBackoffMax = 2 * time.Second
)

// minBatchBytes lets a batch hold the largest event the contract accepts,
// with room for its key and record overhead.
const minBatchBytes = 2 * 64 << 10

// DefaultBrokers is where a development Kafka listens (scripts/services.sh).
func DefaultBrokers() []string { return []string{"127.0.0.1:19092"} }

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if len(c.Brokers) == 0 {
		c.Brokers = DefaultBrokers()
	}
	setDefault(&c.Topic, DefaultTopic)
	setDefault(&c.ClientID, DefaultClientID)
	setDefault(&c.BufferSize, DefaultBufferSize)
	setDefault(&c.BatchSize, DefaultBatchSize)
	setDefault(&c.BatchBytes, DefaultBatchBytes)
	setDefault(&c.BatchTimeout, DefaultBatchTimeout)
	setDefault(&c.Compression, DefaultCompression)
	setDefault(&c.WriteTimeout, DefaultWriteTimeout)
	setDefault(&c.MaxAttempts, DefaultMaxAttempts)
	setDefault(&c.RetryBackoffMin, DefaultRetryBackoffMin)
	setDefault(&c.RetryBackoffMax, DefaultRetryBackoffMax)
	return c
}

func setDefault[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}

// RegisterFlags registers the emitter's flags on fs. Current values (after
// defaults) are the flags' defaults, so flags override a loaded config file
// only when given.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	*c = c.WithDefaults()
	fs.Var((*brokerList)(&c.Brokers), "emitter.brokers", "comma-separated Kafka bootstrap brokers (host:port)")
	fs.StringVar(&c.Topic, "emitter.topic", c.Topic, "Kafka topic events are produced to")
	fs.StringVar(&c.ClientID, "emitter.client-id", c.ClientID, "Kafka client id")
	fs.IntVar(&c.BufferSize, "emitter.buffer-size", c.BufferSize, "events accepted but not yet acknowledged before Emit drops")
	fs.IntVar(&c.BatchSize, "emitter.batch-size", c.BatchSize, "events per produce request and partition")
	fs.IntVar(&c.BatchBytes, "emitter.batch-bytes", c.BatchBytes, "uncompressed bytes per produce request and partition")
	fs.DurationVar(&c.BatchTimeout, "emitter.batch-timeout", c.BatchTimeout, "longest wait to fill a batch")
	fs.StringVar(&c.Compression, "emitter.compression", c.Compression, "lz4, zstd, snappy, gzip or none")
	fs.DurationVar(&c.WriteTimeout, "emitter.write-timeout", c.WriteTimeout, "timeout of one produce or metadata request")
	fs.IntVar(&c.MaxAttempts, "emitter.max-attempts", c.MaxAttempts, "attempts per batch before its events count as failed")
	fs.DurationVar(&c.RetryBackoffMin, "emitter.retry-backoff-min", c.RetryBackoffMin, "first retry delay")
	fs.DurationVar(&c.RetryBackoffMax, "emitter.retry-backoff-max", c.RetryBackoffMax, "largest retry delay")
}

// Validate reports every problem with a defaulted Config.
func (c Config) Validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("brokers: at least one is required"))
	}
	for _, b := range c.Brokers {
		if b == "" || !strings.Contains(b, ":") {
			errs = append(errs, fmt.Errorf("brokers: %q is not host:port", b))
		}
	}
	if c.Topic == "" {
		errs = append(errs, errors.New("topic is required"))
	}
	if _, err := compressionCodec(c.Compression); err != nil {
		errs = append(errs, err)
	}
	checks := []struct {
		ok   bool
		rule string
	}{
		{c.BufferSize > 0, "buffer_size must be positive"},
		{c.BatchSize > 0, "batch_size must be positive"},
		{c.BatchBytes >= minBatchBytes, fmt.Sprintf("batch_bytes must be at least %d, the largest event", minBatchBytes)},
		{c.BatchTimeout > 0, "batch_timeout must be positive"},
		{c.WriteTimeout > 0, "write_timeout must be positive"},
		{c.MaxAttempts > 0, "max_attempts must be positive"},
		{c.RetryBackoffMin > 0, "retry_backoff_min must be positive"},
		{c.RetryBackoffMax >= c.RetryBackoffMin, "retry_backoff_max must not be below retry_backoff_min"},
	}
	for _, ch := range checks {
		if !ch.ok {
			errs = append(errs, errors.New(ch.rule))
		}
	}
	return errors.Join(errs...)
}

func compressionCodec(name string) (kafka.Compression, error) {
	switch name {
	case "lz4":
		return kafka.Lz4, nil
	case "zstd":
		return kafka.Zstd, nil
	case "snappy":
		return kafka.Snappy, nil
	case "gzip":
		return kafka.Gzip, nil
	case "none":
		return 0, nil
	}
	return 0, fmt.Errorf("compression: %q is not one of lz4, zstd, snappy, gzip, none", name)
}

// brokerList is a comma-separated flag value.
type brokerList []string

func (l *brokerList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *brokerList) Set(s string) error {
	*l = nil
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			*l = append(*l, b)
		}
	}
	return nil
}
