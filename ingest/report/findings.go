package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/queries"
)

// Findings writes the findings first seen in [from, to), oldest first.
func Findings(ctx context.Context, conn driver.Conn, from, to time.Time, w io.Writer) error {
	q := queries.Get("findings_range")
	rows, err := conn.Query(ctx, q.SQL, q.MustBind(queries.Named("from", from), queries.Named("to", to))...)
	if err != nil {
		return fmt.Errorf("querying findings: %w", err)
	}
	defer rows.Close()
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "first seen\tkind\tseverity\tstate\tscope\tsummary")
	n := 0
	for rows.Next() {
		var (
			key, kind, severity, state                                        string
			firstSeen, lastSeen, updatedAt                                    time.Time
			tenants                                                           []string
			culprit, cell, service, version, host, jobType, integration, tmpl string
			fingerprint                                                       uint64
			summary                                                           string
			evidenceNames                                                     []string
			evidenceValues                                                    []float64
		)
		if err := rows.Scan(&key, &kind, &severity, &state, &firstSeen, &lastSeen, &updatedAt, &tenants, &culprit,
			&cell, &service, &version, &host, &jobType, &integration, &fingerprint, &tmpl, &summary,
			&evidenceNames, &evidenceValues); err != nil {
			return fmt.Errorf("scanning finding: %w", err)
		}
		n++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", firstSeen.UTC().Format("15:04"), kind, severity, state,
			scope(culprit, cell, version, host, jobType, integration, len(tenants)), clipText(summary, 90))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading findings: %w", err)
	}
	if n == 0 {
		fmt.Fprintln(tw, "(none)")
	}
	return tw.Flush()
}

func scope(culprit, cell, version, host, jobType, integration string, tenants int) string {
	var parts []string
	for _, p := range [][2]string{{"tenant", culprit}, {"cell", cell}, {"version", version}, {"host", host},
		{"job_type", jobType}, {"integration", integration}} {
		if p[1] != "" {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	if tenants > 0 {
		parts = append(parts, fmt.Sprintf("tenants=%d", tenants))
	}
	return strings.Join(parts, " ")
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
