package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"

	json "github.com/goccy/go-json"
)

// gettableAlert is the part of an element of GET /api/v2/alerts that
// adoption needs.
type gettableAlert struct {
	Labels       labelSet          `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	GeneratorURL string            `json:"generatorURL"`
}

// client talks to Alertmanager's v2 API.
type client struct {
	cfg     *Config
	http    *http.Client
	metrics *metrics
}

// rejectedError is Alertmanager refusing a request in a way a retry would
// not change (4xx other than 429).
type rejectedError struct {
	status int
	body   string
}

func (e *rejectedError) Error() string {
	return fmt.Sprintf("alertmanager answered %d: %s", e.status, e.body)
}

// postAlerts posts alerts, retrying network errors, 5xx and 429 with
// backoff up to MaxAttempts tries; a rejection is returned at once.
func (c *client) postAlerts(ctx context.Context, alerts []postableAlert) error {
	body, err := json.Marshal(alerts)
	if err != nil {
		return fmt.Errorf("encoding %d alerts: %w", len(alerts), err)
	}
	endpoint := strings.TrimRight(c.cfg.URL, "/") + "/api/v2/alerts"
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval = c.cfg.RetryBackoffMin, c.cfg.RetryBackoffMax
	for attempt := 1; ; attempt++ {
		err := c.postOnce(ctx, endpoint, body)
		var rejected *rejectedError
		switch {
		case err == nil:
			c.metrics.posts.ok.Inc()
			return nil
		case errors.As(err, &rejected):
			c.metrics.posts.rejected.Inc()
			return fmt.Errorf("posting %d alerts to %s: %w", len(alerts), endpoint, err)
		}
		c.metrics.posts.failed.Inc()
		if attempt >= c.cfg.MaxAttempts {
			return fmt.Errorf("posting %d alerts to %s: giving up after %d attempts: %w", len(alerts), endpoint, attempt, err)
		}
		if !sleep(ctx, bo.NextBackOff()) {
			return fmt.Errorf("posting %d alerts to %s: %w (after: %w)", len(alerts), endpoint, ctx.Err(), err)
		}
	}
}

func (c *client) postOnce(ctx context.Context, endpoint string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer drain(resp.Body)
	if resp.StatusCode/100 == 2 {
		return nil
	}
	msg := readSnippet(resp.Body)
	if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests {
		return &rejectedError{status: resp.StatusCode, body: msg}
	}
	return fmt.Errorf("alertmanager answered %d: %s", resp.StatusCode, msg)
}

// activeAlerts reads the active alerts this package sent, from whichever
// notifier instance: alertname starts with AlertNamePrefix and finding_key
// is set.
func (c *client) activeAlerts(ctx context.Context) ([]gettableAlert, error) {
	q := url.Values{}
	q.Set("active", "true")
	q.Set("silenced", "true")
	q.Set("inhibited", "true")
	q.Set("unprocessed", "true")
	q.Add("filter", LabelAlertName+`=~"`+AlertNamePrefix+`.*"`)
	q.Add("filter", LabelFindingKey+`=~".+"`)
	endpoint := strings.TrimRight(c.cfg.URL, "/") + "/api/v2/alerts?" + q.Encode()

	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("reading active alerts: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading active alerts: %w", err)
	}
	defer drain(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading active alerts: alertmanager answered %d: %s", resp.StatusCode, readSnippet(resp.Body))
	}
	var alerts []gettableAlert
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		return nil, fmt.Errorf("decoding active alerts: %w", err)
	}
	return alerts, nil
}

// readSnippet reads the start of an error response for the error message.
func readSnippet(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 512)) // best effort: only decorates an error
	return strings.TrimSpace(string(b))
}

// drain lets the connection be reused.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

// sleep waits d; it returns false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
