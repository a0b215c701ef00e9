package alert

import (
	"slices"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// postableAlert is one element of the body of Alertmanager's
// POST /api/v2/alerts.
type postableAlert struct {
	Labels       labelSet          `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// entry is what the notifier knows about one finding key. The finding's own
// state (open, severity) changes when a Sync reports it; what Alertmanager
// holds (live, sentAt) changes only when a post is accepted, so a failed
// post is simply planned again by the next Sync.
type entry struct {
	kind       finding.Kind
	severity   finding.Severity
	open       bool
	resolvedAt time.Time // endsAt of a resolved finding's alerts

	// current is the signature of the open finding's label set and want its
	// alert as of the latest Sync; want.EndsAt is set when it is posted.
	current string
	want    *postableAlert

	// live holds, by signature, the alerts Alertmanager has active for this
	// key, as last posted: normally just current, but also the label set of
	// a severity the finding had before, until its resolve is accepted.
	live   map[string]*postableAlert
	sentAt time.Time // when current was last accepted
	seen   bool      // reported by the latest Sync
}

func newEntry() *entry { return &entry{live: map[string]*postableAlert{}} }

// outgoing is one alert to post and what to record when it is accepted.
type outgoing struct {
	key    string
	sig    string
	firing bool
	alert  postableAlert
}

// transition names a change of a finding (the transition label).
type transition string

const (
	opened      transition = "opened"
	escalated   transition = "escalated"
	deescalated transition = "deescalated"
	resolved    transition = "resolved"
)

var transitions = []transition{opened, escalated, deescalated, resolved}

var severityRank = map[finding.Severity]int{finding.Info: 0, finding.Warning: 1, finding.Critical: 2}

// observe records one reported finding and returns its transition, if any.
// A resolved finding the notifier never saw gets one resolve posted unless
// Alertmanager was read and holds nothing for it: after a restart the
// notifier cannot otherwise know whether an alert is still firing.
func (s *state) observe(f *finding.Finding, now time.Time) (transition, bool) {
	e := s.entries[f.Key]
	isNew := e == nil
	if isNew {
		e = newEntry()
		s.entries[f.Key] = e
	}
	e.seen = true
	e.kind = f.Kind
	labels := labelsOf(f)
	start := startsAt(f, now)
	if f.State == finding.Resolved {
		wasOpen := e.open
		e.open, e.want, e.current = false, nil, ""
		e.resolvedAt = resolvedAt(f, start, now)
		if isNew && !s.adopted {
			e.live[labels.signature()] = &postableAlert{Labels: labels, Annotations: annotationsOf(f, s.cfg),
				StartsAt: start, EndsAt: now.Add(s.cfg.Expiry), GeneratorURL: generatorURL(s.cfg.GeneratorURL, f.Key)}
		}
		e.severity = f.Severity
		return resolved, wasOpen
	}

	var t transition
	switch {
	case isNew || !e.open:
		t = opened
	case severityRank[f.Severity] > severityRank[e.severity]:
		t = escalated
	case severityRank[f.Severity] < severityRank[e.severity]:
		t = deescalated
	}
	e.open, e.severity = true, f.Severity
	e.current = labels.signature()
	e.want = &postableAlert{Labels: labels, Annotations: annotationsOf(f, s.cfg),
		StartsAt: start, GeneratorURL: generatorURL(s.cfg.GeneratorURL, f.Key)}
	return t, t != ""
}

// plan lists what to post now, ordered by key so payloads are
// deterministic:
//   - an open finding reported by this Sync: its alert, when Alertmanager
//     does not hold that label set yet (new, escalated, re-opened, or a
//     post that failed) or when ResendInterval has passed since the last
//     accepted post; plus a resolve for every other label set it holds for
//     the key, so a severity change stays one alert in one group;
//   - a resolved finding: a resolve for every label set still live, until
//     accepted, whether or not this Sync reported it again.
//
// An open finding no longer reported gets nothing: its alert ends by itself
// at its endsAt.
func (s *state) plan(now time.Time) []outgoing {
	var out []outgoing
	for _, key := range s.sortedKeys() {
		e := s.entries[key]
		switch {
		case e.open && e.seen:
			for _, sig := range e.liveSignatures() {
				if sig != e.current {
					out = append(out, resolveOf(key, sig, e.live[sig], now, now))
				}
			}
			if _, ok := e.live[e.current]; !ok || now.Sub(e.sentAt) >= s.cfg.ResendInterval {
				a := *e.want
				a.EndsAt = now.Add(s.cfg.Expiry)
				out = append(out, outgoing{key: key, sig: e.current, firing: true, alert: a})
			}
		case !e.open:
			for _, sig := range e.liveSignatures() {
				out = append(out, resolveOf(key, sig, e.live[sig], e.resolvedAt, now))
			}
		}
	}
	return out
}

// resolveOf is a's resolve: the same labels, ending at end (within
// [a.StartsAt, now]).
func resolveOf(key, sig string, a *postableAlert, end, now time.Time) outgoing {
	r := *a
	r.EndsAt = end
	if end.After(now) {
		r.EndsAt = now
	}
	if r.EndsAt.Before(r.StartsAt) {
		r.EndsAt = r.StartsAt
	}
	return outgoing{key: key, sig: sig, alert: r}
}

// ack records that Alertmanager accepted o.
func (s *state) ack(o *outgoing, now time.Time) {
	e := s.entries[o.key]
	if e == nil {
		return
	}
	if !o.firing {
		delete(e.live, o.sig)
		return
	}
	a := o.alert
	e.live[o.sig] = &a
	if o.sig == e.current {
		e.sentAt = now
	}
}

// prune forgets alerts past their endsAt (Alertmanager has resolved them)
// and keys that the latest Sync did not report and that hold no live
// alert; a reported resolved finding is kept so it is not resolved again.
func (s *state) prune(now time.Time) {
	for key, e := range s.entries {
		for sig, a := range e.live {
			if a.EndsAt.Before(now) {
				delete(e.live, sig)
			}
		}
		if !e.seen && len(e.live) == 0 {
			delete(s.entries, key)
		}
	}
}

// adopt merges the alerts Alertmanager holds active for this package's
// findings, read at startup: a restarted notifier then neither re-counts
// nor re-posts what is already firing, and resolves what it superseded
// before the restart.
func (s *state) adopt(alerts []gettableAlert) {
	// Oldest first, so the most recently updated label set of a key ends up
	// as its current one.
	slices.SortStableFunc(alerts, func(a, b gettableAlert) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	created := map[string]bool{}
	for i := range alerts {
		a := &alerts[i]
		key := a.Labels[LabelFindingKey]
		if key == "" {
			continue
		}
		e := s.entries[key]
		if e == nil {
			e = newEntry()
			e.open = true
			s.entries[key] = e
			created[key] = true
		}
		sig := a.Labels.signature()
		e.live[sig] = &postableAlert{Labels: a.Labels, Annotations: a.Annotations,
			StartsAt: a.StartsAt, EndsAt: a.EndsAt, GeneratorURL: a.GeneratorURL}
		if created[key] {
			e.kind = finding.Kind(a.Labels[LabelKind])
			e.severity = finding.Severity(a.Labels[LabelSeverity])
			e.current, e.sentAt = sig, a.UpdatedAt
		}
	}
	s.adopted = true
}

func (e *entry) liveSignatures() []string {
	sigs := make([]string, 0, len(e.live))
	for sig := range e.live {
		sigs = append(sigs, sig)
	}
	slices.Sort(sigs)
	return sigs
}

func (s *state) sortedKeys() []string {
	keys := make([]string, 0, len(s.entries))
	for k := range s.entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// state is the notifier's memory of what it sent, by finding key.
type state struct {
	cfg     *Config
	entries map[string]*entry
	// adopted is set once Alertmanager's active alerts were read.
	adopted bool
}
