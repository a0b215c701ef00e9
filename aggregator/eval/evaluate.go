package eval

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	json "github.com/goccy/go-json"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/aggregator/findingstore"
	"github.com/opswarehouse/opswarehouse/aggregator/runner"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// evaluate steps the aggregator through the run minute by minute, the way
// the live service does, then scores what it wrote.
func evaluate(ctx context.Context, cfg Config, conn store.Conn, ld Loaded, log *slog.Logger) (Result, error) {
	res := Result{Loaded: ld}
	from := ld.Start.Add(cfg.Step)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d, err := newPrefetcher(ctx, cfg.Detect, conn, from, ld.End, cfg.Step, cfg.Workers)
	if err != nil {
		return res, err
	}
	if err := conn.Exec(ctx, "TRUNCATE TABLE findings"); err != nil {
		return res, fmt.Errorf("clearing earlier findings: %w", err)
	}
	fs := findingstore.New(conn, cfg.ResolveAfter)
	rcfg := runner.DefaultConfig()
	rcfg.ResolveAfter, rcfg.Replica = cfg.ResolveAfter, "eval"
	r, err := runner.New(rcfg, d, fs, nil, log, runner.NewMetrics(nil))
	if err != nil {
		return res, err
	}
	began := time.Now()
	for now := from; !now.After(ld.End); now = now.Add(cfg.Step) {
		if _, err := r.Tick(ctx, now); err != nil {
			return res, err
		}
		res.Ticks++
		if res.Ticks%60 == 0 {
			log.Info("evaluating", "simulated", now.Format(time.RFC3339), "ticks", res.Ticks, "seconds", time.Since(began).Seconds())
		}
	}
	res.EvalTime = time.Since(began)
	found, err := fs.Range(ctx, ld.Start, ld.End.Add(time.Minute))
	if err != nil {
		return res, err
	}
	if err := writeFindings(filepath.Join(cfg.OutDir, cfg.Database+".findings.jsonl"), found); err != nil {
		return res, err
	}
	res.Score = score(ld.Truth, found, cfg.Grace)
	return res, nil
}

func writeFindings(path string, fs []finding.Finding) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for i := range fs {
		if err := enc.Encode(&fs[i]); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}
