package intake

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// oracleLines numbers the non-blank lines of body the simple way, as an
// independent check of forEachLine.
func oracleLines(body []byte) []int {
	var out []int
	for i, l := range strings.Split(string(body), "\n") {
		if strings.TrimSpace(strings.TrimSuffix(l, "\r")) != "" {
			out = append(out, i+1)
		}
	}
	return out
}

func fuzzSeeds(f *testing.F) {
	body, _, _ := mixedBody()
	f.Add(body)
	f.Add([]byte(goodLine("e-1", "t-1")))
	f.Add([]byte("\n\r\n \n{}\n"))
	f.Add([]byte(`{"v":1}` + "\r\n" + `[1,2]` + "\n\xff\n"))
	f.Add([]byte(goodLine("e-1", "t-1") + goodLine("e-2", "t-1")))
}

// FuzzDecodeLines: the splitter and decoder never panic, and every
// non-blank line ends up in exactly one of events and rejected.
func FuzzDecodeLines(f *testing.F) {
	fuzzSeeds(f)
	now := time.Now()
	f.Fuzz(func(t *testing.T, body []byte) {
		b := decodeLines(body, now, event.DefaultLimits)
		var got []int
		for _, le := range b.events {
			got = append(got, le.line)
		}
		for _, r := range b.rejected {
			got = append(got, r.Line)
		}
		slices.Sort(got)
		if want := oracleLines(body); !slices.Equal(got, want) {
			t.Fatalf("lines accounted %v, want %v", got, want)
		}
	})
}

// FuzzHandler drives the whole handler, with a real emitter and Kafka:
// no panic, a known status, and every line accounted as accepted, rejected
// or not taken.
func FuzzHandler(f *testing.F) {
	fuzzSeeds(f)
	h := newHarness(f, Config{MaxBodyBytes: 1 << 20, RatePerToken: -1}, emitter.Config{BufferSize: 1 << 16})
	srv, handler := h.srv, h.srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secretT1)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		var out Response
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer is not JSON: %q", rec.Body.Bytes())
		}
		want := oracleLines(body)
		switch rec.Code {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusForbidden, http.StatusServiceUnavailable:
		case http.StatusRequestEntityTooLarge:
			if len(want) <= srv.cfg.MaxLines {
				t.Fatalf("413 for %d lines", len(want))
			}
			return
		default:
			t.Fatalf("status %d: %+v", rec.Code, out)
		}
		if len(want) == 0 {
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("no lines, status %d", rec.Code)
			}
			return
		}
		if n := out.Accepted + len(out.Rejected) + len(out.NotTaken); n != len(want) {
			t.Fatalf("accounted %d lines (%+v), body has %d", n, out, len(want))
		}
		lines := append([]int{}, out.NotTaken...)
		for _, r := range out.Rejected {
			lines = append(lines, r.Line)
		}
		for _, l := range lines {
			if !slices.Contains(want, l) {
				t.Fatalf("line %d is not a line of the body %v", l, want)
			}
		}
	})
}
