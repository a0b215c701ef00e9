package main

import (
	"context"
	"flag"
	"io"
	"log/slog"

	"github.com/opswarehouse/opswarehouse/aggregator/benchdetect"
)

func runBenchDetect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := benchdetect.DefaultConfig()
	fs := flag.NewFlagSet("aggregator bench-detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterFlags(fs)
	cfg.Detect.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	return benchdetect.Run(ctx, cfg, logger, stdout)
}
