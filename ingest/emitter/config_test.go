package emitter

import (
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestConfigDefaultsValidate(t *testing.T) {
	if err := (Config{}).WithDefaults().Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"broker without port", func(c *Config) { c.Brokers = []string{"kafka"} }, "host:port"},
		{"unknown codec", func(c *Config) { c.Compression = "brotli" }, "compression"},
		{"negative buffer", func(c *Config) { c.BufferSize = -1 }, "buffer_size"},
		{"tiny batch bytes", func(c *Config) { c.BatchBytes = 1000 }, "batch_bytes"},
		{"backoff inverted", func(c *Config) { c.RetryBackoffMax = time.Millisecond }, "retry_backoff_max"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{}.WithDefaults()
			tc.mutate(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error about %s", err, tc.want)
			}
		})
	}
}

// TestConfigSources: YAML overrides defaults, and flags given on the command
// line override YAML.
func TestConfigSources(t *testing.T) {
	var c Config
	doc := "brokers: [a:1, b:2]\ntopic: from-yaml\nbatch_timeout: 50ms\ncompression: zstd\n"
	if err := yaml.Unmarshal([]byte(doc), &c); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"-emitter.topic=from-flag", "-emitter.brokers=c:3,d:4"}); err != nil {
		t.Fatal(err)
	}
	want := Config{}.WithDefaults()
	want.Brokers = []string{"c:3", "d:4"}
	want.Topic = "from-flag"
	want.BatchTimeout = 50 * time.Millisecond
	want.Compression = "zstd"
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("config\n got %+v\nwant %+v", c, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}
