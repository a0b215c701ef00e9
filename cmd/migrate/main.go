// Command migrate applies the warehouse schema to ClickHouse and, on servers
// without TTL support, drops partitions past retention.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

func main() {
	var storeCfg store.Config
	var schemaCfg schema.Config
	fs := flag.NewFlagSet("migrate", flag.ExitOnError)
	storeCfg.RegisterFlags(fs)
	schemaCfg.RegisterFlags(fs)
	retention := fs.Bool("retention", true, "also drop partitions past retention (servers without TTL)")
	fs.Parse(os.Args[1:])
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(storeCfg, schemaCfg, *retention, logger); err != nil {
		logger.Error("migrate failed", "err", err)
		os.Exit(1)
	}
}

func run(storeCfg store.Config, schemaCfg schema.Config, retention bool, logger *slog.Logger) error {
	if err := errors.Join(storeCfg.Validate(), schemaCfg.Validate()); err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := store.Open(ctx, storeCfg, true)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := schema.Migrate(ctx, conn, schemaCfg, logger); err != nil {
		return err
	}
	if retention {
		dropped, err := schema.EnforceRetention(ctx, conn, schemaCfg, time.Now())
		if err != nil {
			return err
		}
		logger.Info("retention enforced", "dropped", len(dropped))
	}
	logger.Info("schema up to date", "database", storeCfg.Database)
	return nil
}
