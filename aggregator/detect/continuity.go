package detect

import (
	"slices"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// continueLocalized keeps an open localized pattern's key while its scope
// moves. A bad version rolling onto a cell's hosts is first concentrated on
// the one host that has it, a minute later on the cell and the version: one
// incident, whose finding should widen rather than be joined by a second.
// A candidate continues an open localized finding when that finding has its
// fingerprint, no infrastructure dimension names a different value in the
// two scopes, and they share an affected tenant. Every candidate with the
// candidate's key follows it, so the incident's other fingerprints stay in
// the same finding. A candidate whose own key is open stays as it is.
func continueLocalized(cs []candidate, open []finding.Finding) {
	isOpen := make(map[string]bool, len(open))
	for i := range open {
		isOpen[open[i].Key] = true
	}
	rekey := map[string]string{}
	for i := range cs {
		c := &cs[i].Finding
		if c.Kind != finding.Localized || isOpen[c.Key] {
			continue
		}
		for j := range open {
			o := &open[j]
			if o.Kind == finding.Localized && o.Scope.Fingerprint == c.Scope.Fingerprint &&
				scopesAgree(&o.Scope, &c.Scope) && sharesTenant(o.Scope.Tenants, c.Scope.Tenants) {
				if k, ok := rekey[c.Key]; !ok || o.Key < k {
					rekey[c.Key] = o.Key // several: the same choice on every replica
				}
			}
		}
	}
	for i := range cs {
		if k, ok := rekey[cs[i].Key]; ok {
			cs[i].Key = k
		}
	}
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
