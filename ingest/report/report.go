// Package report prints what the warehouse holds: events landed per kind and
// per tenant, and what was dead-lettered and why.
package report

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/ingester"
	"github.com/opswarehouse/opswarehouse/queries"
)

// Options selects what to report.
type Options struct {
	Since           time.Time
	TopTenants      int
	Broker          string
	DeadLetterTopic string
}

// Landed writes the landed-events report to w.
func Landed(ctx context.Context, conn driver.Conn, opts Options, w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "Events landed, per kind:")
	fmt.Fprintln(tw, "kind\tevents\ttenants\terrors\t")
	var total uint64
	q := queries.Get("ingest_landed_by_kind")
	rows, err := conn.Query(ctx, q.SQL, q.MustBind(queries.Named("since", opts.Since))...)
	if err != nil {
		return fmt.Errorf("querying landed events: %w", err)
	}
	for rows.Next() {
		var kind string
		var events, tenants, errs uint64
		if err := rows.Scan(&kind, &events, &tenants, &errs); err != nil {
			rows.Close()
			return fmt.Errorf("scanning landed events: %w", err)
		}
		total += events
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", kind, events, tenants, errs)
	}
	rows.Close()
	fmt.Fprintf(tw, "total\t%d\t\t\t\n", total)
	tw.Flush()

	fmt.Fprintf(w, "\nTop %d tenants by events:\n", opts.TopTenants)
	fmt.Fprintln(tw, "tenant\tevents\terrors\tkinds\t")
	q = queries.Get("ingest_landed_by_tenant")
	rows, err = conn.Query(ctx, q.SQL, q.MustBind(queries.Named("since", opts.Since), queries.Named("limit", uint32(opts.TopTenants)))...)
	if err != nil {
		return fmt.Errorf("querying tenants: %w", err)
	}
	for rows.Next() {
		var tenant string
		var events, errs, kinds uint64
		if err := rows.Scan(&tenant, &events, &errs, &kinds); err != nil {
			rows.Close()
			return fmt.Errorf("scanning tenants: %w", err)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", tenant, events, errs, kinds)
	}
	rows.Close()
	tw.Flush()
	if opts.DeadLetterTopic == "" {
		return nil
	}
	return deadLetters(ctx, opts, w)
}

func deadLetters(ctx context.Context, opts Options, w io.Writer) error {
	sum, err := ingester.SummarizeDeadLetters(ctx, opts.Broker, opts.DeadLetterTopic)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nDead-lettered: %d messages (%d records in %s)\n", sum.Distinct, sum.Messages, opts.DeadLetterTopic)
	reasons := make([]string, 0, len(sum.ByReason))
	for r := range sum.ByReason {
		reasons = append(reasons, string(r))
	}
	sort.Strings(reasons)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, r := range reasons {
		fmt.Fprintf(tw, "%s\t%d\t\n", r, sum.ByReason[event.Reason(r)])
	}
	return tw.Flush()
}
