package alert

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"time"
)

// Config configures a Notifier. Zero fields take the defaults below; a
// Config read from YAML, flags or a struct literal is completed the same way
// by WithDefaults.
type Config struct {
	// URL is Alertmanager's base URL; alerts go to URL + /api/v2/alerts.
	URL string `yaml:"url"`
	// RunbookBaseURL + "/" + kind is every alert's runbook_url annotation;
	// empty leaves the annotation out.
	RunbookBaseURL string `yaml:"runbook_base_url"`
	// GeneratorURL, when set, is every alert's generatorURL with
	// var-finding_key=<key> appended: a Grafana dashboard URL selects the
	// finding through its finding_key variable.
	GeneratorURL string `yaml:"generator_url"`

	// ResendInterval is how often an unchanged open finding is posted
	// again; Alertmanager would otherwise let it expire at its endsAt.
	ResendInterval time.Duration `yaml:"resend_interval"`
	// Expiry is how far past the latest post an open alert's endsAt lies:
	// the alert resolves by itself that long after the aggregator stops
	// reporting it. It must cover several resend intervals, and the
	// aggregator must call Sync more often than this.
	Expiry time.Duration `yaml:"expiry"`

	// Timeout bounds one HTTP request to Alertmanager.
	Timeout time.Duration `yaml:"timeout"`
	// MaxAttempts bounds the tries of one POST on network errors, 5xx and
	// 429; retries back off from RetryBackoffMin to RetryBackoffMax.
	MaxAttempts     int           `yaml:"max_attempts"`
	RetryBackoffMin time.Duration `yaml:"retry_backoff_min"`
	RetryBackoffMax time.Duration `yaml:"retry_backoff_max"`
	// MaxBatch bounds the alerts in one POST.
	MaxBatch int `yaml:"max_batch"`
	// MaxTenants bounds the tenants listed in the tenants annotation.
	MaxTenants int `yaml:"max_tenants"`
}

// Defaults, in one place.
const (
	DefaultURL             = "http://127.0.0.1:19094" // scripts/services.sh
	DefaultResendInterval  = time.Minute
	DefaultExpiry          = 4 * DefaultResendInterval
	DefaultTimeout         = 10 * time.Second
	DefaultMaxAttempts     = 3
	DefaultRetryBackoffMin = 250 * time.Millisecond
	DefaultRetryBackoffMax = 2 * time.Second
	DefaultMaxBatch        = 500
	DefaultMaxTenants      = 20
)

// WithDefaults returns c with every zero field set to its default. A zero
// Expiry becomes four resend intervals, so changing one keeps the other
// consistent.
func (c Config) WithDefaults() Config {
	setDefault(&c.URL, DefaultURL)
	setDefault(&c.ResendInterval, DefaultResendInterval)
	setDefault(&c.Expiry, 4*c.ResendInterval)
	setDefault(&c.Timeout, DefaultTimeout)
	setDefault(&c.MaxAttempts, DefaultMaxAttempts)
	setDefault(&c.RetryBackoffMin, DefaultRetryBackoffMin)
	setDefault(&c.RetryBackoffMax, DefaultRetryBackoffMax)
	setDefault(&c.MaxBatch, DefaultMaxBatch)
	setDefault(&c.MaxTenants, DefaultMaxTenants)
	return c
}

func setDefault[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}

// RegisterFlags registers the alerting flags; zero values mean the defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.URL, "alert.alertmanager-url", c.URL, "Alertmanager base URL (default "+DefaultURL+")")
	fs.StringVar(&c.RunbookBaseURL, "alert.runbook-base-url", c.RunbookBaseURL, "runbook_url annotation is this + \"/\" + kind; empty omits it")
	fs.StringVar(&c.GeneratorURL, "alert.generator-url", c.GeneratorURL, "dashboard URL linked from each alert, with var-finding_key=<key> appended")
	fs.DurationVar(&c.ResendInterval, "alert.resend-interval", c.ResendInterval, "re-post unchanged open findings this often (default 1m)")
	fs.DurationVar(&c.Expiry, "alert.expiry", c.Expiry, "open alerts end this long after their last post unless re-posted (default 4 resend intervals)")
	fs.DurationVar(&c.Timeout, "alert.timeout", c.Timeout, "bound on one request to Alertmanager (default 10s)")
	fs.IntVar(&c.MaxAttempts, "alert.max-attempts", c.MaxAttempts, "tries of one POST on network errors, 5xx and 429 (default 3)")
	fs.DurationVar(&c.RetryBackoffMin, "alert.retry-backoff-min", c.RetryBackoffMin, "first retry backoff (default 250ms)")
	fs.DurationVar(&c.RetryBackoffMax, "alert.retry-backoff-max", c.RetryBackoffMax, "largest retry backoff (default 2s)")
	fs.IntVar(&c.MaxBatch, "alert.max-batch", c.MaxBatch, "alerts per POST (default 500)")
	fs.IntVar(&c.MaxTenants, "alert.max-tenants", c.MaxTenants, "tenants listed in the tenants annotation (default 20)")
}

// Validate checks a configuration completed by WithDefaults.
func (c *Config) Validate() error {
	var errs []error
	if err := checkBaseURL("alert.alertmanager-url", c.URL, true); err != nil {
		errs = append(errs, err)
	}
	if err := checkBaseURL("alert.runbook-base-url", c.RunbookBaseURL, false); err != nil {
		errs = append(errs, err)
	}
	if err := checkBaseURL("alert.generator-url", c.GeneratorURL, false); err != nil {
		errs = append(errs, err)
	}
	if c.ResendInterval < time.Second {
		errs = append(errs, fmt.Errorf("alert.resend-interval %s must be at least 1s", c.ResendInterval))
	}
	if c.Expiry < 2*c.ResendInterval {
		errs = append(errs, fmt.Errorf("alert.expiry %s must be at least two resend intervals (%s), or open alerts flap between posts",
			c.Expiry, 2*c.ResendInterval))
	}
	if c.Timeout <= 0 || c.RetryBackoffMin <= 0 || c.RetryBackoffMax < c.RetryBackoffMin {
		errs = append(errs, errors.New("alert.timeout and the retry backoffs must be positive, retry-backoff-max >= retry-backoff-min"))
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > 20 {
		errs = append(errs, fmt.Errorf("alert.max-attempts %d outside [1, 20]", c.MaxAttempts))
	}
	if c.MaxBatch < 1 || c.MaxTenants < 1 {
		errs = append(errs, errors.New("alert.max-batch and alert.max-tenants must be at least 1"))
	}
	return errors.Join(errs...)
}

func checkBaseURL(flagName, raw string, required bool) error {
	if raw == "" {
		if required {
			return fmt.Errorf("%s is required", flagName)
		}
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", flagName, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q must be an absolute http(s) URL", flagName, raw)
	}
	return nil
}
