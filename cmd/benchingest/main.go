// Command benchingest measures ingest throughput, latency and memory on this
// machine and ends with a RESULT line (see docs/benchmarks.md).
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
	fs.Parse(os.Args[1:])
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := bench.Run(ctx, cfg, logger)
	if err != nil {
		logger.Error("benchmark failed", "err", err)
		os.Exit(1)
	}
	bench.Report(os.Stdout, res)
}
