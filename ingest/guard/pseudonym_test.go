package guard

import (
	"flag"
	"strings"
	"testing"
)

func TestPseudonymsAreStableAndKeyed(t *testing.T) {
	a, b := newTestGuard(t), newTestGuard(t)
	other, err := New(Config{PseudonymKey: "another-key-0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	in := "from 203.0.113.7 to bob@Example.com"
	if a.ScrubText(in) != b.ScrubText(in) {
		t.Fatal("same key, different pseudonyms")
	}
	if a.ScrubText(in) == other.ScrubText(in) {
		t.Fatal("different keys, same pseudonyms")
	}
}

func TestPseudonymEquivalences(t *testing.T) {
	g := newTestGuard(t)
	same := [][2]string{
		{"203.0.113.7", "::ffff:203.0.113.7"},    // an IPv4 address, mapped or not
		{"203.0.113.7", "203.000.113.007"},       // zero padded
		{"2001:db8::1", "2001:DB8:0:0:0:0:0:1"},  // IPv6 spellings
		{"bob@example.com", "alice@EXAMPLE.com"}, // keyed on the domain, case-insensitively
	}
	for _, p := range same {
		if x, y := g.ScrubText(p[0]), g.ScrubText(p[1]); x != y {
			t.Errorf("%q -> %q but %q -> %q", p[0], x, p[1], y)
		}
	}
	different := [][2]string{
		{"203.0.113.7", "203.0.113.8"},
		{"bob@example.com", "bob@example.org"},
	}
	for _, p := range different {
		if x, y := g.ScrubText(p[0]), g.ScrubText(p[1]); x == y {
			t.Errorf("%q and %q share %q", p[0], p[1], x)
		}
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		key     string
		wantErr string
	}{
		{"", "required"},
		{"short", "at least 16 bytes"},
		{strings.Repeat("k", 16), ""},
	}
	for _, tt := range tests {
		cfg := Config{PseudonymKey: tt.key}
		err := cfg.Validate()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("key %q: err %v, want %q", tt.key, err, tt.wantErr)
		}
		if _, err := New(cfg); (err == nil) != (tt.wantErr == "") {
			t.Errorf("New with key %q: %v", tt.key, err)
		}
	}
	var cfg Config
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	if err := fs.Parse([]string{"-guard.pseudonym-key", "0123456789abcdef0"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Validate() != nil {
		t.Fatalf("flag not bound: %+v", cfg)
	}
}

// The guard is shared by every goroutine of an emitter or ingester; run
// with -race.
func TestConcurrentUse(t *testing.T) {
	g := newTestGuard(t)
	want := g.ScrubText("from 203.0.113.7 to bob@example.com")
	done := make(chan string)
	for range 8 {
		go func() {
			var last string
			for range 200 {
				last = g.ScrubText("from 203.0.113.7 to bob@example.com")
			}
			done <- last
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Errorf("concurrent scrub %q, want %q", got, want)
		}
	}
}
