// Command benchingest measures ingest throughput, latency and memory on this
// machine and ends with a RESULT line (see docs/benchmarks.md). With
// -schema-costs it instead measures what each materialized view on the
// events table costs ClickHouse.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/opswarehouse/opswarehouse/ingest/bench"
)

func main() {
	var cfg bench.Config
	fs := flag.NewFlagSet("benchingest", flag.ExitOnError)
	cfg.RegisterFlags(fs)
	schemaCosts := fs.Int("schema-costs", 0, "instead of the ingest benchmark, insert the same pre-built batches into the schema with each materialized view dropped, this many interleaved rounds")
	only := fs.String("schema-variants", "", "comma-separated variant names -schema-costs runs (default all)")
	fs.Parse(os.Args[1:])
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *schemaCosts > 0 {
		if err := bench.SchemaCosts(ctx, cfg, *schemaCosts, *only, os.Stdout); err != nil {
			logger.Error("schema cost benchmark failed", "err", err)
			os.Exit(1)
		}
		return
	}
	res, err := bench.Run(ctx, cfg, logger)
	if err != nil {
		logger.Error("benchmark failed", "err", err)
		os.Exit(1)
	}
	bench.Report(os.Stdout, res)
}
