package bench

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// Report prints the run's table, the profile and the closing RESULT line.
func Report(w io.Writer, r Result) {
	fmt.Fprintf(w, "ingest benchmark, %s, %d CPUs, %d events\n", time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), r.Events)
	fmt.Fprintf(w, "  (a) ingester end to end, Kafka -> ClickHouse  %10.0f events/s  (%.1fs from start incl. group join; steady state %.0f events/s)\n", r.E2EEPS, r.E2EWallSeconds, r.E2ESteadyEPS)
	fmt.Fprintf(w, "      %s\n", r.E2ECPU)
	fmt.Fprintf(w, "      %s\n", r.E2EInserts)
	fmt.Fprintf(w, "      %s\n", r.E2EMerges)
	fmt.Fprintf(w, "  (b) ClickHouse native insert ceiling          %10.0f events/s  (a)/(b) = %.2f\n", r.CeilingEPS, ratio(r.E2EEPS, r.CeilingEPS))
	fmt.Fprintf(w, "      (same schema: events plus every materialized view on it)\n")
	fmt.Fprintf(w, "      %s (ingester: the inserting client)\n", r.CeilingCPU)
	fmt.Fprintf(w, "      %s\n", r.CeilingMerges)
	if r.KafkaEngineNote != "" {
		fmt.Fprintf(w, "  (c) ClickHouse Kafka table engine              failed: %s\n", r.KafkaEngineNote)
	} else {
		fmt.Fprintf(w, "  (c) ClickHouse Kafka table engine + MV        %10.0f events/s  (a)/(c) = %.2f  (from table creation to last row)\n", r.KafkaEngineEPS, ratio(r.E2EEPS, r.KafkaEngineEPS))
		fmt.Fprintf(w, "      %s\n", r.KafkaEngineCPU)
	}
	fmt.Fprintf(w, "  ingest-to-queryable at %.0f events/s: p50 %.2fs, p99 %.2fs\n", r.LatencyRateEPS, r.P50LatencyS, r.P99LatencyS)
	fmt.Fprintf(w, "  ingester peak RSS: %.0f MB\n", r.RSSMB)
	if r.ProfileTop != "" {
		fmt.Fprintf(w, "\ningester CPU profile during (a):\n%s\n", r.ProfileTop)
	}
	fmt.Fprintln(w, r)
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
