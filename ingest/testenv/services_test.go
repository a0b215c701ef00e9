package testenv

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

func TestClickHouse(t *testing.T) {
	ch := ClickHouse(t)
	ctx := context.Background()
	if ch.Version.Major == 0 {
		t.Errorf("version not parsed: %+v", ch.Version)
	}
	t.Logf("ClickHouse %s", ch.Version)

	var current string
	if err := ch.Conn.QueryRow(ctx, "SELECT currentDatabase()").Scan(&current); err != nil {
		t.Fatal(err)
	}
	if current != ch.Database {
		t.Errorf("connection's database = %s, want %s", current, ch.Database)
	}
	if err := ch.Conn.Exec(ctx, "CREATE TABLE t (k String, v UInt64) ENGINE = MergeTree ORDER BY k"); err != nil {
		t.Fatal(err)
	}
	batch, err := ch.Conn.PrepareBatch(ctx, "INSERT INTO t (k, v)")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := batch.Append("k", uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	var sum uint64
	if err := ch.Conn.QueryRow(ctx, "SELECT sum(v) FROM "+ch.Database+".t").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if sum != 4950 {
		t.Errorf("sum = %d, want 4950", sum)
	}

	resp, err := http.Get(ch.HTTPURL + "/ping")
	if err != nil {
		t.Fatalf("HTTP interface: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s/ping: %s", ch.HTTPURL, resp.Status)
	}
}

func TestClickHouseDatabasePerTestDroppedAtCleanup(t *testing.T) {
	outer := ClickHouse(t)
	var inner string
	t.Run("inner", func(t *testing.T) {
		inner = ClickHouse(t).Database
		if inner == outer.Database {
			t.Fatalf("two tests share database %s", inner)
		}
	})
	var n uint64
	err := outer.Conn.QueryRow(context.Background(),
		"SELECT count() FROM system.databases WHERE name = ?", inner).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after its test ended", inner)
	}
}

func TestKafkaTopicRoundTrip(t *testing.T) {
	k := Kafka(t)
	topic := k.CreateTopic(t, 3)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := &kafka.Writer{Addr: kafka.TCP(k.Brokers...), Topic: topic, Balancer: &kafka.Hash{},
		BatchTimeout: 10 * time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	want := map[string]string{"a": "1", "b": "2", "c": "3"}
	for key, value := range want {
		if err := w.WriteMessages(ctx, kafka.Message{Key: []byte(key), Value: []byte(value)}); err != nil {
			t.Fatalf("writing: %v", err)
		}
	}

	offsets, err := k.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(0), kafka.LastOffsetOf(1), kafka.LastOffsetOf(2)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, po := range offsets.Topics[topic] {
		if po.Error != nil {
			t.Fatalf("partition %d: %v", po.Partition, po.Error)
		}
		if po.LastOffset == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: k.Brokers, Topic: topic, Partition: po.Partition, MaxWait: 100 * time.Millisecond})
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("reading partition %d: %v", po.Partition, err)
			}
			got[string(m.Key)] = string(m.Value)
			if m.Offset+1 >= po.LastOffset {
				break
			}
		}
		r.Close()
	}
	if len(got) != len(want) {
		t.Errorf("read %v, want %v", got, want)
	}
	for key, value := range want {
		if got[key] != value {
			t.Errorf("key %s = %q, want %q", key, got[key], value)
		}
	}
}

func TestKafkaTopicDeletedAtCleanup(t *testing.T) {
	k := Kafka(t)
	var topic string
	t.Run("inner", func(t *testing.T) {
		topic = k.CreateTopic(t, 2)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		meta, err := k.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
		if err != nil {
			t.Fatal(err)
		}
		if len(meta.Topics) == 0 || meta.Topics[0].Error != nil {
			return // gone (UNKNOWN_TOPIC_OR_PARTITION)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("topic %s still exists after its test ended", topic)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestChdb(t *testing.T) {
	c := Chdb(t)
	t.Logf("chdb: ClickHouse %s", c.Version)
	if !c.Version.AtLeast(24, 1) {
		t.Errorf("chdb engine %s, want current ClickHouse", c.Version)
	}
	out, err := c.Exec(t,
		"CREATE DATABASE d",
		"CREATE TABLE d.t (k String, v UInt64) ENGINE = MergeTree ORDER BY k",
		"INSERT INTO d.t (k, v) VALUES ('a', 1), ('b', 2)",
		"SELECT k, v FROM d.t ORDER BY k",
	)
	if err != nil {
		t.Fatal(err)
	}
	if out != "a\t1\nb\t2\n" {
		t.Errorf("output %q", out)
	}

	// A later call sees the earlier call's tables.
	c.Format = "JSONEachRow"
	out, err = c.Exec(t, "SELECT sum(v) AS s FROM d.t")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != `{"s":"3"}` && strings.TrimSpace(out) != `{"s":3}` {
		t.Errorf("output %q", out)
	}

	out, err = c.Exec(t, "SELECT 1", "SELECT * FROM d.missing", "SELECT 2")
	if err == nil || !strings.Contains(err.Error(), "statement 2") || !strings.Contains(err.Error(), "UNKNOWN_TABLE") {
		t.Errorf("error = %v, want the engine's UNKNOWN_TABLE for statement 2", err)
	}
	if strings.TrimSpace(out) != `{"1":1}` {
		t.Errorf("output before the error = %q, want the first statement's", out)
	}
}

func TestChdbSessionsAreSeparate(t *testing.T) {
	a, b := Chdb(t), Chdb(t)
	if _, err := a.Exec(t, "CREATE DATABASE only_in_a"); err != nil {
		t.Fatal(err)
	}
	out, err := b.Exec(t, "SELECT count() FROM system.databases WHERE name = 'only_in_a'")
	if err != nil {
		t.Fatal(err)
	}
	if out != "0\n" {
		t.Errorf("session b sees session a's database: %q", out)
	}
}

func TestAlertmanager(t *testing.T) {
	var status struct {
		VersionInfo struct{ Version string } `json:"versionInfo"`
	}
	getJSON(t, Alertmanager(t)+"/api/v2/status", &status)
	if status.VersionInfo.Version == "" {
		t.Error("status has no version")
	}
}

func TestPrometheus(t *testing.T) {
	var info struct {
		Status string
		Data   struct{ Version string }
	}
	getJSON(t, Prometheus(t)+"/api/v1/status/buildinfo", &info)
	if info.Status != "success" || info.Data.Version == "" {
		t.Errorf("buildinfo = %+v", info)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: decoding: %v", url, err)
	}
}
