package intake

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Config configures the HTTP intake.
type Config struct {
	Listen string `yaml:"listen"`
	// Tokens are the accepted bearer tokens. They are secrets, so they come
	// from the config file (or the environment via secret_env), never flags.
	Tokens []Token `yaml:"tokens"`

	// MaxBodyBytes limits a request body, both as sent and after gzip
	// decoding; a larger body gets 413.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxLineBytes limits one NDJSON line (one event); a longer line is
	// rejected with reason too_large.
	MaxLineBytes int `yaml:"max_line_bytes"`
	// MaxLines limits the events in one request; more gets 413.
	MaxLines int `yaml:"max_lines"`

	// RatePerToken is each token's sustained rate in events per second, with
	// bursts up to RateBurst events. A negative rate disables the limit.
	RatePerToken float64 `yaml:"rate_per_token"`
	RateBurst    int     `yaml:"rate_burst"`

	// EmitTimeout bounds how long one request waits for emitter buffer space
	// before answering 503 for the lines not taken.
	EmitTimeout time.Duration `yaml:"emit_timeout"`

	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	// ShutdownTimeout bounds draining in-flight requests on shutdown.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// Token is one bearer token and what it may write.
type Token struct {
	// Name identifies the token in logs; it is not secret.
	Name string `yaml:"name"`
	// Secret is the bearer token itself; SecretEnv names an environment
	// variable holding it instead. Exactly one must be set.
	Secret    string `yaml:"secret"`
	SecretEnv string `yaml:"secret_env"`
	// Tenants, when not empty, are the only tenants this token may write
	// events for; a request with any other tenant is refused with 403.
	Tenants []string `yaml:"tenants"`
}

// MinSecretLen keeps guessable tokens out of configuration.
const MinSecretLen = 16

// Defaults, in one place.
const (
	DefaultListen            = ":8080"
	DefaultMaxBodyBytes      = 8 << 20
	DefaultMaxLines          = 10000
	DefaultRatePerToken      = 10000
	DefaultRateBurst         = 20000
	DefaultEmitTimeout       = 250 * time.Millisecond
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultShutdownTimeout   = 20 * time.Second
)

// DefaultMaxLineBytes is the event contract's document limit.
var DefaultMaxLineBytes = event.DefaultLimits.MaxBytes

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	setDefault(&c.Listen, DefaultListen)
	setDefault(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&c.MaxLineBytes, DefaultMaxLineBytes)
	setDefault(&c.MaxLines, DefaultMaxLines)
	setDefault(&c.RatePerToken, DefaultRatePerToken)
	setDefault(&c.RateBurst, DefaultRateBurst)
	setDefault(&c.EmitTimeout, DefaultEmitTimeout)
	setDefault(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDefault(&c.ReadTimeout, DefaultReadTimeout)
	setDefault(&c.WriteTimeout, DefaultWriteTimeout)
	setDefault(&c.IdleTimeout, DefaultIdleTimeout)
	setDefault(&c.ShutdownTimeout, DefaultShutdownTimeout)
	return c
}

func setDefault[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}

// RegisterFlags registers the intake's flags on fs, with the current values
// (after defaults) as the flags' defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	*c = c.WithDefaults()
	fs.StringVar(&c.Listen, "intake.listen", c.Listen, "HTTP listen address")
	fs.Int64Var(&c.MaxBodyBytes, "intake.max-body-bytes", c.MaxBodyBytes, "largest request body, as sent and after gzip decoding")
	fs.IntVar(&c.MaxLineBytes, "intake.max-line-bytes", c.MaxLineBytes, "largest NDJSON line (one event)")
	fs.IntVar(&c.MaxLines, "intake.max-lines", c.MaxLines, "most events in one request")
	fs.Float64Var(&c.RatePerToken, "intake.rate-per-token", c.RatePerToken, "events per second per token (negative: unlimited)")
	fs.IntVar(&c.RateBurst, "intake.rate-burst", c.RateBurst, "burst of events per token")
	fs.DurationVar(&c.EmitTimeout, "intake.emit-timeout", c.EmitTimeout, "how long a request waits for emitter buffer space")
	fs.DurationVar(&c.ReadHeaderTimeout, "intake.read-header-timeout", c.ReadHeaderTimeout, "HTTP read header timeout")
	fs.DurationVar(&c.ReadTimeout, "intake.read-timeout", c.ReadTimeout, "HTTP read timeout")
	fs.DurationVar(&c.WriteTimeout, "intake.write-timeout", c.WriteTimeout, "HTTP write timeout")
	fs.DurationVar(&c.IdleTimeout, "intake.idle-timeout", c.IdleTimeout, "HTTP keep-alive idle timeout")
	fs.DurationVar(&c.ShutdownTimeout, "intake.shutdown-timeout", c.ShutdownTimeout, "how long shutdown drains in-flight requests")
}

// Validate reports every problem with a defaulted Config.
func (c Config) Validate() error {
	var errs []error
	checks := []struct {
		ok   bool
		rule string
	}{
		{c.Listen != "", "listen is required"},
		{c.MaxBodyBytes > 0, "max_body_bytes must be positive"},
		{c.MaxLineBytes > 0, "max_line_bytes must be positive"},
		{c.MaxLines > 0, "max_lines must be positive"},
		{c.RatePerToken < 0 || c.RateBurst >= c.MaxLines, "rate_burst must be at least max_lines, or a full request could never pass"},
		{c.EmitTimeout > 0, "emit_timeout must be positive"},
		{c.ReadHeaderTimeout > 0 && c.ReadTimeout > 0 && c.WriteTimeout > 0 && c.IdleTimeout > 0, "HTTP timeouts must be positive"},
		{c.ShutdownTimeout > 0, "shutdown_timeout must be positive"},
		{len(c.Tokens) > 0, "tokens: at least one is required"},
	}
	for _, ch := range checks {
		if !ch.ok {
			errs = append(errs, errors.New(ch.rule))
		}
	}
	names := map[string]bool{}
	for i, t := range c.Tokens {
		if err := t.validate(); err != nil {
			errs = append(errs, fmt.Errorf("tokens[%d]: %w", i, err))
		}
		if names[t.Name] {
			errs = append(errs, fmt.Errorf("tokens[%d]: duplicate name %q", i, t.Name))
		}
		names[t.Name] = true
	}
	return errors.Join(errs...)
}

func (t Token) validate() error {
	switch {
	case t.Name == "":
		return errors.New("name is required")
	case (t.Secret == "") == (t.SecretEnv == ""):
		return errors.New("exactly one of secret and secret_env is required")
	}
	for _, tenant := range t.Tenants {
		if tenant == "" || !event.IsIdentifier(tenant) {
			return fmt.Errorf("tenant %q is not an identifier", tenant)
		}
	}
	if t.Secret != "" && len(t.Secret) < MinSecretLen {
		return fmt.Errorf("secret is shorter than %d bytes", MinSecretLen)
	}
	return nil
}

// secret resolves the token's secret, reading SecretEnv if set.
func (t Token) secret() (string, error) {
	if t.SecretEnv == "" {
		return t.Secret, nil
	}
	s := os.Getenv(t.SecretEnv)
	if len(s) < MinSecretLen {
		return "", fmt.Errorf("token %q: environment variable %s is unset or shorter than %d bytes", t.Name, t.SecretEnv, MinSecretLen)
	}
	return s, nil
}
