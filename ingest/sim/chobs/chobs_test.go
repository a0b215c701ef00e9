package chobs

import (
	"context"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/sim"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
)

const insertEvents = `INSERT INTO events (event_id, ts, ts_ms, tenant, service, cell, shard, host, version, kind,
	job_id, job_type, state, attempt, duration_ms, queue_ms, integration, queue, route, status, is_error,
	error_class, error_message, cpu_ms, db_ms, bytes, attr_keys, attr_values)`

// chSink writes events straight into the events table, in batches.
type chSink struct {
	tb    testing.TB
	conn  driver.Conn
	batch driver.Batch
	n     int
}

func (s *chSink) Emit(ctx context.Context, ev *event.Event) error {
	if s.batch == nil {
		b, err := s.conn.PrepareBatch(ctx, insertEvents)
		if err != nil {
			return err
		}
		s.batch = b
	}
	var keys, values []string
	for k, v := range ev.Attrs {
		keys, values = append(keys, k), append(values, v)
	}
	isErr := uint8(0)
	if ev.IsError() {
		isErr = 1
	}
	ts := ev.Time.UTC()
	if err := s.batch.Append(ev.ID, ts.Truncate(time.Second), uint16(ts.Nanosecond()/1e6), ev.Tenant, ev.Service,
		ev.Cell, ev.Shard, ev.Host, ev.Version, string(ev.Kind), ev.JobID, ev.JobType, string(ev.State), ev.Attempt,
		float32(ev.DurationMs), float32(ev.QueueMs), ev.Integration, ev.Queue, ev.Route, ev.Status, isErr,
		ev.ErrorClass, ev.ErrorMessage, float32(ev.CPUMs), float32(ev.DBMs), ev.Bytes, keys, values); err != nil {
		return err
	}
	if s.n++; s.n%200000 == 0 {
		return s.flush()
	}
	return nil
}

func (s *chSink) flush() error {
	if s.batch == nil {
		return nil
	}
	err := s.batch.Send()
	s.batch = nil
	return err
}

// teeSink sends every event to both sinks.
type teeSink struct{ a, b sim.Sink }

func (t teeSink) Emit(ctx context.Context, ev *event.Event) error {
	if err := t.a.Emit(ctx, ev); err != nil {
		return err
	}
	return t.b.Emit(ctx, ev)
}

// recentMorning is the latest 08:00 UTC at least three hours ago: recent
// enough for retention, always the same time of day for the load curve.
func recentMorning() time.Time {
	t := time.Now().UTC().Add(-3 * time.Hour)
	m := time.Date(t.Year(), t.Month(), t.Day(), 8, 0, 0, 0, time.UTC)
	if m.After(t) {
		m = m.AddDate(0, 0, -1)
	}
	return m
}

// TestSignaturesOnClickHouse runs the simulator's signature checks on the
// same events stored in ClickHouse and in memory: both must pass and every
// measure must agree.
func TestSignaturesOnClickHouse(t *testing.T) {
	ch := testenv.ClickHouse(t)
	ctx := context.Background()
	if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	cfg := sim.DefaultConfig()
	cfg.Mode, cfg.Start, cfg.Duration = sim.ModeBackfill, recentMorning(), 105*time.Minute
	cfg.Tenants, cfg.Cells, cfg.Rate, cfg.Seed, cfg.Workers = 150, 4, 100, 7, 1
	cfg.Scenarios = []string{
		"noisy_neighbour@+50m/30m:factor=4", "stuck_jobs@+50m/50m",
		"slow_tenant_endpoint@+50m/40m:mode=failing", "error_creep@+50m/50m:ratio=0.6",
	}
	s, err := sim.New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := sim.NewMemStore()
	chs := &chSink{tb: t, conn: ch.Conn}
	if err := s.Run(ctx, teeSink{mem, chs}, nil); err != nil {
		t.Fatal(err)
	}
	if err := chs.flush(); err != nil {
		t.Fatal(err)
	}
	obs := New(ch.Conn)
	for _, tr := range s.Truth() {
		t.Run(tr.Scenario, func(t *testing.T) {
			want, err := sim.CheckSignature(ctx, mem, tr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sim.CheckSignature(ctx, obs, tr)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(got)
			if !got.OK() {
				t.Errorf("signature missing in ClickHouse:\n%s", got)
			}
			for i, m := range got.Measures {
				w := want.Measures[i]
				if m.Name != w.Name || math.Abs(m.Got-w.Got) > 1e-6*math.Max(1, math.Abs(w.Got)) {
					t.Errorf("%s: ClickHouse says %v, memory says %v", m.Name, m.Got, w.Got)
				}
			}
		})
	}
}
