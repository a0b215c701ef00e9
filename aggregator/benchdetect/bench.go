// Package benchdetect measures the detector cycle as raw data grows: it
// backfills simulated events into fresh databases (10M and 100M by
// default), then times complete evaluation ticks over each, side by side in
// one process, and reports how cycle time grows (docs/benchmarks.md).
package benchdetect

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/detect"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// Config configures the benchmark.
type Config struct {
	Sizes  []uint64 `yaml:"sizes"` // raw events per database
	Rate   float64  `yaml:"rate"`  // events per simulated second: sizes differ in history length
	Dense  bool     `yaml:"dense"` // also the largest size over the smallest size's span (10× the rate)
	Cycles int      `yaml:"cycles"`
	Seed   uint64   `yaml:"seed"`
	// Prefix names the databases (<prefix>_<events>); with Reuse,
	// databases left by an earlier run (-keep) are measured again.
	Prefix         string `yaml:"prefix"`
	Reuse          bool   `yaml:"reuse"`
	Keep           bool   `yaml:"keep"`
	ClickHouseAddr string `yaml:"clickhouse_addr"`
	Detect         detect.Config
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Sizes: []uint64{10_000_000, 100_000_000}, Rate: 2000, Cycles: 5, Seed: 1, Prefix: "bench_detect",
		ClickHouseAddr: "127.0.0.1:19000", Detect: detect.DefaultConfig()}
}

// RegisterFlags binds the config to flags.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Func("sizes", "comma-separated raw event counts (default 10000000,100000000)", func(s string) error {
		c.Sizes = nil
		for _, p := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 64)
			if err != nil {
				return err
			}
			c.Sizes = append(c.Sizes, n)
		}
		return nil
	})
	fs.Float64Var(&c.Rate, "rate", c.Rate, "events per simulated second (the default fleet's)")
	fs.BoolVar(&c.Dense, "dense", c.Dense, "also measure the largest size generated over the smallest size's time span")
	fs.IntVar(&c.Cycles, "cycles", c.Cycles, "timed detector cycles per database")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "simulator seed")
	fs.StringVar(&c.Prefix, "prefix", c.Prefix, "database name prefix")
	fs.BoolVar(&c.Reuse, "reuse", c.Reuse, "measure databases an earlier -keep run left")
	fs.BoolVar(&c.Keep, "keep", c.Keep, "keep the databases")
	fs.StringVar(&c.ClickHouseAddr, "clickhouse.addr", c.ClickHouseAddr, "ClickHouse native address")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if len(c.Sizes) == 0 || c.Rate <= 0 || c.Cycles < 1 || c.Prefix == "" {
		return errors.New("bench-detect: sizes, a positive rate, cycles and a prefix are required")
	}
	return c.Detect.Validate()
}

// dataset is one database of the benchmark.
type dataset struct {
	name     string
	events   uint64
	rate     float64
	span     time.Duration
	end      time.Time
	rollups  map[string]uint64
	loadTime time.Duration
	cycles   []time.Duration
	parts    map[string]time.Duration // median per detector
}

// Run loads (or reuses) the datasets, times the cycles and writes the report.
func Run(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	sizes := append([]uint64(nil), cfg.Sizes...)
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	end := time.Now().Add(-5 * time.Minute).Truncate(time.Hour)
	var sets []*dataset
	for _, n := range sizes {
		sets = append(sets, &dataset{name: fmt.Sprintf("%s_%d", cfg.Prefix, n), events: n, rate: cfg.Rate, end: end})
	}
	if cfg.Dense && len(sizes) > 1 {
		big := sizes[len(sizes)-1]
		rate := cfg.Rate * float64(big) / float64(sizes[0])
		sets = append(sets, &dataset{name: fmt.Sprintf("%s_%d_dense", cfg.Prefix, big), events: big, rate: rate, end: end})
	}
	g, err := guard.New(guard.Config{PseudonymKey: "opswarehouse-bench-pseudonym-key"})
	if err != nil {
		return err
	}
	conns := map[string]store.Conn{}
	defer func() {
		for name, c := range conns {
			if !cfg.Keep && !cfg.Reuse {
				_ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name)
			}
			c.Close()
		}
	}()
	for _, ds := range sets {
		conn, err := store.Open(ctx, store.Config{Addr: cfg.ClickHouseAddr, Database: ds.name, Username: "default",
			DialTimeout: 5 * time.Second, ReadTimeout: 10 * time.Minute}, !cfg.Reuse)
		if err != nil {
			return err
		}
		conns[ds.name] = conn
		if err := prepare(ctx, cfg, conn, ds, g, log); err != nil {
			return err
		}
	}
	for round := 0; round <= cfg.Cycles; round++ { // round 0 warms caches
		for _, ds := range sets {
			if err := cycle(ctx, cfg, conns[ds.name], ds, round > 0); err != nil {
				return err
			}
		}
	}
	report(out, sets)
	return nil
}

// prepare backfills a dataset (or reads back one that exists).
func prepare(ctx context.Context, cfg Config, conn store.Conn, ds *dataset, g *guard.Guard, log *slog.Logger) error {
	if !cfg.Reuse {
		if err := schema.Migrate(ctx, conn, schema.DefaultConfig(), log); err != nil {
			return err
		}
		sc := simConfig(ds.events, ds.rate, ds.end, cfg.Seed)
		log.Info("backfilling", "database", ds.name, "events", ds.events, "rate", ds.rate, "span", sc.Duration)
		began := time.Now()
		n, err := backfill(ctx, conn, sc, ds.events, g)
		if err != nil {
			return err
		}
		ds.loadTime = time.Since(began)
		log.Info("backfilled", "database", ds.name, "events", n, "seconds", ds.loadTime.Seconds())
	}
	var first, last time.Time
	if err := conn.QueryRow(ctx, "SELECT count(), min(ts), max(ts) FROM events").Scan(&ds.events, &first, &last); err != nil {
		return fmt.Errorf("reading %s: %w", ds.name, err)
	}
	ds.span, ds.end = last.Sub(first).Round(time.Minute), last.UTC().Truncate(time.Minute)
	ds.rollups = map[string]uint64{}
	for _, t := range []string{"events_1m", "errors_1m", "usage_1m", "job_attempts_1m"} {
		var n uint64
		// t is one of the constant table names above.
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+t).Scan(&n); err != nil {
			return fmt.Errorf("counting %s.%s: %w", ds.name, t, err)
		}
		ds.rollups[t] = n
	}
	return nil
}

// cycle times one complete evaluation at the dataset's last minute.
func cycle(ctx context.Context, cfg Config, conn store.Conn, ds *dataset, record bool) error {
	d, err := detect.New(cfg.Detect, conn)
	if err != nil {
		return err
	}
	began := time.Now()
	if _, err := d.Evaluate(ctx, ds.end, nil); err != nil {
		return fmt.Errorf("evaluating %s: %w", ds.name, err)
	}
	took := time.Since(began)
	if !record {
		return nil
	}
	ds.cycles = append(ds.cycles, took)
	if ds.parts == nil {
		ds.parts = map[string]time.Duration{}
	}
	for name, t := range d.Timings() {
		ds.parts[name] += t / time.Duration(cfg.Cycles)
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
