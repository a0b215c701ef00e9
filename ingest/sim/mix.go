package sim

import "time"

// eventsPerJob is the mean number of events one job produces: queued,
// running and an outcome, plus a failed and a job_retry event per retry.
const eventsPerJob = 3.05

// activityRate converts the configured event rate into activities (a
// request, a job or a background error) per simulated second.
func (s *Simulator) activityRate() float64 {
	var perAct float64
	for i := range s.fleet.Tenants {
		t := &s.fleet.Tenants[i]
		job := 1 - t.reqShare - s.cfg.ErrorShare
		perAct += t.Share * (t.reqShare + s.cfg.ErrorShare + job*eventsPerJob)
	}
	return s.cfg.Rate / perAct
}

// mixOrder is the default mix: every scenario once, with its default
// duration, in an order and at times drawn from the seed.
var mixOrder = []string{
	"bad_deploy", "third_party_outage", "single_tenant_failure", "noisy_neighbour", "retry_storm",
	"poison_job", "stuck_jobs", "request_flood", "error_creep", "slow_tenant_endpoint",
}

// defaultMix spreads the scenarios over the run: each gets a slot of the
// run's middle 90% and starts at a random point of it. Durations shrink
// with short runs. Culprits are kept apart by the pickers (no tenant or
// cell is blamed twice while others are free).
func (s *Simulator) defaultMix(r *rng) ([]Spec, error) {
	span := s.end - s.start
	if s.end == 1<<63-1 {
		span = int64(24 * time.Hour)
	}
	order := append([]string(nil), mixOrder...)
	for i := len(order) - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		order[i], order[j] = order[j], order[i]
	}
	slot := span * 9 / 10 / int64(len(order))
	var specs []Spec
	for i, name := range order {
		dur := scenarioDefs[name].duration
		if name == "error_creep" { // it needs a long window; let it overlap
			dur = min(dur, time.Duration(span/3))
		} else {
			dur = min(dur, time.Duration(slot*2/3))
		}
		dur = max(dur, 2*time.Minute)
		room := max(slot-int64(dur), 0)
		if name == "error_creep" {
			room = 0
		}
		off := span/20 + int64(i)*slot + int64(r.Float64()*float64(room))
		if off+int64(dur) > span {
			off = max(span-int64(dur), 0)
		}
		specs = append(specs, Spec{Name: name, HasStart: true, Offset: time.Duration(off), Duration: dur})
	}
	return specs, nil
}
