package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/opswarehouse/opswarehouse/aggregator/alert"
	"github.com/opswarehouse/opswarehouse/aggregator/detect"
	"github.com/opswarehouse/opswarehouse/aggregator/findingstore"
	"github.com/opswarehouse/opswarehouse/aggregator/runner"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/startup"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// runConfig is the aggregator service's configuration.
type runConfig struct {
	Store    store.Config
	Schema   schema.Config
	Detect   detect.Config
	Runner   runner.Config
	Alert    alert.Config
	Alerts   bool
	Listen   string
	Migrate  bool
	Wait     time.Duration
	LogLevel slog.Level
}

func parseRunFlags(args []string, stderr io.Writer) (runConfig, error) {
	cfg := runConfig{Detect: detect.DefaultConfig(), Runner: runner.DefaultConfig()}
	fs := flag.NewFlagSet("aggregator run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Store.RegisterFlags(fs)
	cfg.Schema.RegisterFlags(fs)
	cfg.Detect.RegisterFlags(fs)
	cfg.Runner.RegisterFlags(fs)
	cfg.Alert.RegisterFlags(fs)
	fs.BoolVar(&cfg.Alerts, "alerts", true, "send findings to Alertmanager (-alert.url)")
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:9465", "address for /metrics and /healthz")
	fs.BoolVar(&cfg.Migrate, "migrate", true, "apply schema migrations at start")
	fs.DurationVar(&cfg.Wait, "startup-wait", 2*time.Minute, "how long to wait at start for ClickHouse to answer before giving up")
	fs.TextVar(&cfg.LogLevel, "log.level", slog.LevelInfo, "log level")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.Alert = cfg.Alert.WithDefaults()
	errs := []error{cfg.Store.Validate(), cfg.Schema.Validate(), cfg.Detect.Validate(), cfg.Runner.Validate()}
	if cfg.Alerts {
		errs = append(errs, cfg.Alert.Validate())
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, fmt.Errorf("invalid configuration: %w", err)
	}
	return cfg, nil
}

// runService evaluates the detectors every minute until ctx ends.
func runService(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseRunFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	conn, err := startup.ClickHouse(ctx, cfg.Store, cfg.Schema, cfg.Migrate, cfg.Wait, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	det, err := detect.New(cfg.Detect, conn)
	if err != nil {
		return err
	}
	var notify runner.Notifier
	if cfg.Alerts {
		if notify, err = alert.New(cfg.Alert, logger, reg); err != nil {
			return err
		}
	}
	r, err := runner.New(cfg.Runner, det, findingstore.New(conn, cfg.Runner.ResolveAfter), notify, logger, runner.NewMetrics(reg))
	if err != nil {
		return err
	}
	srv := serveMetrics(cfg.Listen, reg, logger)
	defer shutdown(srv)
	logger.Info("aggregator started", "replica", cfg.Runner.Replica, "settle_lag", cfg.Runner.SettleLag, "alerts", cfg.Alerts)
	return r.Run(ctx)
}

func serveMetrics(addr string, reg *prometheus.Registry, logger *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serving metrics", "err", err)
		}
	}()
	return srv
}

func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
