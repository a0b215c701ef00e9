package sim

// effect is one scenario's change to how operations behave. Effects hang
// off the scope they apply to (a tenant, an integration, a host, a cell or
// a version) so the hot path finds them with an index, not a search.
type effect struct {
	sc   *scenario
	next *effect

	jobType     int // -1: any
	integration int // -1: any; the job's integration must match
	endpoint    int // -1: any

	failRate    float64
	tmpls       []*Template
	backoff     int64 // ns; 0: the default policy
	retryLimit  int   // 0: the job type's
	durFactor   float64
	timeoutMs   float64 // attempts longer than this fail with timeoutTmpl
	timeoutTmpl *Template
	stuckRate   float64
	reqErrRate  float64 // requests served under the effect fail with 500
	markOthers  bool    // every other tenant starting a job is affected (contention)
	sticky      bool    // a job it hits keeps it for every later attempt (a bad payload)
}

func (e *effect) matches(j *job) bool {
	if e.jobType >= 0 && int(j.jtype) != e.jobType {
		return false
	}
	if e.integration >= 0 && jobIntegration[j.jtype] != e.integration {
		return false
	}
	return e.endpoint < 0 || int(j.endpoint) == e.endpoint
}

func (e *effect) pick(r *rng) *Template {
	if len(e.tmpls) == 1 {
		return e.tmpls[0]
	}
	return e.tmpls[r.Intn(len(e.tmpls))]
}

// push adds e in front of a chain.
func push(head **effect, e *effect) {
	e.next = *head
	*head = e
}

// remove takes e out of a chain.
func remove(head **effect, e *effect) {
	for p := head; *p != nil; p = &(*p).next {
		if *p == e {
			*p = e.next
			return
		}
	}
}

// streamer adds a scenario's extra activity to a cell each tick.
type streamer interface {
	generate(c *cellGen, t0, t1 int64)
}
