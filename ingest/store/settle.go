package store

import (
	"context"
	"fmt"
	"time"

	"github.com/opswarehouse/opswarehouse/queries"
)

// settlePoll is how often Settle asks the server about the query.
const settlePoll = 50 * time.Millisecond

// Settled tells how a failed INSERT ended on the server.
type Settled int

const (
	// Gone: the server no longer ran it (finished, failed or never began).
	Gone Settled = iota
	// Killed: it still ran after killAfter and was stopped.
	Killed
)

// Settle returns once the server no longer runs the query, killing it if
// it still runs killAfter from now. A server that cannot be asked is asked
// again until ctx ends: an INSERT may still run there once it is reachable.
// ClickHouse keeps what a killed or broken INSERT already wrote, with the
// ledger rows of the same blocks, so after Settle the ledger tells what of
// the INSERT was stored.
func (w *Writer) Settle(ctx context.Context, queryID string, killAfter time.Duration) (Settled, error) {
	killAt := time.Now().Add(killAfter)
	outcome := Gone
	var lastErr error
	for {
		running, err := w.running(ctx, queryID)
		switch {
		case err == nil && !running:
			return outcome, nil
		case err == nil && outcome == Gone && !time.Now().Before(killAt):
			if err = w.kill(ctx, queryID); err == nil {
				outcome = Killed
				continue
			}
		}
		lastErr = err
		select {
		case <-ctx.Done():
			if lastErr == nil {
				lastErr = fmt.Errorf("query %s still runs", queryID)
			}
			return outcome, fmt.Errorf("waiting for a failed insert to end: %w (%w)", ctx.Err(), lastErr)
		case <-time.After(settlePoll):
		}
	}
}

func (w *Writer) running(ctx context.Context, queryID string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	q := queries.Get("ingest_insert_running")
	var n uint64
	if err := w.conn.QueryRow(ctx, q.SQL, q.MustBind(queries.Named("query_id", queryID))...).Scan(&n); err != nil {
		return false, fmt.Errorf("asking whether query %s runs: %w", queryID, err)
	}
	return n > 0, nil
}

func (w *Writer) kill(ctx context.Context, queryID string) error {
	q := queries.Get("ingest_insert_kill")
	// Exec: 18.16 sends no result header when nothing matched, which the
	// driver's Query reports as EOF.
	if err := w.conn.Exec(ctx, q.SQL, q.MustBind(queries.Named("query_id", queryID))...); err != nil {
		return fmt.Errorf("killing query %s: %w", queryID, err)
	}
	return nil
}
