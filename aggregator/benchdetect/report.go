package benchdetect

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"
)

func report(w io.Writer, sets []*dataset) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "database\traw events\tspan\tevents_1m\terrors_1m\tusage_1m\tjob_attempts_1m\tload\tcycle p50\tcycle min\tcycle max")
	for _, ds := range sets {
		s := append([]time.Duration(nil), ds.cycles...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", ds.name, ds.events, ds.span,
			ds.rollups["events_1m"], ds.rollups["errors_1m"], ds.rollups["usage_1m"], ds.rollups["job_attempts_1m"],
			ds.loadTime.Round(time.Second), median(ds.cycles).Round(time.Millisecond), s[0].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nmean time per detector (ms):")
	var names []string
	for n := range sets[0].parts {
		names = append(names, n)
	}
	sort.Strings(names)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "detector")
	for _, ds := range sets {
		fmt.Fprintf(tw, "\t%s", ds.name)
	}
	fmt.Fprintln(tw)
	for _, n := range names {
		fmt.Fprint(tw, n)
		for _, ds := range sets {
			fmt.Fprintf(tw, "\t%.0f", float64(ds.parts[n].Microseconds())/1000)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	base := median(sets[0].cycles)
	fmt.Fprint(w, "\nRESULT")
	for _, ds := range sets {
		fmt.Fprintf(w, " %s_cycle_ms=%d", ds.name, median(ds.cycles).Milliseconds())
	}
	for _, ds := range sets[1:] {
		fmt.Fprintf(w, " %s_over_%s=%.2f", ds.name, sets[0].name, float64(median(ds.cycles))/float64(base))
	}
	fmt.Fprintln(w)
}
