package schema_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestMigrationsAreOrderedAndVersionGated(t *testing.T) {
	ms, err := schema.Migrations(schema.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 4 {
		t.Fatalf("%d migrations, want at least 4", len(ms))
	}
	for i, m := range ms {
		if i > 0 && m.Version <= ms[i-1].Version {
			t.Fatalf("migration %d out of order", m.Version)
		}
		if len(m.Statements) == 0 {
			t.Fatalf("migration %d has no statements", m.Version)
		}
	}
	old, current := 0, 0
	for _, m := range ms {
		for _, s := range m.For(schema.ServerVersion{Major: 18, Minor: 16}) {
			if strings.Contains(s, "TTL") {
				t.Errorf("TTL statement offered to 18.16: %s", s)
			}
			old++
		}
		current += len(m.For(schema.ServerVersion{Major: 26, Minor: 9}))
	}
	if current <= old {
		t.Fatalf("current servers get %d statements, 18.16 gets %d: TTL statements missing", current, old)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  schema.Config
		ok   bool
	}{
		{"defaults", schema.DefaultConfig(), true},
		{"zero raw", schema.Config{RawRetentionDays: 0, RollupRetentionDays: 30}, false},
		{"rollups shorter than raw", schema.Config{RawRetentionDays: 30, RollupRetentionDays: 7}, false},
	}
	for _, tt := range tests {
		if err := tt.cfg.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestMigrateIsIdempotentOnClickHouse(t *testing.T) {
	ch := testenv.ClickHouse(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), quietLogger()); err != nil {
			t.Fatalf("migrate #%d: %v", i+1, err)
		}
	}
	var tables uint64
	if err := ch.Conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase()").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables < 8 {
		t.Fatalf("%d tables after migrating, want at least 8", tables)
	}
}

func TestEnforceRetentionDropsExpiredPartitions(t *testing.T) {
	ch := testenv.ClickHouse(t)
	ctx := context.Background()
	cfg := schema.DefaultConfig()
	if err := schema.Migrate(ctx, ch.Conn, cfg, quietLogger()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	row := func(id string, ts time.Time) store.Row {
		return store.Row{Event: event.Event{V: 1, ID: id, Time: ts, Tenant: "t-1", Service: "s", Kind: event.KindRequest},
			IngestedAt: now, Source: store.Source{Topic: "retention"}}
	}
	rows := []store.Row{row("old", now.AddDate(0, 0, -(cfg.RawRetentionDays+5))), row("new", now)}
	if err := store.NewWriter(ch.Conn).WriteRows(ctx, rows); err != nil {
		t.Fatal(err)
	}
	dropped, err := schema.EnforceRetention(ctx, ch.Conn, cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	var left uint64
	if err := ch.Conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&left); err != nil {
		t.Fatal(err)
	}
	version, _ := schema.ParseServerVersion(ch.Version.String())
	if version.SupportsTTL() {
		if len(dropped) != 0 {
			t.Fatalf("dropped %v on a server with TTL", dropped)
		}
		return
	}
	if len(dropped) != 1 || !strings.HasPrefix(dropped[0], "events/") || left != 1 {
		t.Fatalf("dropped %v, %d rows left; want the old day's events partition dropped and 1 row left", dropped, left)
	}
}

func TestMigrationsRunOnCurrentClickHouse(t *testing.T) {
	db := testenv.Chdb(t)
	version, err := schema.ParseServerVersion(db.Version.String())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := schema.Migrations(schema.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"CREATE DATABASE IF NOT EXISTS w", "USE w"}
	for _, m := range ms {
		stmts = append(stmts, m.For(version)...)
	}
	// Twice: every statement must be idempotent on current servers too.
	for i := 0; i < 2; i++ {
		for _, s := range stmts {
			if _, err := db.Exec(t, s); err != nil {
				t.Fatalf("ClickHouse %s rejected:\n%s\n%v", db.Version, s, err)
			}
		}
	}
}
