package intake

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/event"
)

const benchLines = 1000

func benchBody() []byte {
	var buf bytes.Buffer
	for i := range benchLines {
		fmt.Fprintln(&buf, goodLine(fmt.Sprintf("e-%d", i), fmt.Sprintf("t-%d", i%5)))
	}
	return buf.Bytes()
}

// BenchmarkRequest posts 1000-event requests through the whole handler
// into a real emitter and Kafka (with backpressure once the emitter's
// buffer is full, so the rate is sustainable, not a burst into memory).
func BenchmarkRequest(b *testing.B) {
	h := newHarness(b, Config{RatePerToken: -1}, emitter.Config{BufferSize: 1 << 16})
	handler, body := h.srv.Handler(), benchBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest(http.MethodPost, "/v1/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secretAll)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
		}
	}
	b.ReportMetric(float64(b.N*benchLines)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeLines is the request's parse cost alone (split and strict
// decode), the baseline BenchmarkRequest is compared with.
func BenchmarkDecodeLines(b *testing.B) {
	body := benchBody()
	now := time.Now()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if got := decodeLines(body, now, event.DefaultLimits); len(got.events) != benchLines {
			b.Fatalf("decoded %d events", len(got.events))
		}
	}
	b.ReportMetric(float64(b.N*benchLines)/b.Elapsed().Seconds(), "events/s")
}
