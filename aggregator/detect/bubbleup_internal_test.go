package detect

import "testing"

// A value that carries most of the fleet cannot show a lift of 2; it
// confines a pattern when the errors outside it are far fewer than the
// fleet's, significantly so.
func TestBubbleUpOnAFewLargeValues(t *testing.T) {
	cfg := DefaultConfig()
	split := func(counts map[string]float64) dims {
		d := dims{}
		for v, n := range counts {
			d.add(dimCell, v, n)
		}
		return d
	}
	for _, tt := range []struct {
		name           string
		excess, ref    map[string]float64
		wantConfinedTo string
	}{
		{"a bad deploy on the larger of two cells", map[string]float64{"cell-0": 3806}, map[string]float64{"cell-0": 650, "cell-1": 350}, "cell-0"},
		{"a few errors leaking out of it", map[string]float64{"cell-0": 3700, "cell-1": 106}, map[string]float64{"cell-0": 650, "cell-1": 350}, "cell-0"},
		{"an outage spread like the traffic", map[string]float64{"cell-0": 2500, "cell-1": 1300}, map[string]float64{"cell-0": 650, "cell-1": 350}, ""},
		{"skewed, but not confined", map[string]float64{"cell-0": 3300, "cell-1": 500}, map[string]float64{"cell-0": 650, "cell-1": 350}, ""},
		{"too few errors to tell", map[string]float64{"cell-0": 12}, map[string]float64{"cell-0": 550, "cell-1": 450}, ""},
		{"a one-cell fleet", map[string]float64{"cell-0": 3806}, map[string]float64{"cell-0": 1000}, ""},
		{"a one-cell fleet with a stray error elsewhere", map[string]float64{"cell-0": 3806}, map[string]float64{"cell-0": 1000, "cell-1": 3}, ""},
		{"a small cell, by lift", map[string]float64{"cell-2": 400}, map[string]float64{"cell-0": 600, "cell-1": 300, "cell-2": 100}, "cell-2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			excess := split(tt.excess)
			_, over := bubbleUp(excess, excess.total(), split(tt.ref), &cfg)
			if got := over[dimCell].Value; got != tt.wantConfinedTo {
				t.Errorf("confined to %q, want %q (%+v)", got, tt.wantConfinedTo, over[dimCell])
			}
		})
	}
}
