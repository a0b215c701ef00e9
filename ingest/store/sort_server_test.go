package store_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

// SortByKey must agree with the server on the events table's key, time zone
// included, or ClickHouse sorts every block again. The rows go, in the order
// sent, into a Log table with the events columns, and the server compares
// that order with its own sort of the key expression.
func TestSortByKeyMatchesServerOrder(t *testing.T) {
	ctx := context.Background()
	migrated := testenv.ClickHouse(t)
	if err := schema.Migrate(ctx, migrated.Conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sort bool
		want uint8
	}{
		{"sorted", true, 1},
		{"arrival order (the check can fail)", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := testenv.ClickHouse(t)
			if err := ch.Conn.Exec(ctx, "CREATE TABLE events AS "+migrated.Database+".events ENGINE = Log"); err != nil {
				t.Fatal(err)
			}
			rows := store.RandomRows(5000, true, 7)
			b := store.NewBatch(len(rows))
			for i := range rows {
				b.Add(&rows[i])
			}
			if tc.sort {
				b.SortByKey()
			}
			if err := store.NewWriter(ch.Conn).Write(ctx, b); err != nil {
				t.Fatal(err)
			}
			var inOrder uint8
			var n uint64
			err := ch.Conn.QueryRow(clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_threads": 1})), `SELECT arraySort(k) = k, length(k) FROM (
				SELECT groupArray((kind, toStartOfHour(ts), tenant, ts)) AS k FROM events)`).Scan(&inOrder, &n)
			if err != nil {
				t.Fatal(err)
			}
			if n != uint64(len(rows)) || inOrder != tc.want {
				t.Fatalf("%d rows, in the server's key order: %d; want %d rows, %d", n, inOrder, len(rows), tc.want)
			}
		})
	}
}
