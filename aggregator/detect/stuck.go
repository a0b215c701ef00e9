package detect

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/queries"
)

// openAttempts is job attempts of one start minute still running at now.
type openAttempts struct {
	Cell        string    `ch:"cell"`
	Host        string    `ch:"host"`
	JobType     string    `ch:"job_type"`
	StartMinute time.Time `ch:"start_minute"`
	Open        int64     `ch:"open"`
}

// stuckHost is the attempts stuck on one host, by age threshold.
type stuckHost struct {
	cell, host string
	byAge      []float64 // attempts older than each configured age
	jobTypes   map[string]float64
}

// stuckJobs finds hosts with job attempts that started and never ended:
// running longer than an age threshold (5/10/45 minutes by default) and
// than StuckDurFactor times their job type's p90 run time, so long-running
// job types do not look stuck. Hosts with at least StuckMin such attempts,
// significantly more than the job types' tails leave running on healthy
// hosts (tailReference), are reported; several stuck hosts of one cell are
// one cell finding. It waits for a full baseline (fullBaseline).
func stuckJobs(e *env) ([]candidate, error) {
	if !e.fullBaseline() {
		return nil, nil
	}
	jc := &e.cfg.Jobs
	types, err := e.jobTypeHealth()
	if err != nil {
		return nil, err
	}
	ages := jc.StuckAges
	args := []queries.Arg{
		queries.Named("from", e.t.Now.Add(-jc.StuckHorizon)), queries.Named("until", e.t.Now.Add(-ages[0])), queries.Named("now", e.t.Now),
	}
	hosts := map[string]*stuckHost{}
	err = each(e.ctx, e.q, "detect_open_attempts", args, func(r *openAttempts) {
		age := e.t.Now.Sub(r.StartMinute.UTC()) - time.Minute // the youngest an attempt of that minute can be
		normal := time.Duration(jc.StuckDurFactor * q(types[[2]string{r.Cell, r.JobType}].RunQBase, runP90) * float64(time.Millisecond))
		h := hosts[r.Host]
		if h == nil {
			h = &stuckHost{cell: r.Cell, host: r.Host, byAge: make([]float64, len(ages)), jobTypes: map[string]float64{}}
			hosts[r.Host] = h
		}
		for i, a := range ages {
			if age >= max(a, normal) {
				h.byAge[i] += float64(r.Open)
			}
		}
		if age >= max(ages[0], normal) {
			h.jobTypes[r.JobType] += float64(r.Open)
		}
	})
	if err != nil {
		return nil, err
	}
	ref, err := readTailReference(e, args[:2], hosts)
	if err != nil {
		return nil, err
	}
	byCell := map[string][]*stuckHost{}
	for _, h := range hosts {
		if h.host != "" && h.byAge[0] >= float64(jc.StuckMin) &&
			ref.tailLogP(h) <= e.cfg.MaxLogP {
			byCell[h.cell] = append(byCell[h.cell], h)
		}
	}
	var out []candidate
	for cell, hs := range byCell {
		sort.Slice(hs, func(i, j int) bool { return hs[i].host < hs[j].host })
		if len(hs) >= 3 {
			out = append(out, stuckCandidate(cell, hs, ages))
			continue
		}
		for _, h := range hs {
			out = append(out, stuckCandidate(cell, []*stuckHost{h}, ages))
		}
	}
	return out, nil
}

func stuckCandidate(cell string, hs []*stuckHost, ages []time.Duration) candidate {
	byAge := make([]float64, len(ages))
	types := map[string]float64{}
	var names []string
	for _, h := range hs {
		for i, n := range h.byAge {
			byAge[i] += n
		}
		for jt, n := range h.jobTypes {
			types[jt] += n
		}
		names = append(names, h.host)
	}
	c := candidate{weight: byAge[0]}
	f := &c.Finding
	f.Kind, f.Scope.Cell = finding.StuckJobs, cell
	f.Severity = finding.Info
	for i, n := range byAge {
		if n > 0 && i == 1 {
			f.Severity = finding.Warning
		}
		if n > 0 && i >= 2 {
			f.Severity = finding.Critical
		}
		f.Evidence = append(f.Evidence, finding.Evidence{Name: fmt.Sprintf("stuck_over_%dm", int(ages[i].Minutes())), Value: n})
	}
	if len(hs) == 1 {
		f.Scope.Host = hs[0].host
	}
	var top string
	for jt, n := range types {
		if n > types[top] || (n == types[top] && jt < top) {
			top = jt
		}
	}
	if types[top] >= 0.8*byAge[0] {
		f.Scope.JobType = top
	}
	f.Summary = fmt.Sprintf("%.0f job attempts running for over %s and never finishing on %s (cell %s)",
		byAge[0], ages[0], strings.Join(names, ", "), cell)
	f.Key = fmt.Sprintf("%s/cell=%s", f.Kind, cell)
	if f.Scope.Host != "" {
		f.Key += ",host=" + f.Scope.Host
	}
	return c
}
