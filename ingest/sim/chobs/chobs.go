// Package chobs answers the simulator's signature checks (sim.Observations)
// from the ClickHouse events table, with the queries/sim queries, so the
// checks that run on the in-memory event stream run unchanged on the
// warehouse.
package chobs

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/opswarehouse/opswarehouse/ingest/sim"
	"github.com/opswarehouse/opswarehouse/queries"
)

// Observations implements sim.Observations on ClickHouse.
type Observations struct {
	conn driver.Conn
}

var _ sim.Observations = (*Observations)(nil)

// New queries the events table of conn's default database.
func New(conn driver.Conn) *Observations { return &Observations{conn: conn} }

func unixMs(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixMilli())
}

func filterArgs(f sim.Filter) []queries.Arg {
	errorsOnly := uint8(0)
	if f.ErrorsOnly {
		errorsOnly = 1
	}
	n := queries.Named
	return []queries.Arg{
		n("from_ms", unixMs(f.From)), n("to_ms", unixMs(f.To)),
		n("tenant", f.Tenant), n("not_tenant", f.NotTenant), n("cell", f.Cell), n("not_cell", f.NotCell),
		n("host", f.Host), n("version", f.Version), n("service", f.Service), n("route", f.Route),
		n("job_type", f.JobType), n("endpoint", f.Endpoint), n("integration", f.Integration),
		n("kind", string(f.Kind)), n("state", string(f.State)), n("status", f.Status),
		n("errors_only", errorsOnly), n("error_class", f.ErrorClass), n("message_prefix", f.MessagePrefix),
		n("min_attempt", f.MinAttempt),
	}
}

// Count implements sim.Observations.
func (o *Observations) Count(ctx context.Context, f sim.Filter, by sim.Dim) (map[string]int64, error) {
	return o.counts(ctx, "sim_count", append(filterArgs(f), queries.Named("dim", string(by)))...)
}

// Quantile implements sim.Observations.
func (o *Observations) Quantile(ctx context.Context, f sim.Filter, field sim.Field, q float64) (float64, error) {
	query := queries.Get("sim_quantile")
	args, err := query.Bind(append(filterArgs(f), queries.Named("field", string(field)), queries.Named("q", q))...)
	if err != nil {
		return 0, err
	}
	var n uint64
	var v float64
	if err := o.conn.QueryRow(ctx, query.SQL, args...).Scan(&n, &v); err != nil {
		return 0, fmt.Errorf("querying %s: %w", query.Name, err)
	}
	if n == 0 {
		return math.NaN(), nil
	}
	return v, nil
}

// StuckJobs implements sim.Observations. Of the filter it uses the fields
// that describe a job (tenant, cell, host, version, job type, integration).
func (o *Observations) StuckJobs(ctx context.Context, f sim.Filter, at time.Time, olderThan time.Duration) (map[string]int64, error) {
	n := queries.Named
	return o.counts(ctx, "sim_stuck_jobs",
		n("at_ms", unixMs(at)), n("older_ms", uint64(olderThan.Milliseconds())),
		n("tenant", f.Tenant), n("not_tenant", f.NotTenant), n("cell", f.Cell), n("not_cell", f.NotCell),
		n("host", f.Host), n("version", f.Version), n("job_type", f.JobType), n("integration", f.Integration))
}

// counts runs a query returning (key String, n UInt64) rows.
func (o *Observations) counts(ctx context.Context, name string, args ...queries.Arg) (map[string]int64, error) {
	query := queries.Get(name)
	bound, err := query.Bind(args...)
	if err != nil {
		return nil, err
	}
	rows, err := o.conn.Query(ctx, query.SQL, bound...)
	if err != nil {
		return nil, fmt.Errorf("querying %s: %w", name, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var key string
		var c uint64
		if err := rows.Scan(&key, &c); err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		out[key] = int64(c)
	}
	return out, rows.Err()
}
