package detect

import (
	"slices"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// foldNeighboursIntoStorms drops a noisy neighbour whose aggressor is in a
// retry storm on the same cell: the storm's retries are what crowds the
// shared queue, so it is one incident with one remedy (the tenant stops
// retrying), not two. The storm's finding takes over the victims, so it
// still names both sides. A neighbour whose hogging comes from another job
// type than the storm's is a second incident and stays, and so does one
// whose storm's finding is open but was last seen before the window
// (since): those retries are over, and cannot crowd the queue now.
func foldNeighboursIntoStorms(cs []candidate, open []finding.Finding, since time.Time) []candidate {
	type storm struct {
		cand  int // index of this tick's storm, or -1 for an open one
		scope *finding.Scope
	}
	storms := map[string]storm{} // by tenant
	for i := range open {
		if open[i].Kind == finding.RetryStorm && !open[i].LastSeen.Before(since) {
			storms[open[i].Scope.CulpritTenant] = storm{-1, &open[i].Scope}
		}
	}
	for i := range cs {
		if cs[i].Kind == finding.RetryStorm {
			storms[cs[i].Scope.CulpritTenant] = storm{i, &cs[i].Scope}
		}
	}
	if len(storms) == 0 {
		return cs
	}
	stormOf := func(nn *finding.Finding) (int, bool) {
		st, ok := storms[nn.Scope.CulpritTenant]
		return st.cand, ok && agree(st.scope.Cell, nn.Scope.Cell) && agree(st.scope.JobType, nn.Scope.JobType)
	}
	folded := make([]bool, len(cs))
	for i := range cs {
		nn := &cs[i].Finding
		if nn.Kind != finding.NoisyNeighbour {
			continue
		}
		s, ok := stormOf(nn)
		if !ok {
			continue
		}
		folded[i] = true
		if s >= 0 {
			absorbVictims(&cs[s].Finding, nn)
		}
	}
	out := cs[:0]
	for i, c := range cs {
		if !folded[i] {
			out = append(out, c)
		}
	}
	return out
}

// agree reports whether two scope values do not contradict each other.
func agree(a, b string) bool { return a == "" || b == "" || a == b }

// absorbVictims adds a noisy neighbour's victims to the storm that caused
// it, and the magnitudes of the first such neighbour (the cell, shard and
// queue of one storm tell the same story).
func absorbVictims(storm, nn *finding.Finding) {
	for _, t := range nn.Scope.Tenants {
		if !slices.Contains(storm.Scope.Tenants, t) {
			storm.Scope.Tenants = append(storm.Scope.Tenants, t)
		}
	}
	if slices.ContainsFunc(storm.Evidence, func(ev finding.Evidence) bool { return ev.Name == "neighbour_victims" }) {
		return
	}
	for _, ev := range nn.Evidence {
		switch ev.Name {
		case "victims", "victim_degradation_median", "aggressor_share":
			storm.Evidence = append(storm.Evidence, finding.Evidence{Name: "neighbour_" + ev.Name, Value: ev.Value})
		}
	}
	storm.Summary += "; its retries crowd its neighbours: " + nn.Summary
}
