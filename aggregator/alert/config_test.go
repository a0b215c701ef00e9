package alert

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaultsAreValid(t *testing.T) {
	cfg := Config{}.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if cfg.Expiry != 4*cfg.ResendInterval {
		t.Errorf("Expiry = %s, want 4 resend intervals", cfg.Expiry)
	}
	custom := Config{ResendInterval: 30 * time.Second}.WithDefaults()
	if custom.Expiry != 2*time.Minute {
		t.Errorf("Expiry follows a custom resend interval: got %s, want 2m", custom.Expiry)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Config)
		wantErr string
	}{
		{"relative URL", func(c *Config) { c.URL = "127.0.0.1:9093" }, "alert.alertmanager-url"},
		{"ftp URL", func(c *Config) { c.URL = "ftp://am:9093" }, "absolute http(s) URL"},
		{"bad runbook URL", func(c *Config) { c.RunbookBaseURL = "runbooks" }, "alert.runbook-base-url"},
		{"bad generator URL", func(c *Config) { c.GeneratorURL = "/d/findings" }, "alert.generator-url"},
		{"resend too fast", func(c *Config) { c.ResendInterval = time.Millisecond }, "resend-interval"},
		{"expiry below two resends", func(c *Config) { c.Expiry = c.ResendInterval }, "alert.expiry"},
		{"backoff max below min", func(c *Config) { c.RetryBackoffMax = c.RetryBackoffMin / 2 }, "retry-backoff-max"},
		{"too many attempts", func(c *Config) { c.MaxAttempts = 100 }, "max-attempts"},
		{"negative batch", func(c *Config) { c.MaxBatch = -1 }, "max-batch"},
		{"fine", func(c *Config) { c.RunbookBaseURL = "https://wiki.example/runbooks" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{}.WithDefaults()
			tt.change(&cfg)
			err := cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate = %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfigFlags(t *testing.T) {
	var cfg Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	err := fs.Parse([]string{"-alert.alertmanager-url=http://am:9093", "-alert.resend-interval=2m",
		"-alert.runbook-base-url=https://wiki.example/rb"})
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.WithDefaults()
	if cfg.URL != "http://am:9093" || cfg.ResendInterval != 2*time.Minute || cfg.Expiry != 8*time.Minute ||
		cfg.RunbookBaseURL != "https://wiki.example/rb" || cfg.MaxAttempts != DefaultMaxAttempts {
		t.Fatalf("flags parsed into %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}
