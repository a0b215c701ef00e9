// Command chaos streams events through real ingester processes while it kills
// them, stops ClickHouse and restarts Kafka, then checks exactly-once results.
// It ends with a RESULT line and exits non-zero when the check fails (or,
// with -negative-control, when disabling deduplication went unnoticed).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/opswarehouse/opswarehouse/ingest/chaos"
)

func main() {
	var cfg chaos.Config
	fs := flag.NewFlagSet("chaos", flag.ExitOnError)
	cfg.RegisterFlags(fs)
	fs.Parse(os.Args[1:])
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := chaos.Run(ctx, cfg, logger)
	if err != nil {
		logger.Error("chaos run failed", "err", err)
		os.Exit(1)
	}
	fmt.Println(res)
	switch passed := res.Passed(cfg.NegativeControl); {
	case cfg.NegativeControl && !passed:
		fmt.Println("FAIL: negative control: deduplication was disabled but no duplicates were reported")
		os.Exit(1)
	case cfg.NegativeControl:
		fmt.Println("PASS: negative control: disabling deduplication produced duplicates, so the check can fail")
	case !passed:
		fmt.Println("FAIL: not exactly once")
		os.Exit(1)
	default:
		fmt.Println("PASS: exactly once")
	}
}
