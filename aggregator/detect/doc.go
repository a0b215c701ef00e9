// Package detect holds the aggregator's detectors. Each is a function of
// the data and an evaluation time: it reads rollups (and raw events only
// where it must) through named queries of the query library, all bounded by
// [now - history, now), so the same code runs live and over backfilled data
// in evaluation. Detectors return candidate findings; Evaluate correlates
// them (one incident, one finding) and returns the tick's findings.
package detect
