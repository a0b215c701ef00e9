package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
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
	batches, err := prebuild("schemacost", values, cfg.BatchSize)
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
	if err := insertAll(ctx, store.NewWriter(conn), batches, b.cfg.Partitions); err != nil {
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

// clickHouseCPU is the local ClickHouse server's user+system CPU time, read
// from /proc for the pid scripts/services.sh recorded ($OPSW_CLICKHOUSE_PID
// overrides).
func clickHouseCPU() (time.Duration, error) {
	pidText := os.Getenv("OPSW_CLICKHOUSE_PID")
	if pidText == "" {
		b, err := os.ReadFile(".services/clickhouse/pid")
		if err != nil {
			return 0, fmt.Errorf("finding the ClickHouse pid (set OPSW_CLICKHOUSE_PID): %w", err)
		}
		pidText = string(b)
	}
	stat, err := os.ReadFile("/proc/" + strings.TrimSpace(pidText) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("reading ClickHouse CPU time: %w", err)
	}
	// Fields after the parenthesised command: utime and stime are the 12th
	// and 13th, in clock ticks (100 per second on Linux).
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("parsing /proc stat %q", s)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parsing /proc stat %q", s)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
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
