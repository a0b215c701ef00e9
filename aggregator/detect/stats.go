package detect

import (
	"math"
	"sort"
)

// logRateTail is how surprising now events in the window are against base
// events in the baseline, where the window holds scale times the
// baseline's traffic: log P(X >= now) for X ~ Binomial(now+base,
// scale/(1+scale)), the conditional test of two Poisson counts. Unlike a
// Poisson tail around base*scale it allows for the baseline being an
// estimate: a baseline of a few minutes (a young warehouse) proves little.
func logRateTail(now, base, scale float64) float64 {
	return logBinomialTail(now+base, now, scale/(1+scale))
}

// logPoissonTail is log P(X >= k) for X ~ Poisson(lambda): how surprising
// k events are when lambda were expected. It is 0 when k <= lambda.
func logPoissonTail(k, lambda float64) float64 {
	if k <= lambda || k <= 0 {
		return 0
	}
	if lambda <= 0 {
		return math.Inf(-1)
	}
	logTerm := func(j float64) float64 {
		lg, _ := math.Lgamma(j + 1)
		return -lambda + j*math.Log(lambda) - lg
	}
	// Terms fall at least geometrically beyond k > lambda; sum in log space.
	first := logTerm(math.Floor(k))
	sum, term := 1.0, 1.0
	for j := math.Floor(k) + 1; j < math.Floor(k)+10000; j++ {
		term *= lambda / j
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return first + math.Log(sum)
}

// logBinomialTail is log P(X >= k) for X ~ Binomial(n, p).
func logBinomialTail(n, k, p float64) float64 {
	if k <= n*p || k <= 0 {
		return 0
	}
	if k > n {
		return math.Inf(-1)
	}
	logTerm := func(j float64) float64 {
		a, _ := math.Lgamma(n + 1)
		b, _ := math.Lgamma(j + 1)
		c, _ := math.Lgamma(n - j + 1)
		return a - b - c + j*math.Log(p) + (n-j)*math.Log1p(-p)
	}
	first := logTerm(k)
	sum := 1.0
	for j := k + 1; j <= n; j++ {
		d := logTerm(j) - first
		sum += math.Exp(d)
		if d < -40 {
			break
		}
	}
	return first + math.Log(sum)
}

// ratio is a/b with b floored at a small positive number.
func ratio(a, b float64) float64 { return a / math.Max(b, 1e-9) }

// median of xs (0 for none); xs is reordered.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// quantile of xs by nearest rank (0 for none); xs is reordered.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

// kendallTau is the rank correlation of xs with their order: -1 when every
// later value is smaller, 1 when every later value is larger.
func kendallTau(xs []float64) float64 {
	n := len(xs)
	if n < 2 {
		return 0
	}
	var s float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			switch {
			case xs[j] > xs[i]:
				s++
			case xs[j] < xs[i]:
				s--
			}
		}
	}
	return s / float64(n*(n-1)/2)
}
