// Package runner is the aggregator service's loop: it evaluates the
// detectors at every whole minute of evaluation time (wall clock minus a
// settle lag for ingestion), turns the findings into state transitions in
// ClickHouse and hands them on. Replicas run it side by side (see
// aggregator/findingstore for why that gives neither duplicates nor gaps).
package runner

import (
	"errors"
	"flag"
	"os"
	"time"
)

// Config configures the loop.
type Config struct {
	// SettleLag is how far evaluation time trails the wall clock: events
	// of the minute before it have been ingested by then.
	SettleLag time.Duration `yaml:"settle_lag"`
	// CatchUp bounds how far back a starting or lagging replica evaluates
	// ticks no replica has recorded.
	CatchUp time.Duration `yaml:"catch_up"`
	// ResolveAfter is how long a finding must go unseen to be resolved.
	// It should be at least the longest recent window a detector reads
	// (the endpoint long window, 15 minutes): an open finding explains its
	// tenant's less specific ones, and one resolved while its incident's
	// data is still in such a window would let that window report the
	// incident again under another kind (a retry storm's last failures as
	// its tenant's failing endpoint).
	ResolveAfter time.Duration `yaml:"resolve_after"`
	// Replica names this process in detector_ticks.
	Replica string `yaml:"replica"`
	// BackfillFrom, when no tick is recorded yet, makes the first replica
	// evaluate history from this long ago (within CatchUp) instead of
	// starting at the present: detection over data loaded before the
	// aggregator first ran. Zero starts at the present.
	BackfillFrom time.Duration `yaml:"backfill_from"`
}

// DefaultConfig returns the defaults: the one place they are set.
func DefaultConfig() Config {
	host, _ := os.Hostname()
	return Config{SettleLag: time.Minute, CatchUp: time.Hour, ResolveAfter: 15 * time.Minute, Replica: host}
}

// RegisterFlags binds the config to flags, with the current values as defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.SettleLag, "runner.settle-lag", c.SettleLag, "how far evaluation time trails the wall clock (ingestion delay)")
	fs.DurationVar(&c.CatchUp, "runner.catch-up", c.CatchUp, "oldest unevaluated tick a starting replica still evaluates")
	fs.DurationVar(&c.ResolveAfter, "runner.resolve-after", c.ResolveAfter, "how long a finding goes unseen before it is resolved")
	fs.StringVar(&c.Replica, "runner.replica", c.Replica, "this replica's name in the tick log")
	fs.DurationVar(&c.BackfillFrom, "runner.backfill-from", c.BackfillFrom, "with no tick recorded yet, evaluate history from this long ago (at most catch-up) instead of starting now")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.SettleLag < 0 || c.CatchUp < time.Minute || c.ResolveAfter < time.Minute {
		errs = append(errs, errors.New("runner: settle-lag >= 0, catch-up and resolve-after >= 1m"))
	}
	if c.Replica == "" {
		errs = append(errs, errors.New("runner.replica is required"))
	}
	return errors.Join(errs...)
}
