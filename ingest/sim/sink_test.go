package sim

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/emitter/emittertest"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/intake"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
	"github.com/prometheus/client_golang/prometheus"
)

// sinkTestConfig is a short recent run: the emitter and intake validate
// timestamps against the wall clock.
func sinkTestConfig() Config {
	cfg := DefaultConfig()
	cfg.Mode = ModeBackfill
	cfg.Duration = 10 * time.Minute
	cfg.Start = time.Now().Add(-time.Hour).Truncate(time.Minute)
	cfg.Tenants = 60
	cfg.Rate = 60
	cfg.Workers = 2
	cfg.Scenarios = []string{"request_flood@+2m/5m"}
	return cfg
}

func newTestEmitter(tb testing.TB, brokers []string, topic string) *emitter.Emitter {
	tb.Helper()
	g, err := guard.New(guard.Config{PseudonymKey: "simulator-test-pseudonym-key-32b"})
	if err != nil {
		tb.Fatal(err)
	}
	e, err := emitter.New(emitter.Config{Brokers: brokers, Topic: topic}, g, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// checkTopic reads the topic back and checks it holds exactly the run's
// events, each a valid contract document.
func checkTopic(t *testing.T, brokers []string, topic string, want map[string]bool) {
	t.Helper()
	msgs := emittertest.ReadTopic(t, brokers, topic)
	got := map[string]bool{}
	for _, m := range msgs {
		ev, rej := event.Decode(m.Value, time.Now(), event.DefaultLimits)
		if rej != nil {
			t.Fatalf("record %s is not a valid event: %v", m.Key, rej)
		}
		if got[ev.ID] {
			t.Fatalf("event %s delivered twice", ev.ID)
		}
		got[ev.ID] = true
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("event %s never reached Kafka (%d of %d did)", id, len(got), len(want))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d records in the topic, the run emitted %d", len(got), len(want))
	}
}

// idRecorder wraps a sink and remembers the ids it was given.
type idRecorder struct {
	Sink
	ids map[string]bool
	mu  chan struct{}
}

func newIDRecorder(s Sink) *idRecorder {
	r := &idRecorder{Sink: s, ids: map[string]bool{}, mu: make(chan struct{}, 1)}
	return r
}

func (r *idRecorder) Emit(ctx context.Context, ev *event.Event) error {
	r.mu <- struct{}{}
	r.ids[ev.ID] = true
	<-r.mu
	return r.Sink.Emit(ctx, ev)
}

func TestEmitterSinkDeliversEveryEvent(t *testing.T) {
	k := testenv.Kafka(t)
	topic := k.CreateTopic(t, 3)
	e := newTestEmitter(t, k.Brokers, topic)
	m, err := NewSinkMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(sinkTestConfig(), slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := newIDRecorder(NewEmitterSink(e, true, m))
	if err := s.Run(context.Background(), rec, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkTopic(t, k.Brokers, topic, rec.ids)
}

func TestIntakeSinkDeliversEveryEvent(t *testing.T) {
	k := testenv.Kafka(t)
	topic := k.CreateTopic(t, 3)
	e := newTestEmitter(t, k.Brokers, topic)
	const token = "simulator-intake-test-token"
	srv, err := intake.New(intake.Config{Tokens: []intake.Token{{Name: "sim", Secret: token}}, RatePerToken: -1},
		e, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	cfg := DefaultIntakeConfig()
	cfg.URL, cfg.BatchLines = hs.URL+"/v1/events", 700
	sink, err := NewIntakeSink(cfg, token, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(sinkTestConfig(), slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := newIDRecorder(sink)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := s.Run(ctx, rec, nil); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkTopic(t, k.Brokers, topic, rec.ids)
}

func TestIntakeSinkStopsOnRefusal(t *testing.T) {
	k := testenv.Kafka(t)
	e := newTestEmitter(t, k.Brokers, k.CreateTopic(t, 1))
	defer e.Close(context.Background())
	srv, err := intake.New(intake.Config{Tokens: []intake.Token{{Name: "sim", Secret: "the-right-token-123"}}},
		e, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	cfg := DefaultIntakeConfig()
	cfg.URL, cfg.BatchLines = hs.URL+"/v1/events", 100
	sink, err := NewIntakeSink(cfg, "a-wrong-token-4567", slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(sinkTestConfig(), slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runErr := s.Run(ctx, sink, nil)
	closeErr := sink.Close(ctx)
	if runErr == nil && closeErr == nil {
		t.Fatal("a refused token did not stop the run")
	}
}

func TestWriterSinkWritesContractDocuments(t *testing.T) {
	var out bytes.Buffer
	w := NewWriterSink(&out)
	cfg := sinkTestConfig()
	cfg.Duration, cfg.Scenarios = 2*time.Minute, nil
	s, err := New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), w, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	lines := 0
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines++
		if _, rej := event.Decode(sc.Bytes(), time.Now(), event.DefaultLimits); rej != nil {
			t.Fatalf("line %d: %v: %s", lines, rej, sc.Bytes())
		}
	}
	if uint64(lines) != s.Stats().Events || lines == 0 {
		t.Fatalf("%d lines for %d events", lines, s.Stats().Events)
	}
}
