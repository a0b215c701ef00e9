// Command report prints what landed in the warehouse and what was
// dead-lettered.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/report"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

func main() {
	var storeCfg store.Config
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	storeCfg.RegisterFlags(fs)
	since := fs.Duration("since", 35*24*time.Hour, "report events with timestamps this recent")
	top := fs.Int("top", 10, "tenants to list")
	broker := fs.String("kafka.broker", "127.0.0.1:19092", "Kafka broker holding the dead-letter topic")
	dlq := fs.String("kafka.dead-letter-topic", "opswarehouse.events.dlq", "dead-letter topic to summarise (empty: skip)")
	findings := fs.Bool("findings", false, "report the aggregator's findings first seen within -since instead")
	fs.Parse(os.Args[1:])
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := storeCfg.Validate(); err != nil {
		logger.Error("invalid configuration", "err", err)
		os.Exit(2)
	}
	conn, err := store.Open(ctx, storeCfg, false)
	if err != nil {
		logger.Error("connecting", "err", err)
		os.Exit(1)
	}
	defer conn.Close()
	if *findings {
		if err := report.Findings(ctx, conn, time.Now().Add(-*since), time.Now().Add(time.Hour), os.Stdout); err != nil {
			logger.Error("reporting findings", "err", err)
			os.Exit(1)
		}
		return
	}
	opts := report.Options{Since: time.Now().Add(-*since), TopTenants: *top, Broker: *broker, DeadLetterTopic: *dlq}
	if err := report.Landed(ctx, conn, opts, os.Stdout); err != nil {
		logger.Error("reporting", "err", err)
		os.Exit(1)
	}
}
