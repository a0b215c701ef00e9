package sim

import (
	"math"
	"strconv"
	"testing"
)

func TestFastExp(t *testing.T) {
	for x := -30.0; x <= 30; x += 0.0137 {
		got, want := fastExp(x), math.Exp(x)
		if math.Abs(got-want)/want > 1e-7 {
			t.Fatalf("fastExp(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestCounterMatchesFormatUint(t *testing.T) {
	var c counter
	for n := uint64(1); n < 100000; n++ {
		if got := string(c.next()); got != strconv.FormatUint(n, 36) {
			t.Fatalf("counter at %d = %s", n, got)
		}
	}
}

func TestAliasSamplesItsWeights(t *testing.T) {
	w := []float64{1, 0, 3, 6}
	a := newAlias(w)
	r := newRNG(1, 1)
	counts := make([]int, len(w))
	const n = 200000
	for i := 0; i < n; i++ {
		counts[a.Sample(r)]++
	}
	for i, wi := range w {
		if got, want := float64(counts[i])/n, wi/10; math.Abs(got-want) > 0.01 {
			t.Errorf("item %d drawn %.3f of the time, want %.3f", i, got, want)
		}
	}
}
