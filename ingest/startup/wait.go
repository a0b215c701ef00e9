// Package startup holds what services share while they start.
package startup

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/cenkalti/backoff/v5"

	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// Wait retries fn until it succeeds, ctx ends or wait passes: a service that
// starts (or restarts) together with its dependencies must not exit because
// one of them answers a few seconds later. Attempts back off exponentially
// with jitter from 250ms up to 5s.
func Wait(ctx context.Context, wait time.Duration, logger *slog.Logger, what string, fn func() error) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = 250*time.Millisecond, 5*time.Second
	_, err := backoff.Retry(ctx, func() (struct{}, error) { return struct{}{}, fn() },
		backoff.WithBackOff(b), backoff.WithMaxElapsedTime(wait),
		backoff.WithNotify(func(err error, next time.Duration) {
			logger.Warn(what+" not ready; retrying", "err", err, "retry_in", next.Round(time.Millisecond).String())
		}))
	if err != nil {
		return fmt.Errorf("waiting for %s: %w", what, err)
	}
	return nil
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
