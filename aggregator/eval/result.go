package eval

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/sim"
)

// Result is an evaluation's outcome.
type Result struct {
	Loaded   Loaded
	Score    Score
	Ticks    int
	EvalTime time.Duration
}

// Line is the closing RESULT line.
func (r Result) Line() string {
	s := r.Score
	return fmt.Sprintf("RESULT scenarios=%d recall=%.2f precision=%.2f attribution=%.2f median_delay_s=%.0f cross_tenant_false=%d",
		len(s.Scenarios), s.Recall(), s.Precision(), s.Attribution(), s.MedianDelay().Seconds(), s.CrossTenantFalse)
}

// Report prints the per-scenario table, the false findings and the RESULT line.
func (r Result) Report(w io.Writer) {
	fmt.Fprintf(w, "run: %s .. %s simulated, %d events, loaded in %s; %d ticks evaluated in %s (%.0f ms/tick)\n\n",
		r.Loaded.Start.Format(time.RFC3339), r.Loaded.End.Format(time.RFC3339), r.Loaded.Events,
		r.Loaded.LoadTime.Round(time.Second), r.Ticks, r.EvalTime.Round(time.Second),
		float64(r.EvalTime.Milliseconds())/float64(max(r.Ticks, 1)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tfinding kind\tonset\tdetected\tdelay_s\tattribution\tculprit\tfirst finding")
	for _, sc := range r.Score.Scenarios {
		t := sc.Truth
		det, delay, attr, key := "no", "-", "-", "-"
		if sc.Detected {
			det, delay, key = "yes", fmt.Sprintf("%.0f", sc.Delay.Seconds()), sc.First.Key
			attr = map[bool]string{true: "correct", false: "wrong"}[sc.Attributed]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Scenario, t.FindingKind, t.Start.Format("15:04:05"),
			det, delay, attr, culpritString(t), key)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nfindings: %d, reporting an incident: %d, false: %d\n", r.Score.Findings, r.Score.TrueFindings, len(r.Score.False))
	for _, f := range r.Score.False {
		fmt.Fprintf(w, "  false: %s %s %s\n", f.FirstSeen.Format("15:04"), f.Key, f.Summary)
	}
	fmt.Fprintln(w, r.Line())
}

func culpritString(t sim.Truth) string {
	c := t.Culprit
	var parts []string
	for _, kv := range [][2]string{{"tenant", c.Tenant}, {"cell", c.Cell}, {"version", c.Version}, {"host", c.Host},
		{"integration", c.Integration}, {"job_type", c.JobType}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, ",")
}
