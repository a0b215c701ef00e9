package guard

import (
	"errors"
	"flag"
)

// MinPseudonymKeyLen is the shortest accepted HMAC key. Pseudonyms are only
// as strong as the key: a short key lets anyone with a dictionary of IP
// addresses or domains reverse them.
const MinPseudonymKeyLen = 16

// Config configures a Guard.
type Config struct {
	// PseudonymKey is the HMAC-SHA256 key for pseudonyms such as <ip:3fa9c2d1>.
	// Every process that scrubs events for one warehouse (emitters and
	// ingesters) must share it, or the same address gets different pseudonyms.
	PseudonymKey string `yaml:"pseudonym_key"`
}

// RegisterFlags binds the configuration to command-line flags.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.PseudonymKey, "guard.pseudonym-key", c.PseudonymKey,
		"HMAC key (at least 16 bytes) for pseudonymising IP addresses and e-mail domains; shared by all emitters and ingesters")
}

// Validate reports whether the configuration is usable.
func (c *Config) Validate() error {
	if c.PseudonymKey == "" {
		return errors.New("guard: pseudonym_key is required")
	}
	if len(c.PseudonymKey) < MinPseudonymKeyLen {
		return errors.New("guard: pseudonym_key must be at least 16 bytes")
	}
	return nil
}
