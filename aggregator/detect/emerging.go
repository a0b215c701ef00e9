package detect

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
	"github.com/opswarehouse/opswarehouse/queries"
)

type dataStartRow struct {
	FirstMinute time.Time `ch:"first_minute"`
	Rows        uint64    `ch:"rows"`
}

// readDataStart reads the first minute with errors in the history (the history's
// start when it is full).
func readDataStart(ctx context.Context, q Querier, t Tick) (time.Time, error) {
	start := t.HistoryFrom
	args := []queries.Arg{queries.Named("from", t.HistoryFrom), queries.Named("now", t.Now)}
	err := each(ctx, q, "detect_data_start", args, func(r *dataStartRow) {
		if r.Rows > 0 && r.FirstMinute.After(start) {
			start = r.FirstMinute.UTC()
		}
	})
	return start, err
}

type burstCandidate struct {
	Fingerprint   uint64 `ch:"fingerprint"`
	Recent        uint64 `ch:"recent"`
	ActiveMinutes uint64 `ch:"active_minutes"`
	Total         uint64 `ch:"total"`
}

// emergingPatterns finds fingerprints that come in bursts arriving ever
// closer together: mostly quiet fingerprints (few active minutes over the
// history) whose bursts, each a cluster of errors between quiet gaps, show
// a falling trend in the gaps between them (Kendall's tau over the gaps)
// and whose latest gap is clearly shorter than the first.
func emergingPatterns(e *env) ([]candidate, error) {
	ctx, q, cfg, t := e.ctx, e.q, e.cfg, e.t
	args := []queries.Arg{
		queries.Named("history_from", t.HistoryFrom), queries.Named("window_from", t.WindowFrom), queries.Named("now", t.Now),
		queries.Named("min_recent", uint64(1)), queries.Named("max_active", uint64(cfg.History.Minutes()/10)),
	}
	var fps []uint64
	if err := each(ctx, q, "detect_burst_candidates", args, func(r *burstCandidate) { fps = append(fps, r.Fingerprint) }); err != nil {
		return nil, err
	}
	if len(fps) == 0 {
		return nil, nil
	}
	hist, err := minuteHistory(ctx, q, fps, t.HistoryFrom, t.Now)
	if err != nil {
		return nil, err
	}
	start, err := e.dataStart()
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, fp := range fps {
		train, ok := burstTrain(hist[fp], t.Now, start, cfg)
		if !ok {
			continue
		}
		byFP, ref, err := patternDims(ctx, q, []uint64{fp}, train.from, train.from, t.Now)
		if err != nil {
			return nil, err
		}
		out = append(out, emergingCandidate(fp, train, byFP[fp], ref, cfg))
	}
	return out, nil
}

// train is a qualifying sequence of bursts.
type train struct {
	from             time.Time
	bursts           int
	errors           uint64
	firstGap, last   time.Duration
	tau              float64
	lastBurstMinutes time.Time
}

// burstTrain reports whether a fingerprint's minute series is a live burst
// train with shrinking gaps. A burst counts when it is a real cluster: at
// least BurstMinEvents errors, significantly more than the fingerprint's
// rate before it predicts for its length. The rate before, not the rate
// over the whole history: an emerging error's early bursts are small, and
// against a history that includes its later, bigger bursts they would never
// count. The rate is smoothed by one error (so a burst at the start of the
// data, with nothing before it to compare with, needs to be large), and
// measured from dataStart, the first minute the warehouse has errors for.
func burstTrain(ms []minuteCount, now, dataStart time.Time, cfg *Config) (train, bool) {
	fc := &cfg.Failures
	var sig []burst
	var before uint64 // the fingerprint's errors before the burst
	for _, b := range bursts(ms, fc.BurstGap) {
		length := b.End.Sub(b.Start).Minutes() + 1
		priorMinutes := math.Max(b.Start.Sub(dataStart).Minutes(), 0)
		background := float64(before+1) / (priorMinutes + 1) * length
		if b.Errors >= fc.BurstMinEvents && logPoissonTail(float64(b.Errors), background) <= cfg.Failures.BurstLogP {
			sig = append(sig, b)
		}
		before += b.Errors
	}
	if len(sig) < fc.MinBursts {
		return train{}, false
	}
	gaps := make([]float64, len(sig)-1)
	for i := 1; i < len(sig); i++ {
		gaps[i-1] = sig[i].Start.Sub(sig[i-1].Start).Minutes()
	}
	tr := train{from: sig[0].Start, bursts: len(sig), tau: kendallTau(gaps), lastBurstMinutes: sig[len(sig)-1].End,
		firstGap: time.Duration(gaps[0]) * time.Minute, last: time.Duration(gaps[len(gaps)-1]) * time.Minute}
	for _, b := range sig {
		tr.errors += b.Errors
	}
	// Live: the next burst is not yet overdue by half the latest gap.
	live := now.Sub(tr.lastBurstMinutes) <= max(tr.last*3/2, 3*time.Minute)
	shrinking := tr.tau <= fc.MaxGapTau && gaps[len(gaps)-1] <= fc.GapShrink*gaps[0]
	return tr, live && shrinking
}

func emergingCandidate(fp uint64, tr train, p pattern, ref dims, cfg *Config) candidate {
	excess, total := p.excess(0)
	_, over := bubbleUp(excess, total, ref, cfg)
	c := candidate{fingerprints: []uint64{fp}, weight: float64(tr.errors)}
	f := &c.Finding
	f.Kind, f.Severity = finding.Emerging, finding.Warning
	f.Scope.Fingerprint = fp
	f.Scope.Cell, f.Scope.Version, f.Scope.Host = over[dimCell].Value, over[dimVersion].Value, over[dimHost].Value
	setContext(&f.Scope, over)
	f.Scope.Tenants = topValues(p.now, dimTenant, 50)
	f.Evidence = []finding.Evidence{
		{Name: "bursts", Value: float64(tr.bursts)}, {Name: "errors", Value: float64(tr.errors)},
		{Name: "first_gap_minutes", Value: tr.firstGap.Minutes()}, {Name: "last_gap_minutes", Value: tr.last.Minutes()},
		{Name: "gap_tau", Value: round(tr.tau, 2)},
	}
	where := describe(over, dimCell, dimVersion, dimHost, dimIntegration, dimJobType, dimService)
	if where == "" {
		where = fmt.Sprintf("%d tenants", len(p.now[dimTenant]))
	}
	f.Summary = fmt.Sprintf("%d bursts of one error since %s, gaps shrinking from %s to %s; %s",
		tr.bursts, tr.from.Format("15:04"), tr.firstGap, tr.last, where)
	f.Key = fmt.Sprintf("%s/fingerprint=%016x", f.Kind, fp)
	return c
}
