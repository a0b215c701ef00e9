package schema

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

const migrationsTableDDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32,
    name String,
    applied_at DateTime
) ENGINE = MergeTree ORDER BY version`

// Migrate applies every migration not yet recorded in schema_migrations, in
// order. Statements are idempotent (IF NOT EXISTS, MODIFY), so two migrators
// racing, or a crash between a statement and its record, are harmless.
func Migrate(ctx context.Context, conn driver.Conn, cfg Config, logger *slog.Logger) error {
	version, err := ServerVersionOf(ctx, conn)
	if err != nil {
		return err
	}
	if err := conn.Exec(ctx, migrationsTableDDL); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	applied, err := appliedVersions(ctx, conn)
	if err != nil {
		return err
	}
	migrations, err := Migrations(cfg)
	if err != nil {
		return err
	}
	for _, m := range migrations {
		if applied[m.Version] {
			continue
		}
		for _, stmt := range m.For(version) {
			if err := conn.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("applying migration %04d_%s: %w", m.Version, m.Name, err)
			}
		}
		if err := recordMigration(ctx, conn, m); err != nil {
			return err
		}
		logger.Info("applied migration", "version", m.Version, "name", m.Name, "server", version.String())
	}
	return nil
}

// ServerVersionOf asks the server for its version.
func ServerVersionOf(ctx context.Context, conn driver.Conn) (ServerVersion, error) {
	var v string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil {
		return ServerVersion{}, fmt.Errorf("querying server version: %w", err)
	}
	return ParseServerVersion(v)
}

func appliedVersions(ctx context.Context, conn driver.Conn) (map[int]bool, error) {
	rows, err := conn.Query(ctx, "SELECT DISTINCT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("scanning schema_migrations: %w", err)
		}
		out[int(v)] = true
	}
	return out, rows.Err()
}

// recordMigration inserts through a batch: old servers wait for a data block
// after an INSERT statement, so INSERT ... VALUES through Exec would hang.
func recordMigration(ctx context.Context, conn driver.Conn, m Migration) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, applied_at)")
	if err != nil {
		return fmt.Errorf("recording migration %04d: %w", m.Version, err)
	}
	if err := batch.Append(uint32(m.Version), m.Name, time.Now().UTC()); err != nil {
		return fmt.Errorf("recording migration %04d: %w", m.Version, err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("recording migration %04d: %w", m.Version, err)
	}
	return nil
}
