package detect

import (
	"slices"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// An incident's scope can move while it lasts, and with it the key its
// candidates get: a bad version rolling onto a cell's hosts is first
// concentrated on the one host that has it, a minute later on the cell and
// the version; a noisy neighbour is found on its cell one minute and only
// on one of the cell's shards the next. Such a candidate continues the open
// finding of the same incident: it takes that finding's key, so the finding
// widens or narrows instead of being joined by a second one. A candidate
// whose own key is open stays as it is.

// continuations says, per kind, when an open finding and a candidate of that
// kind are one incident.
var continuations = map[finding.Kind]func(open, c *finding.Finding) bool{
	// The same fingerprint, no cell, version or host named differently,
	// and an affected tenant in common.
	finding.Localized: func(o, c *finding.Finding) bool {
		return o.Scope.Fingerprint == c.Scope.Fingerprint && scopesAgree(&o.Scope, &c.Scope) &&
			sharesTenant(o.Scope.Tenants, c.Scope.Tenants)
	},
	// The same aggressor on the same cell, whichever of its resources.
	finding.NoisyNeighbour: func(o, c *finding.Finding) bool {
		return o.Scope.CulpritTenant == c.Scope.CulpritTenant && o.Scope.Cell == c.Scope.Cell
	},
}

// continueOpen re-keys the candidates that continue an open finding. Every
// candidate with a re-keyed candidate's key follows it, so an incident's
// other fingerprints stay in the same finding.
func continueOpen(cs []candidate, open []finding.Finding) {
	isOpen := make(map[string]bool, len(open))
	for i := range open {
		isOpen[open[i].Key] = true
	}
	rekey := map[string]*finding.Finding{}
	for i := range cs {
		c := &cs[i]
		if isOpen[c.Key] {
			continue
		}
		for j := range open {
			o := &open[j]
			if !continues(o, c) {
				continue
			}
			if k, ok := rekey[c.Key]; !ok || o.Key < k.Key {
				rekey[c.Key] = o // several: the same choice on every replica
			}
		}
	}
	for i := range cs {
		if o, ok := rekey[cs[i].Key]; ok {
			cs[i].Key, cs[i].Kind = o.Key, o.Kind
			if o.Kind == finding.SystemWide && cs[i].Scope.Integration == "" {
				// The key names the integration; so must the finding.
				cs[i].Scope.Integration = o.Scope.Integration
			}
		}
	}
}

// continues reports whether candidate c is the incident of open finding o.
// Besides the same kind's rule, a pattern continues an open system-wide
// finding with an affected tenant in common when it is the same error, or
// another error of the integration the finding names, found concentrated
// on some infrastructure (a third-party outage whose callers mostly run one
// version is still the outage, not that version's failure) or spread over
// tenants naming no integration: once an outage fills the window, its
// integration no longer stands out from the other errors.
func continues(o *finding.Finding, c *candidate) bool {
	if o.Kind == finding.SystemWide && sharesTenant(o.Scope.Tenants, c.Scope.Tenants) {
		ofIntegration := o.Scope.Integration != "" && c.integration == o.Scope.Integration
		switch c.Kind {
		case finding.Localized:
			return o.Scope.Fingerprint == c.Scope.Fingerprint || ofIntegration
		case finding.SystemWide:
			if c.Scope.Integration == "" && ofIntegration {
				return true
			}
		}
	}
	same, ok := continuations[c.Kind]
	return ok && o.Kind == c.Kind && same(o, &c.Finding)
}

// scopesAgree reports whether no infrastructure dimension is named in both
// scopes with different values.
func scopesAgree(a, b *finding.Scope) bool {
	for _, p := range [][2]string{{a.Cell, b.Cell}, {a.Version, b.Version}, {a.Host, b.Host}} {
		if p[0] != "" && p[1] != "" && p[0] != p[1] {
			return false
		}
	}
	return true
}

func sharesTenant(a, b []string) bool {
	for _, t := range a {
		if slices.Contains(b, t) {
			return true
		}
	}
	return false
}

// keepAggressorJobType has a noisy neighbour's candidate keep the job type
// its open finding named. The job type is the aggressor's one whose run
// time grew most against the baseline; once the incident fills the
// baseline, that growth is the other job types' noise.
func keepAggressorJobType(cs []candidate, open []finding.Finding) {
	named := map[string]string{}
	for i := range open {
		if open[i].Kind == finding.NoisyNeighbour && open[i].Scope.JobType != "" {
			named[open[i].Key] = open[i].Scope.JobType
		}
	}
	for i := range cs {
		if jt, ok := named[cs[i].Key]; ok && cs[i].Kind == finding.NoisyNeighbour {
			cs[i].Scope.JobType = jt
		}
	}
}
