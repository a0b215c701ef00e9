package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/intake"
)

// config is the whole binary's configuration; the YAML file mirrors it.
type config struct {
	Intake  intake.Config  `yaml:"intake"`
	Emitter emitter.Config `yaml:"emitter"`
	Guard   guard.Config   `yaml:"guard"`
	// FlushTimeout bounds the emitter's final flush at shutdown.
	FlushTimeout time.Duration `yaml:"flush_timeout"`
	LogLevel     slog.Level    `yaml:"log_level"`
}

// loadConfig applies, in rising precedence: defaults, the -config YAML
// file, then flags given on the command line.
func loadConfig(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("intake", flag.ContinueOnError)
	path := fs.String("config", "", "YAML config file (holds the bearer tokens; see docs/intake.md)")
	cfg.Intake.RegisterFlags(fs)
	cfg.Emitter.RegisterFlags(fs)
	cfg.Guard.RegisterFlags(fs)
	fs.DurationVar(&cfg.FlushTimeout, "flush-timeout", 30*time.Second, "how long shutdown waits for the emitter to flush")
	fs.TextVar(&cfg.LogLevel, "log.level", slog.LevelInfo, "log level")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if *path != "" {
		given := map[string]string{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = f.Value.String() })
		if err := readYAML(*path, &cfg); err != nil {
			return cfg, err
		}
		for name, value := range given {
			if err := fs.Set(name, value); err != nil {
				return cfg, fmt.Errorf("flag -%s: %w", name, err)
			}
		}
	}
	cfg.Intake, cfg.Emitter = cfg.Intake.WithDefaults(), cfg.Emitter.WithDefaults()
	if err := errors.Join(cfg.Intake.Validate(), cfg.Emitter.Validate(), cfg.Guard.Validate()); err != nil {
		return cfg, fmt.Errorf("invalid configuration: %w", err)
	}
	return cfg, nil
}

// readYAML decodes path over cfg strictly: an unknown key is an error, not
// a silently ignored typo.
func readYAML(path string, cfg *config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("parsing config %s: %w", path, err)
	}
	return nil
}
