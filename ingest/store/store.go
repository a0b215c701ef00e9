// Package store writes ingested events to ClickHouse and reads back the
// ingest ledger that makes replays idempotent.
package store

import (
	"context"
	"errors"
	"flag"
	"fmt"
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
}

// RegisterFlags registers the ClickHouse connection flags.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "clickhouse.addr", "127.0.0.1:19000", "ClickHouse native protocol address")
	fs.StringVar(&c.Database, "clickhouse.database", "opswarehouse", "ClickHouse database")
	fs.StringVar(&c.Username, "clickhouse.username", "default", "ClickHouse user")
	fs.StringVar(&c.Password, "clickhouse.password", "", "ClickHouse password")
	fs.DurationVar(&c.DialTimeout, "clickhouse.dial-timeout", 5*time.Second, "ClickHouse dial timeout")
	fs.DurationVar(&c.ReadTimeout, "clickhouse.read-timeout", 60*time.Second, "ClickHouse read timeout")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Addr == "" {
		return errors.New("clickhouse.addr is required")
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
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
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

// Conn is a ClickHouse connection.
type Conn = driver.Conn
