package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// CH is a ClickHouse server with a database of the test's own.
type CH struct {
	// Conn uses Database as its default database.
	Conn driver.Conn
	// Database is created for the test and dropped at its cleanup.
	Database string
	// Addr is the native-protocol address, host:port.
	Addr string
	// HTTPURL is the HTTP interface's base URL.
	HTTPURL string
	Version Version
}

// ClickHouse connects to the server at $OPSW_CLICKHOUSE_ADDR (default
// 127.0.0.1:19000) and creates a database for the test.
func ClickHouse(tb testing.TB) *CH {
	tb.Helper()
	addr := envOr("OPSW_CLICKHOUSE_ADDR", "127.0.0.1:19000")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	admin, err := openClickHouse(addr, "default")
	if err == nil {
		err = admin.Ping(ctx)
	}
	if err != nil {
		if admin != nil {
			_ = admin.Close()
		}
		unavailable(tb, "clickhouse", addr, err)
		return nil
	}
	tb.Cleanup(func() { _ = admin.Close() })

	var raw string
	if err := admin.QueryRow(ctx, "SELECT version()").Scan(&raw); err != nil {
		tb.Fatalf("testenv: clickhouse version: %v", err)
	}
	version, err := ParseVersion(raw)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}

	db := uniqueName(tb)
	if err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		tb.Fatalf("testenv: creating clickhouse database %s: %v", db, err)
	}
	// Registered after admin's Close, so it runs before it.
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
			tb.Errorf("testenv: dropping clickhouse database %s: %v", db, err)
		}
	})

	conn, err := openClickHouse(addr, db)
	if err == nil {
		err = conn.Ping(ctx)
	}
	if err != nil {
		tb.Fatalf("testenv: connecting to clickhouse database %s: %v", db, err)
	}
	tb.Cleanup(func() { _ = conn.Close() })

	return &CH{
		Conn:     conn,
		Database: db,
		Addr:     addr,
		HTTPURL:  envOr("OPSW_CLICKHOUSE_HTTP_URL", "http://127.0.0.1:18123"),
		Version:  version,
	}
}

func openClickHouse(addr, database string) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{addr},
		Auth:        clickhouse.Auth{Database: database, Username: "default"},
		DialTimeout: 5 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("opening clickhouse %s: %w", addr, err)
	}
	return conn, nil
}
