package schema

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

func named(name string, v any) driver.NamedValue { return clickhouse.Named(name, v) }

// retentionTables lists each table's partition format and retention class.
var retentionTables = []struct {
	table  string
	layout string // Go time layout of the partition id
	rollup bool
}{
	{"events", "20060102", false},
	{"events_1m", "200601", true},
	{"errors_1m", "200601", true},
	{"job_attempts_1m", "200601", true},
	{"usage_1m", "200601", true},
	{"detector_ticks", "200601", true},
}

// EnforceRetention drops partitions wholly older than the retention on
// servers without TTL support; on newer servers TTL does the job and this is
// a no-op. It returns the partitions it dropped, as table/partition.
func EnforceRetention(ctx context.Context, conn driver.Conn, cfg Config, now time.Time) ([]string, error) {
	version, err := ServerVersionOf(ctx, conn)
	if err != nil {
		return nil, err
	}
	if version.SupportsTTL() {
		return nil, nil
	}
	var dropped []string
	for _, t := range retentionTables {
		days := cfg.RawRetentionDays
		if t.rollup {
			days = cfg.RollupRetentionDays
		}
		cutoff := now.UTC().AddDate(0, 0, -days)
		parts, err := partitionsOf(ctx, conn, t.table)
		if err != nil {
			return dropped, err
		}
		for _, p := range parts {
			if !partitionBefore(p, t.layout, cutoff) {
				continue
			}
			// A partition id is digits we just validated, not a user value;
			// ALTER ... DROP PARTITION cannot take a query parameter.
			if err := conn.Exec(ctx, "ALTER TABLE "+t.table+" DROP PARTITION "+p); err != nil {
				return dropped, fmt.Errorf("dropping %s partition %s: %w", t.table, p, err)
			}
			dropped = append(dropped, t.table+"/"+p)
		}
	}
	return dropped, nil
}

func partitionsOf(ctx context.Context, conn driver.Conn, table string) ([]string, error) {
	rows, err := conn.Query(ctx, "SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = @table AND active",
		named("table", table))
	if err != nil {
		return nil, fmt.Errorf("listing partitions of %s: %w", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("scanning partition of %s: %w", table, err)
		}
		if _, err := strconv.ParseUint(p, 10, 32); err == nil {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// partitionBefore reports whether the whole partition p lies before cutoff.
func partitionBefore(p, layout string, cutoff time.Time) bool {
	start, err := time.Parse(layout, p)
	if err != nil {
		return false
	}
	var end time.Time
	if layout == "200601" {
		end = start.AddDate(0, 1, 0)
	} else {
		end = start.AddDate(0, 0, 1)
	}
	return !end.After(cutoff)
}
