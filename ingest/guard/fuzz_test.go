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

// FuzzScrubEvent checks every free-text field against its contract limit
// and that a second scrub of the event changes nothing.
func FuzzScrubEvent(f *testing.F) {
	f.Add("card 4111 1111 1111 1111 declined", "/v1/x?email=a@b.co", "bob@example.com")
	f.Add(strings.Repeat("é", 600), strings.Repeat("/seg", 100), strings.Repeat("1.2.3.4 ", 40))
	g := newTestGuard(f)
	f.Fuzz(func(t *testing.T, msg, route, attr string) {
		e := event.Event{ErrorMessage: msg, Route: route, Attrs: map[string]string{"reason": attr}}
		g.ScrubEvent(&e)
		if len(e.ErrorMessage) > event.MaxErrorMessageLen || len(e.Route) > 2*event.MaxIdentifierLen ||
			len(e.Attrs["reason"]) > event.MaxAttrValueLen {
			t.Fatalf("over limit: message %d, route %d, attr %d", len(e.ErrorMessage), len(e.Route), len(e.Attrs["reason"]))
		}
		before := e
		before.Attrs = map[string]string{"reason": e.Attrs["reason"]}
		if r := g.ScrubEvent(&e); r.Total() != 0 || e.ErrorMessage != before.ErrorMessage ||
			e.Route != before.Route || e.Attrs["reason"] != before.Attrs["reason"] {
			t.Fatalf("second scrub changed the event (%d findings)", r.Total())
		}
	})
}
