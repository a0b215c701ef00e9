package emitter

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// clientEmail is client data the guard must keep out of Kafka.
const clientEmail = "jane.doe@example.com"

func newGuard(tb testing.TB) *guard.Guard {
	tb.Helper()
	g, err := guard.New(guard.Config{PseudonymKey: "emitter-test-pseudonym-key-32byt"})
	if err != nil {
		tb.Fatalf("guard: %v", err)
	}
	return g
}

// testEvent is a valid event whose free text carries client data.
func testEvent(i int) *event.Event {
	return &event.Event{
		V: event.Version, ID: fmt.Sprintf("ev-%07d", i), Time: time.Now().Add(-time.Minute),
		Tenant: fmt.Sprintf("t-%d", i%7), Service: "billing", Kind: event.KindJobState,
		JobID: fmt.Sprintf("job-%d", i), JobType: "invoice.render", State: event.StateFailed, Attempt: 1,
		DurationMs: float64(i % 1000), ErrorClass: "Timeout",
		ErrorMessage: "could not notify " + clientEmail + " about invoice",
		Attrs:        map[string]string{"priority": "high"},
	}
}

func testLogger(tb testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.DiscardHandler)
}

func newTestEmitter(tb testing.TB, cfg Config) (*Emitter, *prometheus.Registry) {
	tb.Helper()
	reg := prometheus.NewRegistry()
	e, err := New(cfg, newGuard(tb), testLogger(tb), reg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = e.Close(ctx)
	})
	return e, reg
}

func closeEmitter(tb testing.TB, e *Emitter) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		tb.Fatalf("Close: %v", err)
	}
}

// metricValue returns a counter's or gauge's value from reg; labels are
// name, value pairs. A series that does not exist is 0.
func metricValue(tb testing.TB, reg prometheus.Gatherer, name string, labels ...string) float64 {
	tb.Helper()
	families, err := reg.Gather()
	if err != nil {
		tb.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, labels) {
				switch {
				case m.Counter != nil:
					return m.Counter.GetValue()
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount())
				}
			}
		}
	}
	return 0
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// deadBroker returns the address of a broker that cannot be reached: one
// that refuses connections, or one that accepts them and never answers.
func deadBroker(tb testing.TB, silent bool) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	if !silent {
		ln.Close()
		return addr
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never answered
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return addr
}
