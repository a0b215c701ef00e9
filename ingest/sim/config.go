package sim

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Mode says how simulated time relates to wall time.
type Mode string

const (
	// ModeRealtime: simulated time is wall time; events are emitted as they happen.
	ModeRealtime Mode = "realtime"
	// ModeAccelerated: simulated time runs Speed times faster than wall time
	// and ends at the moment the run started, so no timestamp is in the future.
	ModeAccelerated Mode = "accelerated"
	// ModeBackfill: a past range is generated as fast as the sink takes it.
	ModeBackfill Mode = "backfill"
)

// Config configures a simulation run.
type Config struct {
	Mode     Mode          `yaml:"mode"`
	Duration time.Duration `yaml:"duration"` // simulated; 0 in realtime runs until stopped
	Speed    float64       `yaml:"speed"`    // accelerated mode: simulated seconds per wall second
	// Rate is the fleet's mean event rate in events per simulated second,
	// averaged over the day (the diurnal curve moves it ±Diurnal around it).
	Rate    float64   `yaml:"rate"`
	Tenants int       `yaml:"tenants"`
	Cells   int       `yaml:"cells"` // 0: one per 50 tenants, at least 2
	Seed    uint64    `yaml:"seed"`
	Start   time.Time `yaml:"start"`  // zero: now (realtime) or now-Duration
	RunID   string    `yaml:"run_id"` // event-id prefix; empty: derived from seed and start

	Scenarios []string `yaml:"scenarios"` // name@start/duration:key=value,...
	Mix       string   `yaml:"mix"`       // "default" schedules every scenario; "" or "none" none

	// Workers generating cells in parallel; 0: one per CPU when the rate is
	// high enough to pay for the per-tick hand-off, else 1. With more than
	// one, the sink is called concurrently and events of different cells
	// interleave; each cell's events and their content stay deterministic.
	Workers int `yaml:"workers"`

	Diurnal      float64       `yaml:"diurnal"`       // amplitude of the daily load curve, 0..0.9
	ErrorShare   float64       `yaml:"error_share"`   // share of activities that are background errors
	ReleaseEvery time.Duration `yaml:"release_every"` // mean time between deploys
}

// DefaultConfig returns the defaults: the one place they are set.
func DefaultConfig() Config {
	return Config{
		Mode:         ModeAccelerated,
		Duration:     24 * time.Hour,
		Speed:        720,
		Rate:         2000,
		Tenants:      500,
		Seed:         1,
		Diurnal:      0.45,
		ErrorShare:   0.02,
		ReleaseEvery: 8 * time.Hour,
	}
}

// RegisterFlags binds the config to command-line flags, with the current
// values as defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Func("mode", "time mode: realtime, accelerated or backfill (default "+string(c.Mode)+")", func(s string) error {
		c.Mode = Mode(s)
		return nil
	})
	fs.DurationVar(&c.Duration, "duration", c.Duration, "simulated time to cover (realtime: 0 runs until stopped)")
	fs.Float64Var(&c.Speed, "speed", c.Speed, "accelerated mode: simulated seconds per wall-clock second")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "mean events per simulated second across the fleet")
	fs.IntVar(&c.Tenants, "tenants", c.Tenants, "number of tenants")
	fs.IntVar(&c.Cells, "cells", c.Cells, "number of cells (0: one per 50 tenants)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed; same seed, config and start give the same events")
	fs.Func("start", "simulated start time, RFC 3339 (default: now, or now minus duration)", func(s string) error {
		t, err := time.Parse(time.RFC3339, s)
		c.Start = t
		return err
	})
	fs.StringVar(&c.RunID, "run-id", c.RunID, "event-id prefix (default derived from seed and start)")
	fs.Func("scenario", "inject an incident: name@+offset/duration[:key=value,...] (repeatable)", func(s string) error {
		c.Scenarios = append(c.Scenarios, s)
		return nil
	})
	fs.StringVar(&c.Mix, "mix", c.Mix, `"default" schedules a realistic mix of every scenario`)
	fs.IntVar(&c.Workers, "workers", c.Workers, "goroutines generating events (0: one per CPU at high rates)")
	fs.Float64Var(&c.Diurnal, "diurnal", c.Diurnal, "daily load amplitude, 0 (flat) to 0.9")
	fs.Float64Var(&c.ErrorShare, "error-share", c.ErrorShare, "share of activities that are background errors")
	fs.DurationVar(&c.ReleaseEvery, "release-every", c.ReleaseEvery, "mean time between deploys")
}

// MaxBackfillAge is how far back a run may start: the ingester rejects
// events older than 35 days, and a margin keeps a long run inside that.
const MaxBackfillAge = 34 * 24 * time.Hour

// Validate checks the config on its own; ValidateWindow checks it against
// the wall clock.
func (c *Config) Validate() error {
	var errs []error
	switch c.Mode {
	case ModeRealtime, ModeAccelerated, ModeBackfill:
	default:
		errs = append(errs, fmt.Errorf("mode %q: want realtime, accelerated or backfill", c.Mode))
	}
	if c.Duration < 0 || (c.Duration == 0 && c.Mode != ModeRealtime) {
		errs = append(errs, fmt.Errorf("duration %s: must be positive (0 only in realtime)", c.Duration))
	}
	if c.Mode == ModeAccelerated && c.Speed <= 0 {
		errs = append(errs, fmt.Errorf("speed %v: must be positive", c.Speed))
	}
	if c.Rate <= 0 || c.Rate > 50e6 {
		errs = append(errs, fmt.Errorf("rate %v: want (0, 5e7] events per simulated second", c.Rate))
	}
	if c.Tenants < 1 || c.Tenants > 9999 {
		errs = append(errs, fmt.Errorf("tenants %d: want 1..9999", c.Tenants))
	}
	if c.Cells < 0 || c.Cells > 512 {
		errs = append(errs, fmt.Errorf("cells %d: want 0..512", c.Cells))
	}
	if c.Workers < 0 || c.Workers > 256 {
		errs = append(errs, fmt.Errorf("workers %d: want 0..256", c.Workers))
	}
	if c.Diurnal < 0 || c.Diurnal > 0.9 {
		errs = append(errs, fmt.Errorf("diurnal %v: want 0..0.9", c.Diurnal))
	}
	if c.ErrorShare < 0 || c.ErrorShare > 0.5 {
		errs = append(errs, fmt.Errorf("error-share %v: want 0..0.5", c.ErrorShare))
	}
	if c.ReleaseEvery < time.Minute {
		errs = append(errs, fmt.Errorf("release-every %s: want at least 1m", c.ReleaseEvery))
	}
	if c.RunID != "" && (len(c.RunID) > 20 || !event.IsIdentifier(c.RunID) || strings.ContainsAny(c.RunID, ".")) {
		errs = append(errs, fmt.Errorf("run-id %q: want at most 20 identifier characters without '.'", c.RunID))
	}
	switch c.Mix {
	case "", "none", "default":
	default:
		errs = append(errs, fmt.Errorf("mix %q: want default or none", c.Mix))
	}
	for _, s := range c.Scenarios {
		if _, err := ParseSpec(s); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ResolveStart fills in Start for the mode: realtime starts now; the other
// modes end now, so simulated time never runs ahead of the wall clock.
func (c *Config) ResolveStart(now time.Time) {
	if !c.Start.IsZero() {
		return
	}
	if c.Mode == ModeRealtime {
		c.Start = now
		return
	}
	c.Start = now.Add(-c.Duration)
}

// ValidateWindow checks that every timestamp the run produces is one the
// ingester accepts at the given wall-clock time.
func (c *Config) ValidateWindow(now time.Time) error {
	if c.Start.Before(now.Add(-MaxBackfillAge)) {
		return fmt.Errorf("start %s is more than %s ago: the ingester rejects events older than 35 days", c.Start.Format(time.RFC3339), MaxBackfillAge)
	}
	if c.Mode == ModeRealtime {
		if c.Start.After(now.Add(time.Minute)) || c.Start.Before(now.Add(-time.Minute)) {
			return fmt.Errorf("realtime runs start now, not at %s", c.Start.Format(time.RFC3339))
		}
		return nil
	}
	if end := c.Start.Add(c.Duration); end.After(now.Add(5 * time.Minute)) {
		return fmt.Errorf("run ends at %s, after now: %s mode must cover a past range", end.Format(time.RFC3339), c.Mode)
	}
	return nil
}
