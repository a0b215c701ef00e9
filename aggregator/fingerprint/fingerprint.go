// Package fingerprint turns a free-text error message into a template (its
// variable parts masked as "<*>") and a 64-bit fingerprint id of that template.
//
// The result is a pure function of the message: no state, no learning, no
// dependence on arrival order. Two ingester replicas, a restart, or a replay
// of old data all give the same id for the same message, so ids can be stored
// with every event and compared across time.
//
// Stability contract: Fingerprint id = xxhash64(template), seed 0, over the
// template's UTF-8 bytes. That hash is fixed forever. The masking rules that
// produce the template are versioned by Version: any change to them that can
// change a template for some message must bump Version, and everything that
// stores ids should store Version beside them, because the same message may
// then get a different id.
package fingerprint

import (
	"github.com/cespare/xxhash/v2"
)

// Version identifies the masking rules. Bump it on every change that can alter
// any template (see the package comment).
const Version = 2

// Wildcard replaces every masked variable part in a template.
const Wildcard = "<*>"

// MaxMessageBytes bounds the prefix of a message that is fingerprinted; the
// rest is ignored and the template ends in " <*>". It is a constant, not a
// setting, because it is part of the id: replicas must never disagree on it.
const MaxMessageBytes = 4096

// Config configures a Fingerprinter. It is empty on purpose: every knob that
// changed templates would make replicas with different settings disagree on
// ids, so the rules are global and versioned by Version instead.
type Config struct{}

// Fingerprinter computes templates and fingerprint ids. It holds no mutable
// state, so one value is safe for concurrent use.
type Fingerprinter struct{}

// New returns a Fingerprinter.
func New(cfg Config) *Fingerprinter {
	_ = cfg
	return &Fingerprinter{}
}

// Fingerprint returns the template of msg and its id. Any input is accepted:
// invalid UTF-8 comes out as U+FFFD, control characters as spaces, and the
// template never contains a tab or newline.
func (f *Fingerprinter) Fingerprint(msg string) (id uint64, template string) {
	b := getBuilder()
	b.build(msg)
	id, template = xxhash.Sum64(b.out), string(b.out)
	putBuilder(b)
	return id, template
}

// ID is the fingerprint id of a template: the hash that Fingerprint uses.
func ID(template string) uint64 {
	return xxhash.Sum64String(template)
}
