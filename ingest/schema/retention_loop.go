package schema

import (
	"context"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// RunRetention enforces retention every interval until ctx ends (a no-op on
// servers with TTL).
func RunRetention(ctx context.Context, conn driver.Conn, cfg Config, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		dropped, err := EnforceRetention(ctx, conn, cfg, time.Now())
		if err != nil && ctx.Err() == nil {
			logger.Warn("enforcing retention", "err", err)
		}
		if len(dropped) > 0 {
			logger.Info("dropped expired partitions", "partitions", dropped)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
