package detect

import (
	"math"
	"testing"
)

func TestLogPoissonTail(t *testing.T) {
	tests := []struct {
		k, lambda, want float64
	}{
		{10, 2, math.Log(4.6498e-5)},
		{2, 1, math.Log(0.26424)},
		{100, 50, -21.8627},
		{3, 5, 0},
	}
	for _, tt := range tests {
		if got := logPoissonTail(tt.k, tt.lambda); math.Abs(got-tt.want) > 0.01*math.Max(1, math.Abs(tt.want)) {
			t.Errorf("logPoissonTail(%v, %v) = %v, want %v", tt.k, tt.lambda, got, tt.want)
		}
	}
	if got := logPoissonTail(5, 0); !math.IsInf(got, -1) {
		t.Errorf("events where none are possible: %v, want -Inf", got)
	}
}

func TestLogBinomialTail(t *testing.T) {
	tests := []struct {
		n, k, p, want float64
	}{
		{5, 5, 0.1, math.Log(1e-5)},
		{10, 5, 0.1, math.Log(0.0016349)},
		{10, 1, 0.1, 0},
	}
	for _, tt := range tests {
		if got := logBinomialTail(tt.n, tt.k, tt.p); math.Abs(got-tt.want) > 0.01*math.Max(1, math.Abs(tt.want)) {
			t.Errorf("logBinomialTail(%v, %v, %v) = %v, want %v", tt.n, tt.k, tt.p, got, tt.want)
		}
	}
}

func TestKendallTau(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		{[]float64{36, 25, 17, 12}, -1},
		{[]float64{1, 2, 3}, 1},
		{[]float64{5, 5, 5}, 0},
		{[]float64{10, 12, 8, 6}, -2.0 / 3},
	}
	for _, tt := range tests {
		if got := kendallTau(tt.xs); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("kendallTau(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}

func TestSlowerShare(t *testing.T) {
	qs := []float32{100, 500, 900} // p10, p50, p90
	for _, tt := range []struct{ t, want float64 }{
		{50, 0.9}, {100, 0.9}, {300, 0.7}, {500, 0}, {800, 0},
	} {
		if got := slowerShare(qs, tt.t); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("slowerShare(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
}

func TestLogRateTail(t *testing.T) {
	// A short baseline proves less than a long one with the same
	// expected count; with a long baseline it nears the Poisson tail.
	short, long := logRateTail(16, 4, 0.6), logRateTail(16, 56, 0.05)
	if !(short > long) {
		t.Errorf("short baseline %.1f should be less surprising than long %.1f", short, long)
	}
	if p := logPoissonTail(16, 56*0.05); math.Abs(long-p) > 0.15*math.Abs(p) {
		t.Errorf("long baseline %.1f far from the Poisson tail %.1f", long, p)
	}
	if short <= -13.8 {
		t.Errorf("16 errors against 4 in a 5-minute baseline is significant: %.1f", short)
	}
}
