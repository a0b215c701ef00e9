package detect

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/queries"
)

// Querier runs a query; a ClickHouse connection is one.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (driver.Rows, error)
}

// Tick is one evaluation: the time it evaluates and the periods its
// detectors read, all ending at Now (exclusive) on whole minutes.
type Tick struct {
	Now         time.Time
	WindowFrom  time.Time // the recent period tested
	BaseFrom    time.Time // the baseline, [BaseFrom, WindowFrom)
	HistoryFrom time.Time // the longest look back (new signatures, burst trains)
}

// NewTick aligns now down to the minute and derives the periods.
func (c *Config) NewTick(now time.Time) Tick {
	now = now.UTC().Truncate(time.Minute)
	w := now.Add(-c.Window)
	return Tick{Now: now, WindowFrom: w, BaseFrom: w.Add(-c.Baseline), HistoryFrom: now.Add(-c.History)}
}

// windowArgs are the arguments of every window-versus-baseline query.
func (t Tick) windowArgs() []queries.Arg {
	return []queries.Arg{
		queries.Named("base_from", t.BaseFrom), queries.Named("window_from", t.WindowFrom), queries.Named("now", t.Now),
	}
}

// candidate is a finding a detector proposes, with what correlation needs.
type candidate struct {
	finding.Finding
	fingerprints []uint64 // error fingerprints it accounts for
	weight       float64  // errors or events behind it: the strongest of a key wins
	lead         string   // a pattern's tenant holding at least half its excess
	// sustain marks evidence that continues an open finding but would
	// not open one (an incident that has filled its own baseline).
	sustain bool
	// slowOnly marks an endpoint that is slow but not failing.
	slowOnly bool
	// integration is the integration holding the coverage share of a
	// pattern's excess, whether or not it stands out from the reference.
	integration string
	// resource is a noisy neighbour's level and resource.
	resource [2]string
	// othersFailing marks a poison job whose job type fails for the other
	// tenants too.
	othersFailing bool
}

// each runs a library query and scans every row into a fresh T.
func each[T any](ctx context.Context, q Querier, name string, args []queries.Arg, fn func(*T)) error {
	query := queries.Get(name)
	bound, err := query.Bind(args...)
	if err != nil {
		return err
	}
	rows, err := q.Query(ctx, query.SQL, bound...)
	if err != nil {
		return fmt.Errorf("running %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v T
		if err := rows.ScanStruct(&v); err != nil {
			return fmt.Errorf("scanning %s: %w", name, err)
		}
		fn(&v)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// traffic is the fleet's event volume in the window and the baseline.
type traffic struct {
	EventsNow   uint64 `ch:"events_now"`
	EventsBase  uint64 `ch:"events_base"`
	MinutesNow  uint64 `ch:"minutes_now"`
	MinutesBase uint64 `ch:"minutes_base"`
}

// scale converts baseline counts into counts expected in the window.
func (t traffic) scale() float64 { return ratio(float64(t.EventsNow), float64(t.EventsBase)) }

func readTraffic(ctx context.Context, q Querier, t Tick) (traffic, error) {
	var tr traffic
	err := each(ctx, q, "detect_traffic", t.windowArgs(), func(r *traffic) { tr = *r })
	return tr, err
}
