package eval

import (
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/sim"
)

// simConfig returns the simulator configuration of a run that ends at end:
// the mix (and extra scenarios) as the simulator schedules them over
// cfg.Duration, preceded by cfg.Warmup of incident-free history. The simulator places the mix
// relative to its own start, so the mix is resolved on a run without the
// warm-up first and then pinned (absolute times, resolved culprits and
// parameters) onto the longer run; the fleet depends only on the seed, so
// both runs have the same tenants, cells and hosts.
func simConfig(cfg Config, end time.Time) (sim.Config, error) {
	sc := sim.DefaultConfig()
	sc.Mode = sim.ModeBackfill
	sc.Tenants, sc.Cells, sc.Rate, sc.Seed = cfg.Tenants, cfg.Cells, cfg.Rate, cfg.Seed
	sc.Start = end.Add(-cfg.Duration)
	sc.Duration = cfg.Duration
	sc.Mix, sc.Scenarios = cfg.Mix, cfg.Scenarios
	if cfg.Warmup == 0 {
		return sc, nil
	}
	mixed, err := sim.New(sc, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return sc, fmt.Errorf("scheduling the default mix: %w", err)
	}
	sc.Mix, sc.Scenarios = "", nil
	for _, t := range mixed.Truth() {
		spec, err := pinnedSpec(t)
		if err != nil {
			return sc, err
		}
		sc.Scenarios = append(sc.Scenarios, spec)
	}
	sc.Start = sc.Start.Add(-cfg.Warmup)
	sc.Duration += cfg.Warmup
	return sc, nil
}

// pinnedSpec renders a scheduled scenario as a spec with its absolute start
// and every resolved parameter the scenario accepts.
func pinnedSpec(t sim.Truth) (string, error) {
	base := fmt.Sprintf("%s@%s/%s", t.Scenario, t.Start.UTC().Format(time.RFC3339), t.End.Sub(t.Start))
	if _, err := sim.ParseSpec(base); err != nil {
		return "", fmt.Errorf("pinning %s: %w", t.Scenario, err)
	}
	var kept []string
	for _, kv := range paramPairs(t.Params) {
		try := base + ":" + strings.Join(append(append([]string(nil), kept...), kv), ",")
		if _, err := sim.ParseSpec(try); err == nil {
			kept = append(kept, kv) // parameters a scenario does not take are outputs: skip them
		}
	}
	if len(kept) == 0 {
		return base, nil
	}
	return base + ":" + strings.Join(kept, ","), nil
}

// paramPairs lists the set parameters as key=value, keys from the JSON tags.
func paramPairs(p sim.Params) []string {
	var out []string
	v, t := reflect.ValueOf(p), reflect.TypeOf(p)
	for i := 0; i < t.NumField(); i++ {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		f := v.Field(i)
		if f.IsZero() {
			continue
		}
		var s string
		switch x := f.Interface().(type) {
		case string:
			s = x
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		case int:
			s = strconv.Itoa(x)
		case sim.Duration:
			s = time.Duration(x).String()
		default:
			continue
		}
		if s != "" && !strings.ContainsAny(s, ",=") {
			out = append(out, key+"="+s)
		}
	}
	return out
}
