// Command simulator generates a realistic multi-tenant fleet's operational
// events, with injectable incidents and their ground truth. See
// docs/simulator.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/sim"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type options struct {
	sink        string
	truth       string
	progress    time.Duration
	metricsAddr string
	sim         sim.Config
	emitter     emitter.Config
	guard       guard.Config
	intake      sim.IntakeConfig
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
}

func parseFlags() options {
	o := options{sink: "emitter", progress: time.Second, sim: sim.DefaultConfig(), intake: sim.DefaultIntakeConfig()}
	fs := flag.NewFlagSet("simulator", flag.ExitOnError)
	fs.StringVar(&o.sink, "sink", o.sink, "where events go: emitter (Kafka), intake (HTTP replay), stdout (NDJSON) or discard")
	fs.StringVar(&o.truth, "truth", "", "file to write ground truth to (JSON lines), one record per scenario as it ends")
	fs.DurationVar(&o.progress, "progress", o.progress, "progress line interval on stderr (0: off)")
	fs.StringVar(&o.metricsAddr, "metrics", "", "address to serve /metrics on (empty: off)")
	o.sim.RegisterFlags(fs)
	o.emitter.RegisterFlags(fs)
	fs.Func("brokers", "shorthand for -emitter.brokers", func(s string) error { o.emitter.Brokers = strings.Split(s, ","); return nil })
	fs.Func("topic", "shorthand for -emitter.topic", func(s string) error { o.emitter.Topic = s; return nil })
	o.guard.RegisterFlags(fs)
	o.intake.RegisterFlags(fs)
	_ = fs.Parse(os.Args[1:]) // ExitOnError
	return o
}

func run() error {
	o := parseFlags()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	reg := prometheus.NewRegistry()
	now := time.Now()
	o.sim.ResolveStart(now)
	if o.sink == "emitter" || o.sink == "intake" {
		if err := o.sim.ValidateWindow(now); err != nil {
			return err
		}
	}
	s, err := sim.New(o.sim, logger, reg)
	if err != nil {
		return err
	}
	sink, closeSink, err := openSink(o, logger, reg)
	if err != nil {
		return err
	}
	truth, closeTruth, err := openTruth(o.truth)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if o.metricsAddr != "" {
		go serveMetrics(o.metricsAddr, reg, logger)
	}
	if o.progress > 0 {
		go s.ReportProgress(ctx, os.Stderr, o.progress)
	}
	logger.Info("simulating", "mode", o.sim.Mode, "start", s.Start(), "end", s.End(), "tenants", len(s.Fleet().Tenants),
		"cells", len(s.Fleet().Cells), "scenarios", len(s.Truth()), "run_id", s.RunID(), "sink", o.sink)
	runErr := s.Run(ctx, sink, truth)
	if errors.Is(runErr, context.Canceled) {
		logger.Info("stopped before the end of the run")
		runErr = nil
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := s.Stats()
	logger.Info("done", "events", st.Events, "sim_time", st.SimTime)
	return errors.Join(runErr, closeSink(closeCtx), closeTruth())
}

func openSink(o options, logger *slog.Logger, reg prometheus.Registerer) (sim.Sink, func(context.Context) error, error) {
	m, err := sim.NewSinkMetrics(reg)
	if err != nil {
		return nil, nil, err
	}
	noClose := func(context.Context) error { return nil }
	switch o.sink {
	case "discard":
		return sim.Discard{}, noClose, nil
	case "stdout":
		w := sim.NewWriterSink(os.Stdout)
		return w, w.Close, nil
	case "intake":
		token := os.Getenv(o.intake.TokenEnv)
		if token == "" {
			return nil, nil, fmt.Errorf("the intake token is read from $%s, which is empty", o.intake.TokenEnv)
		}
		in, err := sim.NewIntakeSink(o.intake, token, logger, m)
		if err != nil {
			return nil, nil, err
		}
		return in, in.Close, nil
	case "emitter":
		g, err := guard.New(o.guard)
		if err != nil {
			return nil, nil, err
		}
		e, err := emitter.New(o.emitter, g, logger, reg)
		if err != nil {
			return nil, nil, err
		}
		// real time behaves like a service (drop when full); the other
		// modes wait for the pipeline
		return sim.NewEmitterSink(e, o.sim.Mode != sim.ModeRealtime, m), e.Close, nil
	}
	return nil, nil, fmt.Errorf("sink %q: want emitter, intake, stdout or discard", o.sink)
}

func openTruth(path string) (io.Writer, func() error, error) {
	if path == "" {
		return nil, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("creating truth file: %w", err)
	}
	return f, f.Close, nil
}

func serveMetrics(addr string, reg *prometheus.Registry, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("metrics server stopped", "err", err)
	}
}
