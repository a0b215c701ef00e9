package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/opswarehouse/opswarehouse/ingest/store"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

// An INSERT the server still runs when the ingester stops waiting is
// killed, and Settle returns only once it has ended.
func TestSettleKillsAnInsertThatStillRuns(t *testing.T) {
	ch := testenv.ClickHouse(t)
	ctx := context.Background()
	if err := ch.Conn.Exec(ctx, "CREATE TABLE endless (n UInt64) ENGINE = MergeTree ORDER BY n"); err != nil {
		t.Fatal(err)
	}
	const id = "opswarehouse-test-endless-insert"
	done := make(chan error, 1)
	go func() {
		done <- ch.Conn.Exec(clickhouse.Context(ctx, clickhouse.WithQueryID(id)),
			"INSERT INTO endless (n) SELECT number FROM system.numbers LIMIT 100000000000")
	}()
	w := store.NewWriter(ch.Conn)
	waitRunning(t, ch, id)

	settleCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	began := time.Now()
	got, err := w.Settle(settleCtx, id, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if got != store.Killed {
		t.Fatalf("Settle = %v, want Killed", got)
	}
	if took := time.Since(began); took < 300*time.Millisecond {
		t.Errorf("Settle killed the query after %v, before killAfter", took)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the killed INSERT reported success")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the killed INSERT did not return")
	}
}

// A query that has ended, or never ran, settles at once.
func TestSettleReturnsForAQueryThatIsGone(t *testing.T) {
	ch := testenv.ClickHouse(t)
	w := store.NewWriter(ch.Conn)
	got, err := w.Settle(context.Background(), "opswarehouse-test-never-ran", 0)
	if err != nil || got != store.Gone {
		t.Fatalf("Settle = %v, %v; want Gone, nil", got, err)
	}
}

// A server that cannot be asked is asked until the context ends, and the
// error says so.
func TestSettleWaitsOutAnUnreachableServer(t *testing.T) {
	// Nothing listens on port 1.
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{"127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := store.NewWriter(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err = w.Settle(ctx, "opswarehouse-test-unknown", time.Hour)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Settle error = %v, want the deadline", err)
	}
	if took := time.Since(began); took < 250*time.Millisecond {
		t.Errorf("Settle gave up after %v, before its context ended", took)
	}
}

func waitRunning(tb testing.TB, ch *testenv.CH, id string) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var n uint64
		if err := ch.Conn.QueryRow(context.Background(), "SELECT count() FROM system.processes WHERE query_id = ?", id).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if n > 0 {
			return
		}
	}
	tb.Fatalf("query %s never started", id)
}
