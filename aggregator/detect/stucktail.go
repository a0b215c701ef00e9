package detect

import "github.com/opswarehouse/opswarehouse/queries"

// startedAttempts is one host's attempts of one job type started in the
// stuck detector's range.
type startedAttempts struct {
	Cell    string `ch:"cell"`
	Host    string `ch:"host"`
	JobType string `ch:"job_type"`
	Started int64  `ch:"started"`
}

// tailReference is, per job type, how many attempts started and how many of
// them are still running past the stuck thresholds, in all and per cell.
type tailReference struct {
	started, open         map[string]float64
	cellStarted, cellOpen map[[2]string]float64
	hostStarted           map[string]map[string]float64 // host -> job type -> started
}

// readTailReference counts the started attempts of every host and job type
// and takes the hosts' attempts past the thresholds from hosts.
func readTailReference(e *env, args []queries.Arg, hosts map[string]*stuckHost) (*tailReference, error) {
	ref := &tailReference{started: map[string]float64{}, open: map[string]float64{},
		cellStarted: map[[2]string]float64{}, cellOpen: map[[2]string]float64{}, hostStarted: map[string]map[string]float64{}}
	err := each(e.ctx, e.q, "detect_started_attempts", args, func(r *startedAttempts) {
		n := float64(r.Started)
		ref.started[r.JobType] += n
		ref.cellStarted[[2]string{r.Cell, r.JobType}] += n
		if ref.hostStarted[r.Host] == nil {
			ref.hostStarted[r.Host] = map[string]float64{}
		}
		ref.hostStarted[r.Host][r.JobType] += n
	})
	if err != nil {
		return nil, err
	}
	for _, h := range hosts {
		for jt, n := range h.jobTypes {
			ref.open[jt] += n
			ref.cellOpen[[2]string{h.cell, jt}] += n
		}
	}
	return ref, nil
}

// tailLogP is how unlikely the host's attempts still running past the
// thresholds are were the host as healthy as the other cells' hosts (or, on
// a fleet of one cell, the cell's other hosts): per job type, its started
// attempts times the share of the reference's attempts of that type still
// running, with half an attempt of prior, as a Poisson mean. A job type
// with a heavy tail (exports running for an hour now and then) leaves
// attempts running on healthy hosts too, so a host needs many more of them
// to be stuck; one whose attempts always end alarms at a few. The least
// likely of the job types and of their total counts: a hung host stops
// finishing everything, a hung queue one job type.
func (ref *tailReference) tailLogP(h *stuckHost) float64 {
	var observed, expected float64
	least := 0.0
	for jt, n := range ref.hostStarted[h.host] {
		cellKey := [2]string{h.cell, jt}
		refStarted, refOpen := ref.started[jt]-ref.cellStarted[cellKey], ref.open[jt]-ref.cellOpen[cellKey]
		if refStarted <= 0 {
			refStarted, refOpen = ref.cellStarted[cellKey]-n, ref.cellOpen[cellKey]-h.jobTypes[jt]
		}
		mean := (max(refOpen, 0) + 0.5) / (max(refStarted, 0) + 1) * n
		least = min(least, logPoissonTail(h.jobTypes[jt], mean))
		observed, expected = observed+h.jobTypes[jt], expected+mean
	}
	return min(least, logPoissonTail(observed, expected))
}
