package main

import (
	"context"
	"flag"
	"io"
	"log/slog"

	"github.com/opswarehouse/opswarehouse/aggregator/eval"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := eval.DefaultConfig()
	fs := flag.NewFlagSet("aggregator eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterFlags(fs)
	cfg.Detect.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	_, err := eval.Run(ctx, cfg, logger, stdout)
	return err
}
