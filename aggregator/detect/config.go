package detect

import (
	"errors"
	"flag"
	"fmt"
	"time"
)

// Config holds every detector's parameters. The defaults are statistical
// choices (window lengths, minimum support, significance, effect sizes)
// explained in docs/detection.md, not values fitted to a data set.
type Config struct {
	// Window is the recent period each detector tests; Baseline the period
	// before it that the test compares with.
	Window   time.Duration `yaml:"window"`
	Baseline time.Duration `yaml:"baseline"`
	// History is how far back "never seen before" and burst trains look.
	History time.Duration `yaml:"history"`
	// MaxLogP is the significance a count must reach: the log of the
	// Poisson tail probability of the observed count under the baseline.
	MaxLogP float64 `yaml:"max_log_p"`

	Failures   FailureConfig   `yaml:"failures"`
	Neighbours NeighbourConfig `yaml:"neighbours"`
	Jobs       JobConfig       `yaml:"jobs"`
}

// FailureConfig tunes the failure-pattern detector.
type FailureConfig struct {
	MinErrors   uint64  `yaml:"min_errors"`   // errors of a fingerprint in the window
	MinRatio    float64 `yaml:"min_ratio"`    // window rate over baseline rate
	Coverage    float64 `yaml:"coverage"`     // share of a fingerprint's errors a dimension value must hold
	MinLift     float64 `yaml:"min_lift"`     // its share there over its share of the reference
	TenantShare float64 `yaml:"tenant_share"` // share of the rise in one tenant for a single-tenant failure
	// RestLogP: without the top tenant, a rise less significant than this
	// is baseline noise (so the failure is that tenant's alone).
	RestLogP      float64 `yaml:"rest_log_p"`
	SpreadTenants int     `yaml:"spread_tenants"`
	// Burst trains (emerging): quiet minutes between bursts, events per
	// burst, bursts needed and the trend the gaps between them must show.
	BurstGap       int     `yaml:"burst_gap"`
	BurstMinEvents uint64  `yaml:"burst_min_events"`
	BurstLogP      float64 `yaml:"burst_log_p"` // a burst's significance against the fingerprint's rate outside it
	MinBursts      int     `yaml:"min_bursts"`
	MaxGapTau      float64 `yaml:"max_gap_tau"`
	GapShrink      float64 `yaml:"gap_shrink"`
}

// NeighbourConfig tunes the noisy-neighbour detector.
type NeighbourConfig struct {
	MinShare       float64 `yaml:"min_share"`        // aggressor's share of the resource's consumption
	MinShareGrowth float64 `yaml:"min_share_growth"` // its share now over its baseline share
	MinDegradation float64 `yaml:"min_degradation"`  // victims' queue time (or latency) now over their own baseline
	MinVictims     int     `yaml:"min_victims"`
	// VictimShare: the share of measured tenants that must be degraded,
	// several times what noise in a window's medians gives (a few percent).
	VictimShare float64 `yaml:"victim_share"`
	MinStarts   uint64  `yaml:"min_starts"` // job starts a victim needs in the window to be measured
}

// JobConfig tunes job health and tenant behaviour detectors.
type JobConfig struct {
	StuckAges      []time.Duration `yaml:"stuck_ages"`       // warning, critical, … ages of running attempts
	StuckMin       uint64          `yaml:"stuck_min"`        // open attempts past the first age
	StuckDurFactor float64         `yaml:"stuck_dur_factor"` // or past this many times the job type's p90
	StuckHorizon   time.Duration   `yaml:"stuck_horizon"`    // oldest attempt start looked at

	StormMin    uint64  `yaml:"storm_min"`     // retries of a tenant in the window
	StormPerJob float64 `yaml:"storm_per_job"` // retries per retried job in the window
	StormRatio  float64 `yaml:"storm_ratio"`   // retry rate over the tenant's baseline
	// StormMaxGrowth: a job's second retry gap over its first at most this
	// is retrying without backoff. Common backoff multipliers start at 1.5
	// (Resilience4j's default; gRPC's is 1.6), and queue and run time in
	// the gaps dilute the growth further, so the bound sits well below them.
	// StormMinJobs jobs must show it: jobs with two waits from a retry to
	// the attempt's start, or with three retries (no running events).
	StormMaxGrowth  float64 `yaml:"storm_max_growth"`
	StormMinJobs    uint64  `yaml:"storm_min_jobs"`
	PoisonMinFailed uint64  `yaml:"poison_min_failed"` // failed attempts in the window
	PoisonFailShare float64 `yaml:"poison_fail_share"` // failed over finished attempts of the type
	PoisonFastRun   float64 `yaml:"poison_fast_run"`   // failed attempts' run time over successful ones'
	FloodRatio      float64 `yaml:"flood_ratio"`       // requests over the tenant's expected requests
	FloodMin        uint64  `yaml:"flood_min"`         // requests in the window
	EndpointRatio   float64 `yaml:"endpoint_ratio"`    // endpoint p90 run time or failure share over baseline
	EndpointMin     uint64  `yaml:"endpoint_min"`      // deliveries to the endpoint in the window
	// EndpointMinShare is the least failure share of a failing endpoint: a
	// practical threshold beside the statistical one. The test counts
	// attempts, and a delivery retried three times fails three times, so
	// a few failing deliveries of an endpoint that rarely fails can look
	// significant; 13 failed attempts of 176 are no incident to notify.
	EndpointMinShare float64 `yaml:"endpoint_min_share"`
	// EndpointLongWindow is the second, longer recent window endpoints are
	// tested over, for endpoints with few deliveries.
	EndpointLongWindow time.Duration `yaml:"endpoint_long_window"`
}

// DefaultConfig returns the defaults: the one place they are set.
func DefaultConfig() Config {
	return Config{
		Window: 3 * time.Minute, Baseline: time.Hour, History: 6 * time.Hour, MaxLogP: -13.8, // p < 1e-6
		Failures: FailureConfig{
			MinErrors: 10, MinRatio: 4, Coverage: 0.8, MinLift: 2, TenantShare: 0.9, RestLogP: -6.9, SpreadTenants: 3,
			BurstGap: 3, BurstMinEvents: 3, BurstLogP: -9.2, MinBursts: 4, MaxGapTau: -0.6, GapShrink: 0.8,
		},
		Neighbours: NeighbourConfig{MinShare: 0.15, MinShareGrowth: 2, MinDegradation: 2, MinVictims: 3, VictimShare: 0.3, MinStarts: 5},
		Jobs: JobConfig{
			StuckAges: []time.Duration{5 * time.Minute, 10 * time.Minute, 45 * time.Minute}, StuckMin: 3,
			StuckDurFactor: 10, StuckHorizon: 3 * time.Hour,
			StormMin: 30, StormPerJob: 6, StormRatio: 5, StormMaxGrowth: 1.25, StormMinJobs: 3,
			PoisonMinFailed: 5, PoisonFailShare: 0.5, PoisonFastRun: 0.5,
			FloodRatio: 4, FloodMin: 60,
			EndpointRatio: 3, EndpointMin: 5, EndpointMinShare: 0.1, EndpointLongWindow: 15 * time.Minute,
		},
	}
}

// RegisterFlags binds the main parameters to flags.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.Window, "detect.window", c.Window, "recent period each detector tests")
	fs.DurationVar(&c.Baseline, "detect.baseline", c.Baseline, "period before the window the tests compare with")
	fs.DurationVar(&c.History, "detect.history", c.History, "how far back new signatures and burst trains look")
	fs.Float64Var(&c.MaxLogP, "detect.max-log-p", c.MaxLogP, "log of the largest Poisson tail probability that counts as significant")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Window < time.Minute || c.Window%time.Minute != 0 {
		errs = append(errs, fmt.Errorf("detect.window %s: want whole minutes, at least one", c.Window))
	}
	if c.Baseline < 4*c.Window || c.Baseline%time.Minute != 0 {
		errs = append(errs, fmt.Errorf("detect.baseline %s: want whole minutes, at least 4 windows", c.Baseline))
	}
	if c.History < c.Baseline+c.Window {
		errs = append(errs, errors.New("detect.history must cover the window and the baseline"))
	}
	if c.MaxLogP >= 0 {
		errs = append(errs, errors.New("detect.max-log-p must be negative"))
	}
	if c.Jobs.EndpointLongWindow < c.Window || c.Jobs.EndpointLongWindow >= c.Baseline {
		errs = append(errs, errors.New("the endpoint long window must be at least the window and shorter than the baseline"))
	}
	if c.Jobs.EndpointMinShare < 0 || c.Jobs.EndpointMinShare >= 1 {
		errs = append(errs, errors.New("the endpoint minimum failure share must be in [0, 1)"))
	}
	if len(c.Jobs.StuckAges) == 0 {
		errs = append(errs, errors.New("at least one stuck-job age is required"))
	}
	return errors.Join(errs...)
}
