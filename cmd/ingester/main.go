// Command ingester consumes operational events from Kafka into ClickHouse.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/ingester"
	"github.com/opswarehouse/opswarehouse/ingest/kafkaadmin"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/startup"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

type config struct {
	Ingester     ingester.Config
	Store        store.Config
	Guard        guard.Config
	Schema       schema.Config
	Listen       string
	Migrate      bool
	CreateTopics int
	MemoryLimit  int64
	StartupWait  time.Duration
	LogLevel     slog.Level
}

func main() {
	var cfg config
	fs := flag.NewFlagSet("ingester", flag.ExitOnError)
	cfg.Ingester.RegisterFlags(fs)
	cfg.Store.RegisterFlags(fs)
	cfg.Guard.RegisterFlags(fs)
	cfg.Schema.RegisterFlags(fs)
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:9464", "address for /metrics, /healthz and /readyz")
	fs.BoolVar(&cfg.Migrate, "migrate", true, "apply schema migrations at start")
	fs.Int64Var(&cfg.MemoryLimit, "memory-limit-bytes", 192<<20, "soft limit of the Go heap (runtime/debug.SetMemoryLimit); the GC works harder near it instead of doubling the heap; 0: off")
	fs.IntVar(&cfg.CreateTopics, "kafka.create-topics", 4, "create the events topic with this many partitions (and the dead-letter topic) when missing; 0: never")
	fs.DurationVar(&cfg.StartupWait, "startup-wait", 2*time.Minute, "how long to wait at start for ClickHouse and Kafka to answer before giving up")
	fs.TextVar(&cfg.LogLevel, "log.level", slog.LevelInfo, "log level")
	fs.Parse(os.Args[1:])
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err := run(cfg, logger); err != nil {
		logger.Error("ingester failed", "err", err)
		os.Exit(1)
	}
}

func run(cfg config, logger *slog.Logger) error {
	if err := errors.Join(cfg.Ingester.Validate(), cfg.Store.Validate(), cfg.Guard.Validate(), cfg.Schema.Validate()); err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if cfg.MemoryLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	conn, err := startup.ClickHouse(ctx, cfg.Store, cfg.Schema, cfg.Migrate, cfg.StartupWait, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	if cfg.CreateTopics > 0 {
		topics := map[string]int{cfg.Ingester.Topic: cfg.CreateTopics, cfg.Ingester.DeadLetterTopic: 1}
		err := startup.Wait(ctx, cfg.StartupWait, logger, "Kafka", func() error {
			return kafkaadmin.CreateTopics(ctx, cfg.Ingester.Brokers[0], topics)
		})
		if err != nil {
			return err
		}
	}
	scrubber, err := guard.New(cfg.Guard)
	if err != nil {
		return err
	}
	deadLetters := ingester.NewKafkaDeadLetters(cfg.Ingester.Brokers, cfg.Ingester.DeadLetterTopic)
	defer deadLetters.Close()
	writer := store.NewWriter(conn)
	writer.SetParallelViews(!cfg.Store.SerialViews)
	in, err := ingester.New(cfg.Ingester, ingester.Deps{
		Writer:      writer,
		HighWater:   ingester.LedgerHighWater{Conn: conn},
		DeadLetters: deadLetters,
		Fingerprint: fingerprint.New(fingerprint.Config{}),
		Scrub:       scrubber,
		Logger:      logger,
		Metrics:     ingester.NewMetrics(reg),
	})
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: cfg.Listen, Handler: in.Handler(reg), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serving metrics", "err", err)
		}
	}()
	go schema.RunRetention(ctx, conn, cfg.Schema, time.Hour, logger)
	logger.Info("ingester started", "topic", cfg.Ingester.Topic, "group", cfg.Ingester.GroupID, "listen", cfg.Listen)
	err = in.Run(ctx)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdownCtx)
	logger.Info("ingester stopped")
	return err
}
