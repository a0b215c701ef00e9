package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

// The driver's columns shared with a batch must store exactly what the
// copying path stores.
func TestWriteSharedColumnsMatchCopies(t *testing.T) {
	if !store.SetSharing(true) {
		t.Fatal("zero-copy sharing is off: the pinned clickhouse-go's column layout changed (see share.go)")
	}
	ch := testenv.ClickHouse(t)
	ctx := context.Background()
	if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	w := store.NewWriter(ch.Conn)
	for _, share := range []bool{true, false} {
		store.SetSharing(share)
		if err := w.WriteRows(ctx, testRows(fmt.Sprintf("share=%t/", share))); err != nil {
			t.Fatalf("share=%t: %v", share, err)
		}
	}
	store.SetSharing(true)
	read := func(prefix string) [][]any {
		rows, err := ch.Conn.Query(ctx, `SELECT substring(event_id, length(@p) + 1), tenant, error_message, route, template,
			attr_keys, attr_values, src_topic, src_offset, duration_ms FROM events WHERE startsWith(event_id, @p) ORDER BY event_id`,
			clickhouse.Named("p", prefix))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][]any
		for rows.Next() {
			var id, tenant, msg, route, tmpl, topic string
			var keys, values []string
			var off uint64
			var dur float32
			if err := rows.Scan(&id, &tenant, &msg, &route, &tmpl, &keys, &values, &topic, &off, &dur); err != nil {
				t.Fatal(err)
			}
			out = append(out, []any{id, tenant, msg, route, tmpl, keys, values, topic, off, dur})
		}
		return out
	}
	shared, copied := read("share=true/"), read("share=false/")
	if len(shared) != len(testRows("")) {
		t.Fatalf("%d rows stored through shared columns, want %d", len(shared), len(testRows("")))
	}
	if !reflect.DeepEqual(shared, copied) {
		t.Fatalf("shared columns stored\n%v\ncopies stored\n%v", shared, copied)
	}
}

func testRows(idPrefix string) []store.Row {
	now := time.Now().UTC().Truncate(time.Second)
	attrs := []map[string]string{nil, {"endpoint": "hooks-1"}, {"region": "eu", "plan": "pro", "endpoint": ""}, {}}
	var rows []store.Row
	for i := 0; i < 500; i++ {
		e := event.Event{V: 1, ID: fmt.Sprintf("%s%04d", idPrefix, i), Time: now, Tenant: fmt.Sprintf("t-%d", i%7),
			Service: "svc", Kind: event.KindRequest, Route: []string{"", "/v1/ünïcödé", "/x"}[i%3], DurationMs: float64(i),
			Attrs: attrs[i%len(attrs)]}
		if i%5 == 0 {
			e.Kind, e.ErrorMessage = event.KindError, fmt.Sprintf("boom %d", i)
		}
		rows = append(rows, store.Row{Event: e, Template: []string{"", "tmpl"}[i%2], IngestedAt: now,
			Source: store.Source{Topic: "topic", Partition: 1, Offset: int64(i), BatchEnd: 499}})
	}
	return rows
}

// Running an INSERT's materialized views in parallel must leave every
// table as running them one after another does.
func TestWriteParallelViewsFillsWhatSerialViewsDo(t *testing.T) {
	ctx := context.Background()
	contents := map[bool]map[string]uint64{}
	for _, parallel := range []bool{false, true} {
		ch := testenv.ClickHouse(t)
		if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
		w := store.NewWriter(ch.Conn)
		w.SetParallelViews(parallel)
		if err := w.WriteRows(ctx, testRows("")); err != nil {
			t.Fatalf("parallel=%t: %v", parallel, err)
		}
		contents[parallel] = tableRows(t, ch)
	}
	if contents[false]["events"] != uint64(len(testRows(""))) || len(contents[false]) < 5 {
		t.Fatalf("serial views stored %v", contents[false])
	}
	t.Logf("rows per table: %v", contents[true])
	if !reflect.DeepEqual(contents[true], contents[false]) {
		t.Fatalf("rows per table with parallel views %v, with serial views %v", contents[true], contents[false])
	}
}

// tableRows counts the rows of every MergeTree table in the test database,
// each merged to its final state first.
func tableRows(tb testing.TB, ch *testenv.CH) map[string]uint64 {
	tb.Helper()
	ctx := context.Background()
	rows, err := ch.Conn.Query(ctx, `SELECT name FROM system.tables
		WHERE database = currentDatabase() AND engine LIKE '%MergeTree' AND name != 'schema_migrations'`)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		names = append(names, name)
	}
	rows.Close()
	out := map[string]uint64{}
	for _, name := range names {
		// Names come from system.tables: identifiers the schema created.
		if err := ch.Conn.Exec(ctx, "OPTIMIZE TABLE "+name+" FINAL"); err != nil {
			tb.Fatalf("merging %s: %v", name, err)
		}
		var n uint64
		if err := ch.Conn.QueryRow(ctx, "SELECT count() FROM "+name).Scan(&n); err != nil {
			tb.Fatalf("counting %s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

// ClickHouse 18.16 stores the blocks an INSERT received when its connection
// breaks; the ingester relies only on a broken INSERT storing whole blocks,
// and on Running telling when the server is done with it.
func TestAbortedStreamStoresWholeBlocksAndEnds(t *testing.T) {
	ch := testenv.ClickHouse(t)
	ctx := context.Background()
	if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	w := store.NewWriter(ch.Conn)
	rows := testRows("aborted/")
	b := store.NewBatch(len(rows))
	for i := range rows {
		b.Add(&rows[i])
	}
	s, err := w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(b); err != nil {
		t.Fatal(err)
	}
	s.Abort()
	settleCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := w.Settle(settleCtx, s.QueryID(), time.Hour); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := ch.Conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 && n != uint64(len(rows)) {
		t.Fatalf("an aborted INSERT stored %d of its %d rows", n, len(rows))
	}
	t.Logf("the server stored %d of the aborted INSERT's %d rows", n, len(rows))
}
