package fingerprint

import (
	"regexp"
	"strings"
	"sync"
)

// Limits that keep Aliases bounded on a stream of unbounded variety. Past
// them it stops learning: past maxAliasIDs ids it has not seen resolve to
// themselves, and past maxAliasRoots new templates are matched against the
// roots it has but cannot become roots themselves. Each new template costs
// one match per root, so the root limit also bounds the work per line.
const (
	maxAliasIDs   = 1 << 20
	maxAliasRoots = 1024
)

// Aliases merges, online, fingerprints whose templates are instances of a
// more general template seen in the same stream: once "session opened for
// user <*>" has been seen, "session opened for user root" (a name that no
// stateless rule can tell from a word) resolves to the general template's
// id, and so do the ids of specific templates seen before it, from then on.
//
// It is the one stateful part of fingerprinting and is kept apart from
// Fingerprint on purpose: its answer depends on what arrived before, so two
// replicas or two runs over the same messages in another order can disagree.
// Ingest stores the stateless id; Aliases is for one consumer reading one
// stream (the CLI, a grouping view), which may store the alias beside it.
//
// A template A subsumes B when B is A with each "<*>" replaced by one token
// or by several tokens that each contain "<*>" (a list that was collapsed in
// A but not in B), and a several-token replacement is either the same token
// repeated or free of letters, so "<*>" never swallows words of a different
// event ("<*> [preauth]" is not an instance of "<*>"). A must keep at least
// one literal word. The most general matching template wins.
//
// Safe for concurrent use.
type Aliases struct {
	mu    sync.Mutex
	nodes map[uint64]*aliasNode // every id seen
	roots []aliasRoot           // roots that may still subsume or be subsumed
}

// aliasNode is one id seen; merged points to the node it joined, nil while
// it is a root itself.
type aliasNode struct {
	id       uint64
	template string
	merged   *aliasNode
}

type aliasRoot struct {
	node    *aliasNode
	literal int            // bytes outside wildcards: smaller is more general
	parts   []string       // literal text between wildcards; nil: the template cannot subsume others
	re      *regexp.Regexp // compiled from parts on the first candidate
}

// NewAliases returns an empty Aliases.
func NewAliases() *Aliases {
	return &Aliases{nodes: map[uint64]*aliasNode{}}
}

// Resolve returns the id and template that the message with fingerprint id
// and template groups under: its own, or those of a more general template.
// The returned id is always ID of the returned template.
func (a *Aliases) Resolve(id uint64, template string) (uint64, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n, ok := a.nodes[id]; ok {
		root := n.root()
		return root.id, root.template
	}
	if len(a.nodes) >= maxAliasIDs {
		return id, template
	}
	if g := a.mostGeneral(template); g >= 0 {
		root := a.roots[g].node
		a.nodes[id] = &aliasNode{id: id, template: template, merged: root}
		return root.id, root.template
	}
	n := &aliasNode{id: id, template: template}
	a.nodes[id] = n
	r := newAliasRoot(n)
	if r.parts != nil {
		a.adopt(&r)
	}
	if len(a.roots) < maxAliasRoots {
		a.roots = append(a.roots, r)
	}
	return id, template
}

// root follows merges to the root, shortening the path on the way.
func (n *aliasNode) root() *aliasNode {
	root := n
	for root.merged != nil {
		root = root.merged
	}
	for n != root {
		next := n.merged
		n.merged = root
		n = next
	}
	return root
}

// mostGeneral returns the index of the most general root that subsumes
// template, or -1.
func (a *Aliases) mostGeneral(template string) int {
	best := -1
	for i := range a.roots {
		r := &a.roots[i]
		if r.parts == nil || r.node.template == template {
			continue
		}
		if best >= 0 && !r.moreGeneral(&a.roots[best]) {
			continue
		}
		if r.subsumes(template) {
			best = i
		}
	}
	return best
}

// adopt merges the roots that the new root r subsumes into it.
func (a *Aliases) adopt(r *aliasRoot) {
	kept := a.roots[:0]
	for _, old := range a.roots {
		if r.moreGeneral(&old) && r.subsumes(old.node.template) {
			old.node.merged = r.node
			continue
		}
		kept = append(kept, old)
	}
	a.roots = kept
}

func newAliasRoot(n *aliasNode) aliasRoot {
	template := n.template
	r := aliasRoot{node: n, literal: len(template) - len(Wildcard)*strings.Count(template, Wildcard)}
	if !strings.Contains(template, Wildcard) || !hasLiteralWord(template) {
		return r
	}
	r.parts = strings.Split(template, Wildcard)
	return r
}

// aliasSlot is what one wildcard may stand for: one token, or several
// space-separated tokens that each hold a wildcard.
const aliasSlot = `([^ ]+|[^ ]*<\*>[^ ]*(?: [^ ]*<\*>[^ ]*)+)`

func (r *aliasRoot) moreGeneral(o *aliasRoot) bool {
	return r.literal < o.literal || r.literal == o.literal && r.node.template < o.node.template
}

func (r *aliasRoot) subsumes(template string) bool {
	if r.parts == nil || !r.mayMatch(template) {
		return false
	}
	if r.re == nil {
		quoted := make([]string, len(r.parts))
		for i, p := range r.parts {
			quoted[i] = regexp.QuoteMeta(p)
		}
		r.re = regexp.MustCompile("^" + strings.Join(quoted, aliasSlot) + "$")
	}
	m := r.re.FindStringSubmatch(template)
	if m == nil {
		return false
	}
	for _, slot := range m[1:] {
		if !listLike(slot) {
			return false
		}
	}
	return true
}

// mayMatch is a cheap necessary condition for subsumes, which rules out
// almost every pair before the regular expression runs: the template starts
// and ends with the root's literal text and holds its other literal parts
// in order.
func (r *aliasRoot) mayMatch(template string) bool {
	first, last := r.parts[0], r.parts[len(r.parts)-1]
	if len(template) < len(first)+len(last) || !strings.HasPrefix(template, first) || !strings.HasSuffix(template, last) {
		return false
	}
	rest := template[len(first) : len(template)-len(last)]
	for _, p := range r.parts[1 : len(r.parts)-1] {
		k := strings.Index(rest, p)
		if k < 0 {
			return false
		}
		rest = rest[k+len(p):]
	}
	return true
}

// listLike reports whether a several-token slot is one repeated token or
// free of letters: a list of values, not other words of the event.
func listLike(slot string) bool {
	if !strings.Contains(slot, " ") {
		return true
	}
	same, letters := true, false
	first, _, _ := strings.Cut(slot, " ")
	for _, tok := range strings.Split(slot, " ") {
		same = same && tok == first
		letters = letters || strings.ContainsFunc(tok, func(c rune) bool {
			return c == '=' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		})
	}
	return same || !letters
}

// hasLiteralWord reports a token with a letter and no wildcard: a template
// of wildcards and punctuation only must not absorb other events.
func hasLiteralWord(template string) bool {
	for _, tok := range strings.Split(template, " ") {
		if strings.Contains(tok, Wildcard) {
			continue
		}
		if strings.ContainsFunc(tok, func(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }) {
			return true
		}
	}
	return false
}
