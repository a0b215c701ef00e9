package bench

import (
	"fmt"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

var errorMessages = []string{
	"upstream timed out after %dms talking to db-%d.cell-2:5432",
	"job %d exceeded retry limit (%d attempts)",
	"HTTP %d from payments gateway after %dms",
	"connection reset by peer while reading response from cache-%d (%d bytes read)",
	"deadlock detected on table invoices, transaction %d rolled back after %dms",
}

// genEvent returns a deterministic, realistic event (without attrs: the
// Kafka table engine peer cannot skip a field its table does not name): a job lifecycle mix with
// requests, resource samples and errors whose messages vary like logs do.
func genEvent(run string, i int, ts time.Time) event.Event {
	e := event.Event{
		V: 1, ID: fmt.Sprintf("%s-%d", run, i), Time: ts,
		Tenant: fmt.Sprintf("t-%04d", (i*7919)%500), Service: []string{"billing", "sync", "reports", "webhooks"}[i%4],
		Cell: fmt.Sprintf("cell-%d", i%8), Shard: fmt.Sprintf("s-%02d", i%32), Host: fmt.Sprintf("host-%03d", i%120),
		Version: []string{"v2.14.0", "v2.14.1"}[i%2],
	}
	switch i % 10 {
	case 0, 1, 2, 3:
		e.Kind, e.JobID, e.JobType = event.KindJobState, fmt.Sprintf("job-%d", i/4), "invoice.render"
		e.State = []event.State{event.StateQueued, event.StateRunning, event.StateSucceeded, event.StateSucceeded}[i%4]
		e.Attempt, e.DurationMs, e.QueueMs = 1, float64(20+i%700), float64(i%90)
	case 4, 5, 6:
		e.Kind, e.Route, e.Status, e.DurationMs = event.KindRequest, "/v1/invoices/{id}", 200, float64(5+i%300)
	case 7:
		e.Kind, e.CPUMs, e.DBMs, e.Bytes = event.KindResource, float64(i%1000), float64(i%400), uint64(i%65536)
	case 8:
		e.Kind, e.JobID, e.JobType, e.Attempt = event.KindJobRetry, fmt.Sprintf("job-%d", i/4), "invoice.render", 2
	default:
		e.Kind, e.ErrorClass = event.KindError, "UpstreamError"
		e.ErrorMessage = fmt.Sprintf(errorMessages[i%len(errorMessages)], 100+i%900, i%13)
	}
	return e
}

// genValues encodes n events.
func genValues(run string, n int, ts time.Time) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		e := genEvent(run, i, ts)
		out[i], _ = event.Marshal(&e)
	}
	return out
}
