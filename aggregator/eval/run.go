package eval

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/sim"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// Run loads (or reuses) a simulated run, evaluates the detectors over it
// and writes the scored report to out.
func Run(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	if cfg.Database == "" {
		cfg.Database = fmt.Sprintf("eval_%d", time.Now().Unix())
	}
	conn, err := store.Open(ctx, store.Config{Addr: cfg.ClickHouseAddr, Database: cfg.Database, Username: "default",
		DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Minute}, !cfg.Reuse)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	if !cfg.Keep && !cfg.Reuse {
		defer dropDatabase(conn, cfg.Database, log)
	}
	var ld Loaded
	if cfg.Reuse {
		ld, err = reuse(ctx, cfg, conn)
	} else {
		ld, err = load(ctx, cfg, conn, log)
	}
	if err != nil {
		return Result{}, err
	}
	res, err := evaluate(ctx, cfg, conn, ld, log)
	if err != nil {
		return res, err
	}
	res.Report(out)
	return res, nil
}

// reuse reads back the truth and the time range of an earlier load.
func reuse(ctx context.Context, cfg Config, conn store.Conn) (Loaded, error) {
	f, err := os.Open(truthPath(cfg))
	if err != nil {
		return Loaded{}, fmt.Errorf("reading the truth of %s: %w", cfg.Database, err)
	}
	defer f.Close()
	truth, err := sim.ReadTruth(f)
	if err != nil {
		return Loaded{}, fmt.Errorf("parsing %s: %w", truthPath(cfg), err)
	}
	var ld Loaded
	ld.Truth = truth
	if err := conn.QueryRow(ctx, "SELECT min(ts), max(ts), count() FROM events").Scan(&ld.Start, &ld.End, &ld.Events); err != nil {
		return ld, fmt.Errorf("reading the run's time range: %w", err)
	}
	ld.Start, ld.End = ld.Start.UTC().Truncate(time.Minute), ld.End.UTC().Truncate(time.Minute).Add(time.Minute)
	return ld, nil
}

func dropDatabase(conn store.Conn, db string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// db is a validated identifier (Config.Validate) or generated.
	if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
		log.Warn("dropping the evaluation database", "database", db, "err", err)
	}
}
