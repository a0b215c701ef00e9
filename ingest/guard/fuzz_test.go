package guard

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

func FuzzScrubText(f *testing.F) {
	for _, s := range operational {
		f.Add(s)
	}
	for _, c := range canaries {
		f.Add(c.value)
		f.Add("failed for " + c.value + " after 3 retries")
	}
	f.Add("<ip:0123abcd> <email:deadbeef> <card> password=<secret>")
	f.Add(strings.Repeat("4111 1111 1111 1111 ", 80))
	f.Add(strings.Repeat("a@b.co ", 200))
	g := newTestGuard(f)
	f.Fuzz(func(t *testing.T, in string) {
		out := g.ScrubText(in)
		if len(out) > event.MaxErrorMessageLen {
			t.Fatalf("output %d bytes, limit %d", len(out), event.MaxErrorMessageLen)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("valid input, invalid output %q", out)
		}
		if again := g.ScrubText(out); again != out {
			t.Fatalf("not idempotent\n  in: %q\n out: %q\nout2: %q", in, out, again)
		}
		if len(in) <= event.MaxErrorMessageLen && len(out) > len(in)+len(in)*2+16 {
			t.Fatalf("output grew from %d to %d bytes", len(in), len(out))
		}
	})
}
