package detect

// sustainedPatterns keeps the findings of long failure patterns open. A
// pattern that has run for a quarter of the baseline is no longer four
// times its baseline, so the rate test stops seeing it while it goes on;
// its finding would be resolved and raised again (a second notice to the
// same tenant). Against the fingerprint's usual rate over the history
// (its median minute, zeros included, so an incident shorter than half the
// history does not move it) it still rises: that is sustaining evidence,
// classified like a new pattern (without a baseline to subtract), and it
// only continues an open finding of the same key.
func sustainedPatterns(e *env, steady []*fpRate) ([]candidate, error) {
	cfg, t := e.cfg, e.t
	if len(steady) == 0 {
		return nil, nil
	}
	start, historyMinutes, err := e.usualHistory()
	if err != nil || historyMinutes == 0 {
		return nil, err
	}
	hist, err := minuteHistory(e.ctx, e.q, fingerprintsOf(steady), start, t.WindowFrom)
	if err != nil {
		return nil, err
	}
	var still []*fpRate
	for _, r := range steady {
		usual := medianMinute(hist[r.Fingerprint], int(historyMinutes)) * cfg.Window.Minutes()
		expected := usual + 0.5
		if float64(r.ErrorsNow) >= cfg.Failures.MinRatio*expected && logPoissonTail(float64(r.ErrorsNow), expected) <= cfg.MaxLogP {
			r.expected, r.logP = expected, logPoissonTail(float64(r.ErrorsNow), expected)
			still = append(still, r)
		}
	}
	if len(still) == 0 {
		return nil, nil
	}
	byFP, ref, err := patternDims(e.ctx, e.q, fingerprintsOf(still), t.BaseFrom, t.WindowFrom, t.Now)
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, r := range still {
		if c, ok := classifyPattern(r, byFP[r.Fingerprint], ref, 0, cfg); ok {
			c.sustain = true
			out = append(out, c)
		}
	}
	return out, nil
}

// medianMinute is the median of a fingerprint's errors per minute over
// minutes minutes, the minutes without errors included.
func medianMinute(ms []minuteCount, minutes int) float64 {
	if minutes <= 0 || 2*len(ms) < minutes {
		return 0 // most minutes had no error
	}
	xs := make([]float64, 0, minutes)
	for _, m := range ms {
		xs = append(xs, float64(m.Errors))
	}
	for len(xs) < minutes {
		xs = append(xs, 0)
	}
	return median(xs)
}
