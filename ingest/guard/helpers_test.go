package guard

import (
	"regexp"
	"testing"
)

const testKey = "test-pseudonym-key-0123456789"

func newTestGuard(tb testing.TB) *Guard {
	tb.Helper()
	g, err := New(Config{PseudonymKey: testKey})
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

var pseudonymRE = regexp.MustCompile(`<(email|ip):[0-9a-f]{8}>`)

// masked replaces pseudonyms by <kind:*>, so expectations do not depend on
// the key.
func masked(s string) string { return pseudonymRE.ReplaceAllString(s, "<$1:*>") }
