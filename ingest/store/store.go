// Package store writes ingested events to ClickHouse and reads back the
// ingest ledger that makes replays idempotent.
package store

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Config says how to reach ClickHouse.
type Config struct {
	Addr        string        `yaml:"addr"`
	Database    string        `yaml:"database"`
	Username    string        `yaml:"username"`
	Password    string        `yaml:"password"`
	DialTimeout time.Duration `yaml:"dial_timeout"`
	ReadTimeout time.Duration `yaml:"read_timeout"`
	Compression string        `yaml:"compression"`
	// SerialViews turns off running an INSERT's materialized views in
	// parallel (Writer.SetParallelViews); off by default, so the zero value
	// is the recommended setting.
	SerialViews bool `yaml:"serial_views"`
}

// RegisterFlags registers the ClickHouse connection flags.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "clickhouse.addr", "127.0.0.1:19000", "ClickHouse native protocol address")
	fs.StringVar(&c.Database, "clickhouse.database", "opswarehouse", "ClickHouse database")
	fs.StringVar(&c.Username, "clickhouse.username", "default", "ClickHouse user")
	fs.StringVar(&c.Password, "clickhouse.password", "", "ClickHouse password")
	fs.DurationVar(&c.DialTimeout, "clickhouse.dial-timeout", 5*time.Second, "ClickHouse dial timeout")
	fs.DurationVar(&c.ReadTimeout, "clickhouse.read-timeout", 60*time.Second, "ClickHouse read timeout")
	fs.BoolVar(&c.SerialViews, "clickhouse.serial-views", false, "have ClickHouse run the materialized views of each INSERT one after another in the INSERT's thread instead of in parallel (parallel_view_processing)")
	fs.StringVar(&c.Compression, "clickhouse.compression", "auto", "block compression on the native protocol: lz4, zstd, none, or auto (none for a loopback address, where compressing only costs CPU on both ends; lz4 otherwise)")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Addr == "" {
		return errors.New("clickhouse.addr is required")
	}
	if _, ok := compressionMethods[c.Compression]; !ok && c.Compression != "auto" && c.Compression != "" {
		return fmt.Errorf("clickhouse.compression %q is not one of auto, lz4, zstd, none", c.Compression)
	}
	if c.Database == "" || !event.IsIdentifier(c.Database) || strings.ContainsAny(c.Database, ".:/+-") {
		return fmt.Errorf("clickhouse.database %q must be letters, digits and underscores", c.Database)
	}
	return nil
}

// Open connects to ClickHouse, creating the database when asked to.
func Open(ctx context.Context, cfg Config, createDatabase bool) (driver.Conn, error) {
	if createDatabase {
		admin, err := dial(cfg, "default")
		if err != nil {
			return nil, err
		}
		// A database name is an identifier validated by Config.Validate.
		err = admin.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+cfg.Database)
		admin.Close()
		if err != nil {
			return nil, fmt.Errorf("creating database %s: %w", cfg.Database, err)
		}
	}
	conn, err := dial(cfg, cfg.Database)
	if err != nil {
		return nil, err
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("pinging ClickHouse at %s: %w", cfg.Addr, err)
	}
	return conn, nil
}

func dial(cfg Config, database string) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{cfg.Addr},
		Auth:        clickhouse.Auth{Database: database, Username: cfg.Username, Password: cfg.Password},
		DialTimeout: cfg.DialTimeout,
		ReadTimeout: cfg.ReadTimeout,
		Compression: cfg.compression(),
		// Each pooled connection keeps its encode and compression buffers
		// at this size; the 10 MiB default made them a third of the
		// ingester's heap. A block is sent in chunks of about this size.
		MaxCompressionBuffer: 1 << 20,
		MaxOpenConns:         16,
		MaxIdleConns:         8,
	})
	if err != nil {
		return nil, fmt.Errorf("opening ClickHouse at %s: %w", cfg.Addr, err)
	}
	return conn, nil
}

// compression resolves "auto" (and unset): none when ClickHouse listens on
// a loopback address, LZ4 otherwise.
func (c *Config) compression() *clickhouse.Compression {
	if c.Compression != "" && c.Compression != "auto" {
		return compressionMethods[c.Compression]
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		host = c.Addr
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return compressionMethods["lz4"]
}

var compressionMethods = map[string]*clickhouse.Compression{
	"lz4":  {Method: clickhouse.CompressionLZ4},
	"zstd": {Method: clickhouse.CompressionZSTD},
	"none": nil,
}

// Conn is a ClickHouse connection.
type Conn = driver.Conn
