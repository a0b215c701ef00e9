package detect

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/queries"
)

// Attribution dimensions of errors_1m.
const (
	dimTenant      = "tenant"
	dimCell        = "cell"
	dimVersion     = "version"
	dimHost        = "host"
	dimService     = "service"
	dimJobType     = "job_type"
	dimIntegration = "integration"
)

// infraDims are the dimensions that make a failure "localized".
var infraDims = []string{dimCell, dimVersion, dimHost}

// dims counts errors by dimension and value.
type dims map[string]map[string]float64

func (d dims) add(dim, value string, n float64) {
	m := d[dim]
	if m == nil {
		m = map[string]float64{}
		d[dim] = m
	}
	m[value] += n
}

// total is the number of errors counted (the same over every dimension).
func (d dims) total() float64 {
	var best float64
	for _, m := range d {
		var s float64
		for _, n := range m {
			s += n
		}
		best = max(best, s)
	}
	return best
}

// ranked lists a dimension's values by errors, most first.
func (d dims) ranked(dim string) []string {
	var vs []string
	for v := range d[dim] {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool {
		a, b := d[dim][vs[i]], d[dim][vs[j]]
		return a > b || (a == b && vs[i] < vs[j])
	})
	return vs
}

// attribution is one dimension's value holding most of a pattern's
// excess (errors above what its baseline predicts): the share of the
// excess it holds (coverage) and how many times more that is than its share
// of all other errors in the window (lift, the traffic it would get by
// chance).
type attribution struct {
	Value    string
	Coverage float64
	Lift     float64
	Excess   float64
}

// pattern is a fingerprint's errors by dimension, now and in the baseline.
type pattern struct {
	now, base dims
}

// excess returns, per dimension and value, the errors in the window above
// the baseline's scaled to the window (negative where a value fell), and
// the pattern's whole excess. Coverage is measured against the whole
// excess, so the noise of many small values cancels instead of adding up.
func (p pattern) excess(scale float64) (dims, float64) {
	out := dims{}
	for dim, m := range p.now {
		for v, n := range m {
			out.add(dim, v, n-p.base[dim][v]*scale)
		}
		for v, n := range p.base[dim] {
			if _, seen := m[v]; !seen {
				out.add(dim, v, -n*scale)
			}
		}
	}
	return out, p.now.total() - p.base.total()*scale
}

// bubbleUp compares where a pattern's excess errors are with where all
// other errors are, on every dimension, and returns per dimension the
// non-empty value holding most of the excess, and the subset that is
// over-represented: holding at least the coverage share of the excess and
// either the minimum lift over its (Laplace-smoothed) share of the
// reference, or, on an infrastructure dimension, confining the pattern
// (confines).
func bubbleUp(excess dims, total float64, reference dims, cfg *Config) (all, over map[string]attribution) {
	fc := &cfg.Failures
	all, over = map[string]attribution{}, map[string]attribution{}
	refTotal := reference.total()
	if total <= 0 {
		return all, over
	}
	for dim := range excess {
		for _, v := range excess.ranked(dim) {
			if v == "" {
				continue
			}
			n := excess[dim][v]
			if n <= 0 {
				break
			}
			refShare := (reference[dim][v] + 1) / (refTotal + float64(len(reference[dim])) + 1)
			cov := math.Min(n/total, 1)
			a := attribution{Value: v, Coverage: cov, Lift: cov / refShare, Excess: n}
			all[dim] = a
			lifted := a.Lift >= fc.MinLift ||
				slices.Contains(infraDims, dim) && confines(n, total, refShare, refTotal-reference[dim][v], cfg)
			if a.Coverage >= fc.Coverage && lifted {
				over[dim] = a
			}
			break
		}
	}
	return all, over
}

// confines reports whether a value holding n of a pattern's total excess,
// and refShare of the other errors, confines the pattern although it
// cannot show the minimum lift: one of two cells carries most of the fleet,
// a new version has been rolled out to most hosts. There the errors
// outside it tell: their share must be under the reference's by the square
// of the minimum lift, significantly so (binomial tail at MaxLogP), with
// enough reference errors elsewhere to know that the rest of the fleet
// reports errors at all (a one-cell fleet confines nothing).
func confines(n, total, refShare, refOutside float64, cfg *Config) bool {
	fc := &cfg.Failures
	outside := math.Max(total-n, 0) / total
	return refOutside >= float64(fc.MinErrors) &&
		outside*fc.MinLift*fc.MinLift <= 1-refShare &&
		logBinomialTail(math.Round(total), math.Round(math.Min(n, total)), refShare) <= cfg.MaxLogP
}

type dimRow struct {
	Fingerprint uint64 `ch:"fingerprint"`
	Dim         string `ch:"dim"`
	Value       string `ch:"value"`
	ErrorsNow   uint64 `ch:"errors_now"`
	ErrorsBase  uint64 `ch:"errors_base"`
}

type refRow struct {
	Dim    string `ch:"dim"`
	Value  string `ch:"value"`
	Errors uint64 `ch:"errors"`
}

// patternDims reads the dimensions of each fingerprint in the window
// [windowFrom, now) and the baseline [baseFrom, windowFrom), and the
// reference (every other fingerprint) in the window.
func patternDims(ctx context.Context, q Querier, fps []uint64, baseFrom, windowFrom, now time.Time) (map[uint64]pattern, dims, error) {
	args := []queries.Arg{queries.Named("fingerprints", fps), queries.Named("base_from", baseFrom),
		queries.Named("window_from", windowFrom), queries.Named("now", now)}
	byFP := map[uint64]pattern{}
	err := each(ctx, q, "detect_fingerprint_dimensions", args, func(r *dimRow) {
		p, ok := byFP[r.Fingerprint]
		if !ok {
			p = pattern{now: dims{}, base: dims{}}
			byFP[r.Fingerprint] = p
		}
		p.now.add(r.Dim, r.Value, float64(r.ErrorsNow))
		p.base.add(r.Dim, r.Value, float64(r.ErrorsBase))
	})
	if err != nil {
		return nil, nil, err
	}
	ref := dims{}
	refArgs := []queries.Arg{queries.Named("fingerprints", fps), queries.Named("from", windowFrom), queries.Named("now", now)}
	err = each(ctx, q, "detect_error_reference", refArgs, func(r *refRow) { ref.add(r.Dim, r.Value, float64(r.Errors)) })
	return byFP, ref, err
}

// describe renders over-represented dimensions for a summary.
func describe(over map[string]attribution, order ...string) string {
	var parts []string
	for _, d := range order {
		if a, ok := over[d]; ok {
			parts = append(parts, fmt.Sprintf("%s=%s (%.0f%%, lift %.1f)", d, a.Value, 100*a.Coverage, a.Lift))
		}
	}
	return strings.Join(parts, ", ")
}
