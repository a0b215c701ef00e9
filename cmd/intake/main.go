// Command intake serves POST /v1/events: NDJSON operational events from
// services not written in Go, validated, scrubbed and produced to Kafka.
// See docs/intake.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/intake"
)

func main() {
	cfg, err := loadConfig(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "intake: %v\n", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ln, err := net.Listen("tcp", cfg.Intake.Listen)
	if err != nil {
		logger.Error("listening", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err = run(ctx, cfg, logger, ln)
	stop()
	if err != nil {
		logger.Error("intake failed", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then drains HTTP first (so every accepted line
// reaches the emitter) and closes the emitter last (so it flushes them).
func run(ctx context.Context, cfg config, logger *slog.Logger, ln net.Listener) error {
	defer ln.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	scrubber, err := guard.New(cfg.Guard)
	if err != nil {
		return err
	}
	em, err := emitter.New(cfg.Emitter, scrubber, logger, reg)
	if err != nil {
		return err
	}
	srv, err := intake.New(cfg.Intake, em, logger, reg)
	if err != nil {
		return errors.Join(err, closeEmitter(em, cfg))
	}
	serveErr := srv.Run(ctx, ln)
	logger.Info("intake drained; flushing emitter")
	return errors.Join(serveErr, closeEmitter(em, cfg))
}

func closeEmitter(em *emitter.Emitter, cfg config) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.FlushTimeout)
	defer cancel()
	return em.Close(ctx)
}
