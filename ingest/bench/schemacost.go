package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// schemaVariant is the events table with some materialized views dropped.
type schemaVariant struct {
	name string
	drop []string
}

var schemaVariants = []schemaVariant{
	{"all views", nil},
	{"without ingest_ledger_mv", []string{"ingest_ledger_mv"}},
	{"without events_1m_mv", []string{"events_1m_mv"}},
	{"without errors_1m_mv", []string{"errors_1m_mv"}},
	{"without job_attempts_1m_mv", []string{"job_attempts_1m_mv"}},
	{"without usage_1m_mv", []string{"usage_1m_mv"}},
	{"events only", []string{"ingest_ledger_mv", "events_1m_mv", "errors_1m_mv", "job_attempts_1m_mv", "usage_1m_mv"}},
}

// SchemaCosts measures what each materialized view costs ClickHouse: the
// same pre-built batches inserted into the current schema and into it with
// each view dropped, repeated rounds interleaved (the machine is noisy),
// reporting wall rate and ClickHouse server CPU (user+system from /proc,
// merges included) per event.
func SchemaCosts(ctx context.Context, cfg Config, rounds int, only string, w io.Writer) error {
	b := &bench{cfg: cfg, runID: fmt.Sprintf("schemacost_%d", time.Now().Unix())}
	values := genValues(b.runID, cfg.Events, time.Now().UTC())
	batches, err := prebuild("schemacost", values, cfg.BatchSize, !cfg.Unsorted)
	if err != nil {
		return err
	}
	variants := schemaVariants
	if only != "" {
		variants = nil
		for _, v := range schemaVariants {
			if strings.Contains(","+only+",", ","+v.name+",") {
				variants = append(variants, v)
			}
		}
	}
	type acc struct{ eps, cpuUs []float64 }
	results := make([]acc, len(variants))
	for r := 0; r < rounds; r++ {
		for i, v := range variants {
			eps, cpuUs, err := b.insertCost(ctx, fmt.Sprintf("v%d_r%d", i, r), v, batches, len(values))
			if err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			results[i].eps = append(results[i].eps, eps)
			results[i].cpuUs = append(results[i].cpuUs, cpuUs)
			fmt.Fprintf(w, "round %d %-28s %8.0f events/s  %6.2f µs CPU/event\n", r+1, v.name, eps, cpuUs)
		}
	}
	fmt.Fprintf(w, "\nbest of %d rounds (%d events, batches of %d, %d writers):\n", rounds, cfg.Events, cfg.BatchSize, cfg.Partitions)
	for i, v := range variants {
		fmt.Fprintf(w, "  %-28s %8.0f events/s  %6.2f µs ClickHouse CPU/event\n", v.name, maxOf(results[i].eps), minOf(results[i].cpuUs))
	}
	return nil
}

// insertCost inserts batches into a fresh database of variant v and returns
// the rate and the server's CPU per event (from the first insert until the
// server's merges have settled for a moment).
func (b *bench) insertCost(ctx context.Context, suffix string, v schemaVariant, batches []*store.Batch, events int) (float64, float64, error) {
	conn, db, err := b.database(ctx, suffix)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	defer conn.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+db)
	for _, mv := range v.drop {
		if err := conn.Exec(ctx, "DROP TABLE "+mv); err != nil {
			return 0, 0, fmt.Errorf("dropping %s: %w", mv, err)
		}
	}
	cpu0, err := clickHouseCPU()
	if err != nil {
		return 0, 0, err
	}
	began := time.Now()
	if err := insertAll(ctx, store.NewWriter(conn), batches, b.cfg.Partitions, b.cfg.InsertGroup); err != nil {
		return 0, 0, err
	}
	eps := float64(events) / time.Since(began).Seconds()
	time.Sleep(2 * time.Second) // merges of the last parts
	cpu1, err := clickHouseCPU()
	if err != nil {
		return 0, 0, err
	}
	return eps, (cpu1 - cpu0).Seconds() * 1e6 / float64(events), nil
}

// clickHouseCPU is the local ClickHouse server's user+system CPU time.
func clickHouseCPU() (time.Duration, error) {
	pid, err := servicePid("clickhouse")
	if err != nil {
		return 0, err
	}
	return processCPU(pid)
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func minOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	m := xs[0]
	for _, x := range xs[1:] {
		m = min(m, x)
	}
	return m
}
