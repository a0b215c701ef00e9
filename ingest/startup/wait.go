// Package startup holds what services share while they start.
package startup

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// Wait retries fn until it succeeds, ctx ends or wait passes: a service that
// starts (or restarts) together with its dependencies must not exit because
// one of them answers a few seconds later. The delay between attempts
// doubles from 250ms up to 5s.
func Wait(ctx context.Context, wait time.Duration, logger *slog.Logger, what string, fn func() error) error {
	deadline := time.Now().Add(wait)
	delay := 250 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		logger.Warn(what+" not ready; retrying", "err", err, "retry_in", delay.String())
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// ClickHouse waits for ClickHouse, which may start after the service, and
// applies the schema when migrate is set (creating the database first).
func ClickHouse(ctx context.Context, storeCfg store.Config, schemaCfg schema.Config, migrate bool, wait time.Duration, logger *slog.Logger) (driver.Conn, error) {
	var conn driver.Conn
	err := Wait(ctx, wait, logger, "ClickHouse", func() error {
		c, err := store.Open(ctx, storeCfg, migrate)
		if err == nil && migrate {
			err = schema.Migrate(ctx, c, schemaCfg, logger)
		}
		if err != nil {
			if c != nil {
				c.Close()
			}
			return err
		}
		conn = c
		return nil
	})
	return conn, err
}
