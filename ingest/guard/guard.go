// Package guard is the client-data guard: it scrubs free text (error
// messages, routes, attribute values) of e-mail addresses, payment card
// numbers, phone numbers, IP addresses, credentials and other secrets before
// an event is emitted and again before it is stored. Operational content
// (durations, counts, status codes, host names, versions, paths, ids) is kept.
//
// Each finding is replaced by a type marker such as <card> or, where
// correlation matters, by a keyed pseudonym such as <ip:3fa9c2d1>. See
// docs/guard.md for the rules, the markers and the known gaps.
package guard

import (
	"fmt"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// maxRouteLen is the route limit the event contract enforces.
const maxRouteLen = event.MaxIdentifierLen * 2

// Guard scrubs client data out of free text. It is safe for concurrent use.
type Guard struct {
	pseudo *pseudonymiser
}

// New builds a Guard from a validated configuration.
func New(cfg Config) (*Guard, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("building guard: %w", err)
	}
	return &Guard{pseudo: newPseudonymiser([]byte(cfg.PseudonymKey))}, nil
}

// ScrubText returns s with every finding replaced by its marker, cut to the
// event contract's error-message limit. Text that needs no change is
// returned as is, without allocating.
func (g *Guard) ScrubText(s string) string {
	var r Report
	return g.scrub(s, event.MaxErrorMessageLen, &r)
}

// ScrubEvent scrubs the event's free-text fields in place: the error
// message, the route (whose query string is dropped) and every attribute
// value. Each field is cut to its contract limit. The report counts the
// replacements, for metrics.
func (g *Guard) ScrubEvent(e *event.Event) Report {
	var r Report
	if e == nil {
		return r
	}
	e.ErrorMessage = g.scrub(e.ErrorMessage, event.MaxErrorMessageLen, &r)
	e.Route = g.scrubRoute(e.Route, &r)
	for k, v := range e.Attrs {
		if s := g.scrub(v, event.MaxAttrValueLen, &r); s != v {
			e.Attrs[k] = s
		}
	}
	return r
}

// scrubRoute drops a route's query string and fragment: a route is a path
// template, and query values are where client data travels. The path is
// percent-decoded first, so an escaped separator ("Bearer%20sk_live_…")
// cannot hide a value from the matchers.
func (g *Guard) scrubRoute(route string, r *Report) string {
	if len(route) > maxRouteLen+cutSlack {
		route = cutInput(route, maxRouteLen+cutSlack)
	}
	route = unescapePath(route)
	for i := 0; i < len(route); i++ {
		if route[i] == '?' || route[i] == '#' {
			route = route[:i]
			r.add(KindQuery)
			break
		}
	}
	return g.scrub(route, maxRouteLen, r)
}
