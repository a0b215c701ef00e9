package findingstore

import (
	"context"
	"fmt"
	"time"

	"github.com/opswarehouse/opswarehouse/queries"
)

type lastTickRow struct {
	LastTick time.Time `ch:"last_tick"`
	Ticks    uint64    `ch:"ticks"`
}

// LastTick returns the newest tick any replica recorded since a time, and
// whether there is one.
func (s *Store) LastTick(ctx context.Context, since time.Time) (time.Time, bool, error) {
	q := queries.Get("detector_last_tick")
	rows, err := s.conn.Query(ctx, q.SQL, q.MustBind(queries.Named("since", since))...)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading the last tick: %w", err)
	}
	defer rows.Close()
	var r lastTickRow
	for rows.Next() {
		if err := rows.ScanStruct(&r); err != nil {
			return time.Time{}, false, fmt.Errorf("scanning the last tick: %w", err)
		}
	}
	return r.LastTick.UTC(), r.Ticks > 0, rows.Err()
}

// RecordTick records that a tick was evaluated.
func (s *Store) RecordTick(ctx context.Context, tick, evaluatedAt time.Time, replica string, findings int, took time.Duration) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO detector_ticks (tick, evaluated_at, replica, findings, duration_ms)")
	if err != nil {
		return fmt.Errorf("preparing tick insert: %w", err)
	}
	if err := b.Append(tick.UTC(), evaluatedAt.UTC(), replica, uint32(findings), uint32(took.Milliseconds())); err != nil {
		_ = b.Abort()
		return fmt.Errorf("appending tick: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("recording tick %s: %w", tick.Format(time.RFC3339), err)
	}
	return nil
}
