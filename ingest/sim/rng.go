package sim

import (
	"math"
	"math/rand/v2"
)

// rng is the simulator's PRNG: a PCG stream with the few draws the hot path
// needs. Every cell owns one, seeded from (seed, cell), so a scenario on one
// cell never shifts another cell's stream.
type rng struct {
	pcg  rand.PCG
	rand *rand.Rand // for NormFloat64 (ziggurat); shares pcg
}

func newRNG(seed uint64, stream uint64) *rng {
	r := &rng{}
	r.pcg.Seed(seed, stream*0x9E3779B97F4A7C15+0x632BE59BD9B4E019)
	r.rand = rand.New(&r.pcg)
	return r
}

func (r *rng) Uint64() uint64 { return r.pcg.Uint64() }

// Float64 returns a uniform value in [0, 1).
func (r *rng) Float64() float64 { return float64(r.pcg.Uint64()>>11) * (1.0 / (1 << 53)) }

// Intn returns a value in [0, n) using Lemire's multiply-shift (bias < 2^-32
// for the small n we use).
func (r *rng) Intn(n int) int {
	hi, _ := mul64(r.pcg.Uint64()>>32, uint64(n))
	return int(hi)
}

func mul64(x, n uint64) (uint64, uint64) {
	p := x * n
	return p >> 32, p & 0xffffffff
}

// Between returns a value in [lo, hi].
func (r *rng) Between(lo, hi int) int { return lo + r.Intn(hi-lo+1) }

func (r *rng) Norm() float64 { return r.rand.NormFloat64() }

// LogNormal draws from a log-normal distribution given its median and the
// sigma of the underlying normal.
func (r *rng) LogNormal(median, sigma float64) float64 {
	return median * fastExp(sigma*r.rand.NormFloat64())
}

// fastExp is exp(x) to about 1e-7 relative error for |x| < 700: 2^(x·log2 e)
// split into an exponent and a polynomial for the fraction. The hot path
// draws one or two log-normals per event; math.Exp was its biggest cost.
func fastExp(x float64) float64 {
	if x > 700 || x < -700 || x != x {
		return math.Exp(x)
	}
	t := x * math.Log2E
	n := math.Floor(t)
	f := (t - n) * math.Ln2 // in [0, ln 2)
	// Taylor series of e^f to degree 8: error < 2e-8 on [0, ln 2).
	p := 1 + f*(1+f*(1.0/2+f*(1.0/6+f*(1.0/24+f*(1.0/120+f*(1.0/720+f*(1.0/5040+f*(1.0/40320))))))))
	return p * math.Float64frombits(uint64(int64(n)+1023)<<52) // 2^n, normal for |n| < 1010
}

// Exp draws an exponential variate with the given mean.
func (r *rng) Exp(mean float64) float64 { return mean * r.rand.ExpFloat64() }

// Poisson draws a Poisson count: exact (Knuth) for small means, a rounded
// normal approximation above.
func (r *rng) Poisson(mean float64) int {
	switch {
	case mean <= 0:
		return 0
	case mean < 30:
		l := math.Exp(-mean)
		k, p := 0, r.Float64()
		for p > l {
			k++
			p *= r.Float64()
		}
		return k
	default:
		n := math.Round(mean + math.Sqrt(mean)*r.rand.NormFloat64())
		if n < 0 {
			return 0
		}
		return int(n)
	}
}

// Chance reports true with probability p.
func (r *rng) Chance(p float64) bool { return p > 0 && r.Float64() < p }

// alias is Vose's alias table: O(1) sampling from a fixed discrete
// distribution, the hot path's replacement for cumulative scans and maps.
type alias struct {
	prob  []uint32 // threshold scaled to 2^32
	other []int32
}

func newAlias(weights []float64) alias {
	n := len(weights)
	a := alias{prob: make([]uint32, n), other: make([]int32, n)}
	if n == 0 {
		return a
	}
	var sum float64
	for _, w := range weights {
		sum += w
	}
	scaled := make([]float64, n)
	small := make([]int, 0, n)
	large := make([]int, 0, n)
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if sum == 0 {
			scaled[i] = 1
		}
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s] = uint32(scaled[s] * (1 << 32))
		a.other[s] = int32(l)
		scaled[l] = scaled[l] + scaled[s] - 1
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) {
		a.prob[i] = math.MaxUint32
		a.other[i] = int32(i)
	}
	return a
}

func (a *alias) Len() int { return len(a.prob) }

func (a *alias) Sample(r *rng) int {
	u := r.pcg.Uint64()
	i := int((u >> 32) * uint64(len(a.prob)) >> 32)
	if uint32(u) < a.prob[i] {
		return i
	}
	return int(a.other[i])
}
