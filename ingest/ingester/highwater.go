package ingester

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/queries"
)

// LedgerHighWater reads the ingest ledger in ClickHouse.
type LedgerHighWater struct{ Conn driver.Conn }

// HighWater returns the highest stored offset per partition of topic.
func (l LedgerHighWater) HighWater(ctx context.Context, topic string) (map[int]int64, error) {
	q := queries.Get("ingest_high_water")
	rows, err := l.Conn.Query(ctx, q.SQL, q.MustBind(queries.Named("topic", topic))...)
	if err != nil {
		return nil, fmt.Errorf("querying ingest ledger: %w", err)
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var partition uint16
		var hw uint64
		if err := rows.Scan(&partition, &hw); err != nil {
			return nil, fmt.Errorf("scanning ingest ledger: %w", err)
		}
		out[int(partition)] = int64(hw)
	}
	return out, rows.Err()
}
