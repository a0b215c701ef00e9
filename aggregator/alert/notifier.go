// Package alert sends findings to Alertmanager through its v2 API and
// exports them as Prometheus metrics.
//
// Each finding is one alert whose label set (kind, severity, finding_key
// and the finding's scope, see labelsOf) is its identity; with the route's
// group_by set to GroupBy, each finding — one incident — is one alert
// group for its whole life. Open findings are re-posted every
// ResendInterval with endsAt Expiry ahead, a severity change is posted at
// once (and the label set of the old severity resolved), and a resolved
// finding is posted once with endsAt at its resolution. docs/alerting.md
// has the details and an Alertmanager configuration.
package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// Notifier keeps Alertmanager in step with the findings it is given.
type Notifier struct {
	cfg     Config
	logger  *slog.Logger
	metrics *metrics
	client  *client
	now     func() time.Time

	mu    sync.Mutex // one Sync at a time
	state state
}

// Option changes a Notifier's collaborators, for tests.
type Option func(*Notifier)

// WithClock makes the notifier read the time from now.
func WithClock(now func() time.Time) Option { return func(n *Notifier) { n.now = now } }

// WithHTTPClient makes the notifier send its requests through c.
func WithHTTPClient(c *http.Client) Option { return func(n *Notifier) { n.client.http = c } }

// New returns a Notifier for cfg, completed with its defaults.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer, opts ...Option) (*Notifier, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("alert config: %w", err)
	}
	if logger == nil || reg == nil {
		return nil, errors.New("alert: a logger and a registerer are required")
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	n := &Notifier{cfg: cfg, logger: logger, metrics: m, now: time.Now}
	n.client = &client{cfg: &n.cfg, http: &http.Client{}, metrics: m}
	n.state = state{cfg: &n.cfg, entries: map[string]*entry{}}
	for _, opt := range opts {
		opt(n)
	}
	return n, nil
}

// Sync reports the findings of one evaluation: every open finding, and the
// findings that resolved (a resolved finding may be reported again later;
// it is posted once). A finding not reported is left alone: if it was
// open, its alert ends at its endsAt unless a later Sync reports it.
//
// Sync returns an error when Alertmanager could not be read or did not
// accept everything; what was not accepted is planned again by the next
// Sync, so the caller logs the error and carries on. Sync never blocks
// past ctx, nor for more than MaxAttempts tries of Timeout per batch.
func (n *Notifier) Sync(ctx context.Context, findings []finding.Finding) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.now()
	var errs []error
	if !n.state.adopted {
		if err := n.adopt(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	reported := n.validFindings(findings)
	n.metrics.setOpen(reported)
	for _, e := range n.state.entries {
		e.seen = false
	}
	for _, f := range reported {
		if t, ok := n.state.observe(f, now); ok {
			n.metrics.transition(f.Kind, t)
			n.logger.Info("finding "+string(t), "key", f.Key, "kind", f.Kind, "severity", f.Severity)
		}
	}
	if err := n.send(ctx, n.state.plan(now), now); err != nil {
		errs = append(errs, err)
	}
	n.state.prune(now)
	return errors.Join(errs...)
}

// adopt reads what Alertmanager already holds, once (see state.adopt).
func (n *Notifier) adopt(ctx context.Context) error {
	alerts, err := n.client.activeAlerts(ctx)
	if err != nil {
		return fmt.Errorf("adopting alertmanager's active alerts (retried next sync): %w", err)
	}
	n.state.adopt(alerts)
	n.logger.Info("adopted alertmanager's active alerts", "alerts", len(alerts))
	return nil
}

// validFindings returns the findings fit to alert on, one per key (the
// newest UpdatedAt wins, later in the slice on a tie), and counts the rest.
func (n *Notifier) validFindings(findings []finding.Finding) []*finding.Finding {
	byKey := make(map[string]int, len(findings))
	out := make([]*finding.Finding, 0, len(findings))
	for i := range findings {
		f := &findings[i]
		if reason := invalidReason(f); reason != "" {
			n.metrics.dropped.WithLabelValues(reason).Inc()
			n.logger.Warn("finding not alerted on", "reason", reason, "key", f.Key, "kind", f.Kind,
				"severity", f.Severity, "state", f.State)
			continue
		}
		j, dup := byKey[f.Key]
		if !dup {
			byKey[f.Key] = len(out)
			out = append(out, f)
			continue
		}
		n.metrics.dropped.WithLabelValues(DropSuperseded).Inc()
		if !f.UpdatedAt.Before(out[j].UpdatedAt) {
			out[j] = f
		}
	}
	return out
}

func invalidReason(f *finding.Finding) string {
	switch {
	case f.Key == "":
		return DropMissingKey
	case f.Kind == "":
		return DropMissingKind
	case f.State != finding.Open && f.State != finding.Resolved:
		return DropBadState
	}
	if _, ok := severityRank[f.Severity]; !ok {
		return DropBadSeverity
	}
	return ""
}

// send posts the plan in batches of MaxBatch and records what was
// accepted. It stops at the first batch that fails to get through, since
// the next would most likely fail the same way; a rejected batch does not
// stop the others.
func (n *Notifier) send(ctx context.Context, plan []outgoing, now time.Time) error {
	var errs []error
	for len(plan) > 0 {
		batch := plan[:min(len(plan), n.cfg.MaxBatch)]
		plan = plan[len(batch):]
		alerts := make([]postableAlert, len(batch))
		for i := range batch {
			alerts[i] = batch[i].alert
		}
		err := n.client.postAlerts(ctx, alerts)
		var rejected *rejectedError
		switch {
		case err == nil:
			n.accepted(batch, now)
		case errors.As(err, &rejected):
			n.metrics.dropped.WithLabelValues(DropRejected).Add(float64(len(batch)))
			errs = append(errs, err)
		default:
			return errors.Join(append(errs, err)...)
		}
	}
	return errors.Join(errs...)
}

func (n *Notifier) accepted(batch []outgoing, now time.Time) {
	for i := range batch {
		o := &batch[i]
		n.state.ack(o, now)
		status := "resolved"
		if o.firing {
			status = "firing"
		}
		n.metrics.sent.WithLabelValues(status).Inc()
		n.logger.Debug("alert sent", "key", o.key, "status", status, "severity", o.alert.Labels[LabelSeverity])
	}
}
