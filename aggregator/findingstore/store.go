// Package findingstore keeps the aggregator's findings in ClickHouse: it
// turns each evaluation tick's detected findings into state transitions
// (a new finding opens, a seen one stays open with its first_seen kept, one
// not seen for ResolveAfter is resolved) and writes each changed version.
//
// Several aggregator replicas may do this at once without duplicates or
// gaps. Every tick is a whole minute; a tick's findings are a pure function
// of the data before it and of the findings written for earlier ticks, and
// every timestamp a version carries is a tick, never the wall clock. Two
// replicas evaluating the same tick therefore write identical rows with the
// same (kind, finding_key, first_seen) sort key, which the findings table
// (ReplacingMergeTree by updated_at) and every reader (newest version per
// key) collapse into one finding. A replica evaluates a tick only after the
// previous one is recorded in detector_ticks — by itself or another
// replica — so the earlier findings it reads are complete.
package findingstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/queries"
)

// Conn is what the store needs of a ClickHouse connection.
type Conn interface {
	Query(ctx context.Context, query string, args ...any) (driver.Rows, error)
	PrepareBatch(ctx context.Context, query string, opts ...driver.PrepareBatchOption) (driver.Batch, error)
}

// Store reads and writes findings and evaluation ticks.
type Store struct {
	conn         Conn
	resolveAfter time.Duration
}

// New returns a store; findings not seen for resolveAfter are resolved.
func New(conn Conn, resolveAfter time.Duration) *Store {
	return &Store{conn: conn, resolveAfter: resolveAfter}
}

// Open returns the findings open as of tick: the newest version of each
// written for an earlier tick, if it is open.
func (s *Store) Open(ctx context.Context, tick time.Time) ([]finding.Finding, error) {
	// Open findings are rewritten at every tick they are seen and resolved
	// at most resolveAfter after that, so older versions are settled.
	since := tick.Add(-2*s.resolveAfter - 2*time.Minute)
	all, err := s.read(ctx, "findings_open", queries.Named("since", since), queries.Named("before", tick))
	if err != nil {
		return nil, err
	}
	open := all[:0]
	for _, f := range all {
		if f.State == finding.Open {
			open = append(open, f)
		}
	}
	return open, nil
}

// Range returns the newest version of every finding first seen in [from, to).
func (s *Store) Range(ctx context.Context, from, to time.Time) ([]finding.Finding, error) {
	return s.read(ctx, "findings_range", queries.Named("from", from), queries.Named("to", to))
}

// Apply turns the tick's detected findings into transitions against the
// open ones and writes every version that changed. It returns the written
// versions: opened, still open (last_seen advanced) and resolved.
func (s *Store) Apply(ctx context.Context, tick time.Time, detected, open []finding.Finding) ([]finding.Finding, error) {
	byKey := make(map[string]finding.Finding, len(open))
	for _, o := range open {
		byKey[o.Key] = o
	}
	var out []finding.Finding
	for _, f := range detected {
		f.State, f.LastSeen, f.UpdatedAt = finding.Open, tick, tick
		f.FirstSeen = tick
		if o, ok := byKey[f.Key]; ok {
			f.FirstSeen = o.FirstSeen
			delete(byKey, f.Key)
		}
		out = append(out, f)
	}
	for _, o := range open {
		if _, still := byKey[o.Key]; !still || tick.Sub(o.LastSeen) < s.resolveAfter {
			continue
		}
		o.State, o.UpdatedAt = finding.Resolved, tick
		out = append(out, o)
	}
	return out, s.write(ctx, out)
}

const insertFindings = `INSERT INTO findings (finding_key, kind, severity, state, first_seen, last_seen, updated_at,
tenants, culprit_tenant, cell, service, version, host, job_type, integration, fingerprint, template,
summary, evidence_names, evidence_values)`

func (s *Store) write(ctx context.Context, fs []finding.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, insertFindings)
	if err != nil {
		return fmt.Errorf("preparing findings insert: %w", err)
	}
	for _, f := range fs {
		r := toRow(f)
		if err := b.Append(r.Key, r.Kind, r.Severity, r.State, r.FirstSeen, r.LastSeen, r.UpdatedAt,
			r.Tenants, r.CulpritTenant, r.Cell, r.Service, r.Version, r.Host, r.JobType, r.Integration,
			r.Fingerprint, r.Template, r.Summary, r.EvidenceNames, r.EvidenceValues); err != nil {
			_ = b.Abort()
			return fmt.Errorf("appending finding %s: %w", f.Key, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("writing %d findings: %w", len(fs), err)
	}
	return nil
}

func (s *Store) read(ctx context.Context, name string, args ...queries.Arg) ([]finding.Finding, error) {
	q := queries.Get(name)
	bound, err := q.Bind(args...)
	if err != nil {
		return nil, err
	}
	rows, err := s.conn.Query(ctx, q.SQL, bound...)
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", name, err)
	}
	defer rows.Close()
	var out []finding.Finding
	for rows.Next() {
		var r row
		if err := rows.ScanStruct(&r); err != nil {
			return nil, fmt.Errorf("scanning %s: %w", name, err)
		}
		out = append(out, r.finding())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return out, nil
}
