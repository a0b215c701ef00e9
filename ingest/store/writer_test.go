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
