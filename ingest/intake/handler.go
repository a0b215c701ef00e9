package intake

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	json "github.com/goccy/go-json"
	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Response is the JSON body of every answer to POST /v1/events. Every
// non-blank line of the request is in exactly one of Accepted (a count),
// Rejected and NotTaken, unless the whole request was refused (Error set,
// status 401, 413, 415 or 429).
type Response struct {
	Accepted int         `json:"accepted"`
	Rejected []Rejection `json:"rejected"`
	// NotTaken are valid lines the intake did not hand over: the emitter
	// buffer was full (503) or the request was refused (403). Resend them.
	NotTaken []int  `json:"not_taken,omitempty"`
	Error    string `json:"error,omitempty"`
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	p := s.auth.authenticate(r.Header.Get("Authorization"))
	if p == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="opswarehouse"`)
		s.refuse(w, http.StatusUnauthorized, "missing or unknown bearer token")
		return
	}
	// An exhausted token is refused before its body is read.
	if ok, wait := p.allow(time.Now(), 0); !ok {
		s.tooManyRequests(w, wait)
		return
	}
	body, status, err := readBody(w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		s.refuse(w, status, err.Error())
		return
	}
	n := countLines(body)
	switch {
	case n == 0:
		s.refuse(w, http.StatusBadRequest, "the body holds no events")
		return
	case n > s.cfg.MaxLines:
		s.refuse(w, http.StatusRequestEntityTooLarge, "more than "+strconv.Itoa(s.cfg.MaxLines)+" events in one request")
		return
	}
	now := time.Now()
	if ok, wait := p.allow(now, n); !ok {
		s.tooManyRequests(w, wait)
		return
	}
	b := decodeLines(body, now, s.limits)
	status, resp := s.admit(r.Context(), p, b)
	s.count(resp)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	s.reply(w, status, resp)
}

// admit hands the valid events to the sink and sorts every line into
// accepted, rejected or not taken.
func (s *Server) admit(ctx context.Context, p *principal, b batch) (int, Response) {
	resp := Response{Rejected: b.rejected}
	if resp.Rejected == nil {
		resp.Rejected = []Rejection{}
	}
	if forbidden := s.forbidden(p, b.events); len(forbidden) > 0 {
		// One foreign tenant refuses the whole request: a token writing for
		// another tenant is misconfigured or hostile, not a bad line.
		resp.Rejected = mergeByLine(resp.Rejected, forbidden)
		for _, le := range b.events {
			if p.allows(le.ev.Tenant) {
				resp.NotTaken = append(resp.NotTaken, le.line)
			}
		}
		s.log.Warn("token wrote for a tenant it may not", "token", p.name, "lines", len(forbidden))
		return http.StatusForbidden, resp
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.EmitTimeout)
	defer cancel()
	var late []Rejection
	var lastErr error
	for i := range b.events {
		le := &b.events[i]
		err := s.sink.EmitWait(ctx, &le.ev)
		var rej *event.Rejection
		switch {
		case err == nil:
			resp.Accepted++
		case errors.As(err, &rej):
			late = append(late, Rejection{Line: le.line, Reason: string(rej.Reason), Detail: rej.Detail})
		case errors.Is(err, emitter.ErrBufferFull), errors.Is(err, emitter.ErrClosed):
			resp.NotTaken = append(resp.NotTaken, le.line)
			lastErr = err
		default:
			late = append(late, Rejection{Line: le.line, Reason: ReasonUnencodable, Detail: err.Error()})
		}
	}
	resp.Rejected = mergeByLine(resp.Rejected, late)
	switch {
	case len(resp.NotTaken) > 0:
		s.log.Warn("emitter did not take events", "token", p.name, "lines", len(resp.NotTaken), "err", lastErr)
		return http.StatusServiceUnavailable, resp
	case resp.Accepted == 0:
		return http.StatusBadRequest, resp
	}
	return http.StatusAccepted, resp
}

// ReasonUnencodable rejects a valid line the emitter could not encode or
// send as one record.
const ReasonUnencodable = "unencodable"

func (s *Server) forbidden(p *principal, events []lineEvent) []Rejection {
	var out []Rejection
	for _, le := range events {
		if !p.allows(le.ev.Tenant) {
			out = append(out, Rejection{Line: le.line, Reason: ReasonTenantNotAllowed,
				Detail: "this token may not write events for tenant " + strconv.Quote(le.ev.Tenant)})
		}
	}
	return out
}

func mergeByLine(a, b []Rejection) []Rejection {
	if len(b) == 0 {
		return a
	}
	out := append(a, b...)
	slices.SortFunc(out, func(x, y Rejection) int { return x.Line - y.Line })
	return out
}

func (s *Server) count(resp Response) {
	s.m.lines.WithLabelValues(resultAccepted).Add(float64(resp.Accepted))
	s.m.lines.WithLabelValues(resultRejected).Add(float64(len(resp.Rejected)))
	s.m.lines.WithLabelValues(resultNotTaken).Add(float64(len(resp.NotTaken)))
	for _, r := range resp.Rejected {
		s.m.rejected.WithLabelValues(r.Reason).Inc()
	}
}

func (s *Server) tooManyRequests(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", retryAfterSeconds(wait))
	s.refuse(w, http.StatusTooManyRequests, "rate limit exceeded for this token")
}

func (s *Server) refuse(w http.ResponseWriter, status int, msg string) {
	s.reply(w, status, Response{Rejected: []Rejection{}, Error: msg})
}

func (s *Server) reply(w http.ResponseWriter, status int, resp Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		s.log.Error("encoding response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if _, err := w.Write(append(b, '\n')); err != nil {
		s.log.Debug("writing response", "err", err)
	}
}
