// Package intake is the HTTP entry point for services not written in Go:
// POST /v1/events takes NDJSON contract-v1 events, authenticated by bearer
// token, limited in size and rate, validated line by line and handed to the
// emitter (which scrubs and produces them). See docs/intake.md.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sink takes valid events; *emitter.Emitter is the production Sink.
// EmitWait scrubs, so the intake never does (scrubbing twice would
// pseudonymise twice).
type Sink interface {
	EmitWait(ctx context.Context, ev *event.Event) error
	Ready(ctx context.Context) error
}

// Registry is where the intake registers its metrics and what /metrics serves.
type Registry interface {
	prometheus.Registerer
	prometheus.Gatherer
}

// Server is the HTTP intake.
type Server struct {
	cfg      Config
	sink     Sink
	log      *slog.Logger
	m        *metrics
	auth     *authenticator
	limits   event.Limits
	handler  http.Handler
	draining atomic.Bool
}

// New builds a Server. cfg is completed with defaults and validated.
func New(cfg Config, sink Sink, logger *slog.Logger, reg Registry) (*Server, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("intake config: %w", err)
	}
	if sink == nil || reg == nil {
		return nil, errors.New("intake: a sink and a registry are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	auth, err := newAuthenticator(cfg.Tokens, cfg.RatePerToken, cfg.RateBurst)
	if err != nil {
		return nil, fmt.Errorf("intake tokens: %w", err)
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, sink: sink, log: logger.With("component", "intake"), m: m, auth: auth}
	s.limits = event.DefaultLimits
	s.limits.MaxBytes = cfg.MaxLineBytes

	r := mux.NewRouter()
	r.Handle("/v1/events", s.instrument(http.HandlerFunc(s.handleEvents))).Methods(http.MethodPost)
	r.HandleFunc("/healthz", s.handleHealth).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", s.handleReady).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})).Methods(http.MethodGet)
	s.handler = r
	return s, nil
}

// Handler returns the intake's routes.
func (s *Server) Handler() http.Handler { return s.handler }

// Run serves on ln until ctx ends, then stops accepting, reports not ready,
// and drains in-flight requests for at most ShutdownTimeout.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("intake listening", "addr", ln.Addr().String())
	select {
	case err := <-served:
		return fmt.Errorf("serving intake: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("draining intake: %w", err)
	}
	return nil
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok\n"))
}

// handleReady reports ready when not shutting down and the emitter's
// broker knows the topic.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	if s.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("shutting down\n"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.sink.Ready(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// instrument counts requests by status code and times them.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.m.duration.Observe(time.Since(start).Seconds())
		s.m.requests.WithLabelValues(strconv.Itoa(rec.code)).Inc()
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
