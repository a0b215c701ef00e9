package alert

import (
	"fmt"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// BenchmarkSync measures one Sync of many open findings: steady (nothing
// due, the common case between resends) and resend (every alert posted to
// a local server that accepts everything).
func BenchmarkSync(b *testing.B) {
	for _, n := range []int{100, 10000} {
		fs := make([]finding.Finding, n)
		for i := range fs {
			fs[i] = incident(fmt.Sprintf("localized/cell-%d/v%d", i%50, i), finding.Localized, finding.Warning,
				finding.Scope{Cell: fmt.Sprintf("cell-%d", i%50), Version: fmt.Sprintf("2.%d", i%7), Tenants: []string{"t-1", "t-2", "t-3"}},
				float64(i), 3, 2)
		}
		b.Run(fmt.Sprintf("steady/%d", n), func(b *testing.B) {
			h := newHarness(b, nil)
			h.sync(b, fs...)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				h.sync(b, fs...)
			}
		})
		b.Run(fmt.Sprintf("resend/%d", n), func(b *testing.B) {
			h := newHarness(b, nil)
			h.sync(b, fs...)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				h.clock.Advance(time.Minute)
				h.sync(b, fs...)
				h.am.take()
			}
		})
	}
}
