// Package eval scores the detectors against the simulator's ground truth:
// it runs the simulator's default incident mix through the whole ingest
// pipeline (emitter → Kafka → ingester → ClickHouse) in backfill mode, then
// evaluates the detectors minute by minute over the simulated time, writing
// findings through the same store the live aggregator uses, and scores the
// findings against the truth records (see docs/eval.md).
package eval

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/detect"
	"github.com/opswarehouse/opswarehouse/aggregator/runner"
	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Config configures an evaluation run.
type Config struct {
	// The simulated fleet and run: the default mix is scheduled over
	// Duration; Warmup more minutes of incident-free history precede it so
	// the detectors' baselines exist when the first incident starts.
	Tenants  int           `yaml:"tenants"`
	Cells    int           `yaml:"cells"`
	Rate     float64       `yaml:"rate"`
	Duration time.Duration `yaml:"duration"`
	Warmup   time.Duration `yaml:"warmup"`
	Seed     uint64        `yaml:"seed"`
	// Mix is the simulator's mix ("default" or "none"); Scenarios are
	// extra scenario specs (name@+offset/duration:key=value,...) placed
	// relative to the start of the mix.
	Mix       string   `yaml:"mix"`
	Scenarios []string `yaml:"scenarios"`

	Brokers        []string `yaml:"brokers"`
	Partitions     int      `yaml:"partitions"`
	ClickHouseAddr string   `yaml:"clickhouse_addr"`
	// Database is created for the run; empty: eval_<unix time>. With
	// Reuse, an existing database loaded by an earlier run (and its truth
	// file) is evaluated again without loading.
	Database string `yaml:"database"`
	Reuse    bool   `yaml:"reuse"`
	Keep     bool   `yaml:"keep"` // keep the database afterwards
	OutDir   string `yaml:"out_dir"`

	// Step is the evaluation tick; Grace how long after an incident ends a
	// finding still counts as detecting it.
	Step  time.Duration `yaml:"step"`
	Grace time.Duration `yaml:"grace"`
	// Workers detect upcoming ticks concurrently (ClickHouse does the work).
	Workers int `yaml:"workers"`
	// ResolveAfter is the aggregator's: how long a finding goes unseen
	// before it is resolved.
	ResolveAfter time.Duration `yaml:"resolve_after"`

	Detect detect.Config `yaml:"detect"`
}

// DefaultConfig is a run sized for CI: a few minutes on two cores.
func DefaultConfig() Config {
	return Config{
		Tenants: 200, Rate: 400, Duration: 6 * time.Hour, Warmup: time.Hour, Seed: 1, Mix: "default",
		Brokers: []string{"127.0.0.1:19092"}, Partitions: 4, ClickHouseAddr: "127.0.0.1:19000",
		OutDir: ".eval", Workers: 3, Step: time.Minute, Grace: 10 * time.Minute, ResolveAfter: runner.DefaultConfig().ResolveAfter,
		Detect: detect.DefaultConfig(),
	}
}

// RegisterFlags binds the config to flags, with the current values as defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.Tenants, "tenants", c.Tenants, "simulated tenants")
	fs.IntVar(&c.Cells, "cells", c.Cells, "cells (0: one per 50 tenants, at least 2)")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "mean events per simulated second")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "simulated time the default incident mix is spread over")
	fs.DurationVar(&c.Warmup, "warmup", c.Warmup, "incident-free simulated history before the mix")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "simulator seed: picks culprits, times and events")
	fs.StringVar(&c.Mix, "mix", c.Mix, `incident mix: "default" (every scenario once) or "none"`)
	fs.Func("scenario", "extra incident: name@+offset/duration[:key=value,...], offset from the mix's start (repeatable)", func(s string) error {
		c.Scenarios = append(c.Scenarios, s)
		return nil
	})
	fs.Func("brokers", "comma-separated Kafka brokers", func(s string) error {
		c.Brokers = strings.Split(s, ",")
		return nil
	})
	fs.IntVar(&c.Partitions, "partitions", c.Partitions, "partitions of the run's topic")
	fs.StringVar(&c.ClickHouseAddr, "clickhouse.addr", c.ClickHouseAddr, "ClickHouse native address")
	fs.StringVar(&c.Database, "database", c.Database, "database for the run (default eval_<unix time>)")
	fs.BoolVar(&c.Reuse, "reuse", c.Reuse, "evaluate an existing -database again instead of loading it")
	fs.BoolVar(&c.Keep, "keep", c.Keep, "keep the database after the run")
	fs.StringVar(&c.OutDir, "out", c.OutDir, "directory for the truth file and the findings of the run")
	fs.DurationVar(&c.Step, "step", c.Step, "evaluation tick")
	fs.IntVar(&c.Workers, "workers", c.Workers, "ticks detected concurrently")
	fs.DurationVar(&c.Grace, "grace", c.Grace, "how long after an incident's end a finding still detects it")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Tenants < 10 || c.Rate <= 0 || c.Duration < time.Hour {
		errs = append(errs, fmt.Errorf("want at least 10 tenants, a positive rate and an hour of mix (got %d, %v, %s)", c.Tenants, c.Rate, c.Duration))
	}
	if c.Warmup < 0 || c.Duration+c.Warmup > 30*24*time.Hour {
		errs = append(errs, errors.New("warmup must be >= 0 and the run at most 30 days"))
	}
	if len(c.Brokers) == 0 || c.ClickHouseAddr == "" || c.Partitions < 1 {
		errs = append(errs, errors.New("brokers, clickhouse.addr and partitions are required"))
	}
	if c.Database != "" && !event.IsIdentifier(c.Database) {
		errs = append(errs, fmt.Errorf("database %q: want an identifier", c.Database))
	}
	if c.Mix != "default" && c.Mix != "none" {
		errs = append(errs, fmt.Errorf("mix %q: want default or none", c.Mix))
	}
	if c.Reuse && c.Database == "" {
		errs = append(errs, errors.New("-reuse needs -database"))
	}
	if c.Step < time.Minute || c.Step%time.Minute != 0 || c.Grace < 0 || c.Workers < 1 {
		errs = append(errs, errors.New("step must be whole minutes, grace >= 0"))
	}
	return errors.Join(append(errs, c.Detect.Validate())...)
}
