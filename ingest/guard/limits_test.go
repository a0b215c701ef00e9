package guard

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

func TestOutputFitsContractLimits(t *testing.T) {
	g := newTestGuard(t)
	long := strings.Repeat("upstream 10.0.0.1 timed out; ", 200)
	tests := []struct {
		name string
		in   string
	}{
		{"many IPs grow the text", strings.Repeat("1.2.3.4 ", 200)},
		{"long clean text", strings.Repeat("timeout ", 500)},
		{"one huge token", strings.Repeat("x", 5000)},
		{"multi-byte runes", strings.Repeat("é", 3000)},
		{"markers at the cut", strings.Repeat("a@example.com ", 100)},
		{"mixed", long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			out := g.scrub(tt.in, event.MaxErrorMessageLen, &r)
			if len(out) > event.MaxErrorMessageLen || !utf8.ValidString(out) {
				t.Fatalf("%d bytes, valid utf-8 %v", len(out), utf8.ValidString(out))
			}
			if r.Truncated() != 1 {
				t.Errorf("truncated %d, want 1", r.Truncated())
			}
			if i := strings.LastIndexByte(out, '<'); i >= 0 && strings.IndexByte(out[i:], '>') < 0 {
				t.Errorf("output ends in a cut marker: %q", out[i:])
			}
		})
	}
}

func TestCardStraddlingTheLimitIsCaught(t *testing.T) {
	g := newTestGuard(t)
	pad := strings.Repeat("x ", (event.MaxErrorMessageLen-10)/2)
	out := g.ScrubText(pad + "4111 1111 1111 1111 end")
	if strings.Contains(onlyDigits(out), "4111") {
		t.Fatalf("card prefix survived the cut: %q", out[len(out)-40:])
	}
}

func TestScrubEvent(t *testing.T) {
	g := newTestGuard(t)
	e := event.Event{
		ErrorMessage: "charge for bob@example.com failed: HTTP 402 from stripe",
		Route:        "/v1/customers/{id}/charges?email=bob%40example.com&card=4111111111111111#frag",
		Attrs: map[string]string{
			"reason":   "card 4111 1111 1111 1111 declined",
			"priority": "high",
			"endpoint": strings.Repeat("hook ", 100),
		},
	}
	r := g.ScrubEvent(&e)
	if got := masked(e.ErrorMessage); got != "charge for <email:*> failed: HTTP 402 from stripe" {
		t.Errorf("error message %q", got)
	}
	if e.Route != "/v1/customers/{id}/charges" {
		t.Errorf("route %q", e.Route)
	}
	if e.Attrs["reason"] != "card <card> declined" || e.Attrs["priority"] != "high" {
		t.Errorf("attrs %q", e.Attrs)
	}
	if len(e.Attrs["endpoint"]) > event.MaxAttrValueLen {
		t.Errorf("attr %d bytes", len(e.Attrs["endpoint"]))
	}
	if r.Count(KindEmail) != 1 || r.Count(KindCard) != 1 || r.Count(KindQuery) != 1 || r.Truncated() != 1 {
		t.Errorf("report %+v", r)
	}
	if g.ScrubEvent(nil).Total() != 0 {
		t.Error("nil event")
	}
}

func TestScrubEventCutsLongRoute(t *testing.T) {
	g := newTestGuard(t)
	e := event.Event{Route: "/v1/" + strings.Repeat("segment/", 100)}
	g.ScrubEvent(&e)
	if len(e.Route) > 2*event.MaxIdentifierLen {
		t.Fatalf("route %d bytes", len(e.Route))
	}
}
