package sim

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	json "github.com/goccy/go-json"
	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// IntakeConfig configures replay to the HTTP intake (POST /v1/events).
type IntakeConfig struct {
	URL        string        `yaml:"url"`
	TokenEnv   string        `yaml:"token_env"` // environment variable holding the bearer token
	BatchLines int           `yaml:"batch_lines"`
	Senders    int           `yaml:"senders"` // requests in flight
	Timeout    time.Duration `yaml:"timeout"`
	MaxRetries int           `yaml:"max_retries"` // per batch, on 429/503/transport errors
}

// DefaultIntakeConfig is the one place the intake sink's defaults are set.
func DefaultIntakeConfig() IntakeConfig {
	return IntakeConfig{
		URL: "http://127.0.0.1:8080/v1/events", TokenEnv: "OPSWAREHOUSE_INTAKE_TOKEN",
		BatchLines: 5000, Senders: 4, Timeout: 30 * time.Second, MaxRetries: 20,
	}
}

// RegisterFlags binds the config to flags.
func (c *IntakeConfig) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.URL, "intake.url", c.URL, "HTTP intake endpoint for --sink intake")
	fs.StringVar(&c.TokenEnv, "intake.token-env", c.TokenEnv, "environment variable holding the intake bearer token")
	fs.IntVar(&c.BatchLines, "intake.batch-lines", c.BatchLines, "events per request")
	fs.IntVar(&c.Senders, "intake.senders", c.Senders, "requests in flight")
	fs.DurationVar(&c.Timeout, "intake.timeout", c.Timeout, "timeout of one request")
	fs.IntVar(&c.MaxRetries, "intake.max-retries", c.MaxRetries, "retries of one batch on 429, 503 or transport errors")
}

// Validate checks the config.
func (c *IntakeConfig) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("intake.url is required"))
	}
	if c.BatchLines < 1 || c.Senders < 1 || c.Timeout <= 0 || c.MaxRetries < 0 {
		errs = append(errs, errors.New("intake: batch-lines, senders and timeout must be positive, max-retries not negative"))
	}
	return errors.Join(errs...)
}

// IntakeSink replays events to the HTTP intake as NDJSON batches. Emit
// blocks when every sender is busy (backpressure). Lines the intake rejects
// are counted by reason; lines it did not take (503) are resent.
type IntakeSink struct {
	cfg    IntakeConfig
	token  string
	client *http.Client
	log    *slog.Logger
	m      *SinkMetrics

	mu      sync.Mutex
	buf     []byte
	lines   int
	batches chan []byte
	wg      sync.WaitGroup
	errMu   sync.Mutex
	err     error
}

// NewIntakeSink starts the senders; Close flushes and stops them.
func NewIntakeSink(cfg IntakeConfig, token string, logger *slog.Logger, m *SinkMetrics) (*IntakeSink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &IntakeSink{
		cfg: cfg, token: token, client: &http.Client{Timeout: cfg.Timeout}, log: logger, m: m,
		batches: make(chan []byte, cfg.Senders),
	}
	for i := 0; i < cfg.Senders; i++ {
		s.wg.Add(1)
		go s.sender()
	}
	return s, nil
}

// Emit adds one event to the current batch, sending it when full.
func (s *IntakeSink) Emit(ctx context.Context, ev *event.Event) error {
	if err := s.failed(); err != nil {
		return err
	}
	s.mu.Lock()
	doc, err := event.Marshal(ev)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("encoding event %s: %w", ev.ID, err)
	}
	s.buf = append(append(s.buf, doc...), '\n')
	s.lines++
	var full []byte
	if s.lines >= s.cfg.BatchLines {
		full, s.buf, s.lines = s.buf, make([]byte, 0, len(s.buf)), 0
	}
	s.mu.Unlock()
	if full == nil {
		return nil
	}
	select {
	case s.batches <- full:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close sends what is buffered and waits for every request to finish.
func (s *IntakeSink) Close(ctx context.Context) error {
	s.mu.Lock()
	rest := s.buf
	s.buf, s.lines = nil, 0
	s.mu.Unlock()
	if len(rest) > 0 {
		select {
		case s.batches <- rest:
		case <-ctx.Done():
		}
	}
	close(s.batches)
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return s.failed()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *IntakeSink) failed() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

func (s *IntakeSink) fail(err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

func (s *IntakeSink) sender() {
	defer s.wg.Done()
	for body := range s.batches {
		if s.failed() != nil {
			continue // drain so Emit and Close do not block
		}
		if err := s.send(body); err != nil {
			s.fail(err)
		}
	}
}

// intakeResponse mirrors the intake's answer body.
type intakeResponse struct {
	Accepted int `json:"accepted"`
	Rejected []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
		Detail string `json:"detail"`
	} `json:"rejected"`
	NotTaken []int  `json:"not_taken"`
	Error    string `json:"error"`
}

// send posts one batch, resending what the intake could not take yet.
func (s *IntakeSink) send(body []byte) error {
	for attempt := 0; ; attempt++ {
		resp, status, wait, err := s.post(body)
		if err == nil && status < 300 {
			s.account(resp)
			return nil
		}
		retryable := err != nil || status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
		if !retryable {
			s.m.drop("intake_refused", countNewlines(body))
			return fmt.Errorf("intake answered %d: %s", status, resp.Error)
		}
		if attempt >= s.cfg.MaxRetries {
			s.m.drop("intake_retries_exhausted", countNewlines(body))
			return fmt.Errorf("intake: giving up on a batch after %d attempts (last: status %d, %v)", attempt+1, status, err)
		}
		if status == http.StatusServiceUnavailable && len(resp.NotTaken) > 0 {
			s.account(resp)
			body = selectLines(body, resp.NotTaken)
		}
		time.Sleep(max(wait, time.Duration(attempt+1)*100*time.Millisecond))
	}
}

func (s *IntakeSink) post(body []byte) (intakeResponse, int, time.Duration, error) {
	var out intakeResponse
	req, err := http.NewRequest(http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return out, 0, 0, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return out, 0, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return out, resp.StatusCode, 0, err
	}
	_ = json.Unmarshal(raw, &out) // a body that is not the intake's JSON leaves out empty
	wait := time.Duration(0)
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		wait = time.Duration(secs) * time.Second
	}
	return out, resp.StatusCode, wait, nil
}

func (s *IntakeSink) account(r intakeResponse) {
	s.m.sent(r.Accepted)
	for i, rej := range r.Rejected {
		s.m.drop("rejected_"+rej.Reason, 1)
		if i == 0 {
			s.log.Warn("intake rejected simulated events", "count", len(r.Rejected), "first_reason", rej.Reason, "detail", rej.Detail)
		}
	}
}

// selectLines keeps the given 1-based lines of an NDJSON body.
func selectLines(body []byte, lines []int) []byte {
	want := make(map[int]bool, len(lines))
	for _, n := range lines {
		want[n] = true
	}
	var out []byte
	for n := 1; len(body) > 0; n++ {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i+1], body[i+1:]
		} else {
			body = nil
		}
		if want[n] {
			out = append(out, line...)
		}
	}
	return out
}

func countNewlines(b []byte) int { return bytes.Count(b, []byte{'\n'}) }
