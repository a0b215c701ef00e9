package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/queries"
)

// mergeDebt is the merge work a phase left behind: how long ClickHouse kept
// merging the phase's parts after its last row was stored, and the CPU it
// spent meanwhile, per event of the phase. A short phase leaves more of its
// merges for later than a long one, which runs them inside its own window,
// so phases of different lengths compare fairly only with this in view.
type mergeDebt struct {
	Seconds    float64
	ClickHouse float64 // µs of CPU per event
}

func (d mergeDebt) String() string {
	return fmt.Sprintf("merges left behind: %.1fs, ClickHouse %.2f µs/event", d.Seconds, d.ClickHouse)
}

// quietFor is how long no merge may run before the phase's merges count as
// done: the server schedules merges a little after parts appear.
const quietFor = 2 * time.Second

// awaitMerges waits until no merge has run in conn's database for quietFor
// (at most timeout) and measures what ClickHouse spent until then.
func awaitMerges(ctx context.Context, conn driver.Conn, events int, timeout time.Duration) (mergeDebt, error) {
	meter, err := startCPUMeter(0)
	if err != nil {
		return mergeDebt{}, err
	}
	q := queries.Get("ingest_merges_running")
	began := time.Now()
	lastBusy := began
	for time.Since(lastBusy) < quietFor {
		if time.Since(began) > timeout {
			return mergeDebt{}, fmt.Errorf("merges still running after %s", timeout)
		}
		var n uint64
		if err := conn.QueryRow(ctx, q.SQL).Scan(&n); err != nil {
			return mergeDebt{}, fmt.Errorf("counting running merges: %w", err)
		}
		if n > 0 {
			lastBusy = time.Now()
		}
		select {
		case <-ctx.Done():
			return mergeDebt{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	cpu, err := meter.perEvent(events)
	if err != nil {
		return mergeDebt{}, err
	}
	return mergeDebt{Seconds: lastBusy.Sub(began).Seconds(), ClickHouse: cpu.ClickHouse}, nil
}
