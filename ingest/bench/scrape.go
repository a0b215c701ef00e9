package bench

import (
	"fmt"
	"net/http"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// insertShape is how the ingester under test grouped its rows.
type insertShape struct {
	Inserts          float64
	BatchesPerInsert float64
	RowsPerBatch     float64
	FlushWaitSeconds float64 // summed over partitions
	InsertSeconds    float64 // mean wall time of one INSERT
}

func (s insertShape) String() string {
	return fmt.Sprintf("%.0f INSERTs of %.1f partition batches (%.0f rows each) taking %.2fs on average; partitions waited %.1fs for ClickHouse",
		s.Inserts, s.BatchesPerInsert, s.RowsPerBatch, s.InsertSeconds, s.FlushWaitSeconds)
}

// scrapeInsertShape reads the ingester's insert histograms from /metrics.
func scrapeInsertShape(listen string) (insertShape, error) {
	resp, err := http.Get("http://" + listen + "/metrics")
	if err != nil {
		return insertShape{}, fmt.Errorf("scraping the ingester: %w", err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return insertShape{}, fmt.Errorf("parsing the ingester's metrics: %w", err)
	}
	hist := func(name string) (sum, count float64) {
		f, ok := families[name]
		if !ok || len(f.GetMetric()) == 0 || f.GetMetric()[0].GetHistogram() == nil {
			return 0, 0
		}
		h := f.GetMetric()[0].GetHistogram()
		return h.GetSampleSum(), float64(h.GetSampleCount())
	}
	var wait float64
	if f, ok := families["opswarehouse_ingester_flush_wait_seconds_total"]; ok && len(f.GetMetric()) > 0 {
		wait = f.GetMetric()[0].GetCounter().GetValue()
	}
	batches, inserts := hist("opswarehouse_ingester_insert_batches")
	rows, nBatches := hist("opswarehouse_ingester_batch_events")
	seconds, _ := hist("opswarehouse_ingester_insert_seconds")
	return insertShape{Inserts: inserts, BatchesPerInsert: batches / max(inserts, 1), RowsPerBatch: rows / max(nBatches, 1), FlushWaitSeconds: wait, InsertSeconds: seconds / max(inserts, 1)}, nil
}
