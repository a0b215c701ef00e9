package fingerprint

import (
	"fmt"
	"sync"
	"testing"
)

func TestAliasesResolve(t *testing.T) {
	tests := []struct {
		name      string
		templates []string // fed in order
		want      []string // template each one resolves to
	}{
		{
			"specific after general joins it",
			[]string{"session opened for user <*>", "session opened for user root"},
			[]string{"session opened for user <*>", "session opened for user <*>"},
		},
		{
			"specific before general joins it from then on",
			[]string{"session opened for user root", "session opened for user <*>", "session opened for user root"},
			[]string{"session opened for user root", "session opened for user <*>", "session opened for user <*>"},
		},
		{
			"collapsed list subsumes a list of wildcards",
			[]string{"blocks <*> deleted", "blocks <*> <*>, <*> deleted"},
			[]string{"blocks <*> deleted", "blocks <*> deleted"},
		},
		{
			"one slot never takes several words",
			[]string{"Connection closed by <*>", "Connection closed by <*> [preauth]"},
			[]string{"Connection closed by <*>", "Connection closed by <*> [preauth]"},
		},
		{
			"a several-token slot must be a list, not other words",
			[]string{"failed: <*>", "failed: <*> at <*>"},
			[]string{"failed: <*>", "failed: <*> at <*>"},
		},
		{
			"repeated token is a list",
			[]string{"state <*> done", "state <*>:ok <*>:ok done"},
			[]string{"state <*> done", "state <*> done"},
		},
		{
			"a template without a literal word absorbs nothing",
			[]string{"<*> <*>", "<*> hello"},
			[]string{"<*> <*>", "<*> hello"},
		},
		{
			"the same choice whatever the order of equally general roots",
			[]string{"copy file to <*>: failed", "copy <*> to disk: failed", "copy file to disk: failed"},
			[]string{"copy file to <*>: failed", "copy <*> to disk: failed", "copy <*> to disk: failed"},
		},
		{
			"a general root adopts the roots it subsumes",
			[]string{"copy file to <*>: failed", "copy <*> to disk: failed", "copy <*> to <*>: failed", "copy file to disk: failed"},
			[]string{"copy file to <*>: failed", "copy <*> to disk: failed", "copy <*> to <*>: failed", "copy <*> to <*>: failed"},
		},
		{
			"unrelated templates stay apart",
			[]string{"took <*>", "started <*>"},
			[]string{"took <*>", "started <*>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAliases()
			for i, tmpl := range tt.templates {
				id, got := a.Resolve(ID(tmpl), tmpl)
				if got != tt.want[i] {
					t.Errorf("Resolve(%q) = %q, want %q", tmpl, got, tt.want[i])
				}
				if id != ID(got) {
					t.Errorf("Resolve(%q) id %d != ID(%q)", tmpl, id, got)
				}
			}
		})
	}
}

func TestAliasesBounded(t *testing.T) {
	a := NewAliases()
	for i := 0; i < 2*maxAliasRoots; i++ {
		tmpl := fmt.Sprintf("event%d <*>", i)
		if _, got := a.Resolve(ID(tmpl), tmpl); got != tmpl {
			t.Fatalf("Resolve(%q) = %q", tmpl, got)
		}
	}
	if len(a.roots) > maxAliasRoots {
		t.Errorf("%d roots kept, limit %d", len(a.roots), maxAliasRoots)
	}
}

func TestAliasesConcurrentUse(t *testing.T) {
	a := NewAliases()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				tmpl := fmt.Sprintf("worker <*> step s%d", i%50)
				a.Resolve(ID(tmpl), tmpl)
			}
		}()
	}
	wg.Wait()
	if _, got := a.Resolve(ID("worker <*> step s1"), "worker <*> step s1"); got != "worker <*> step s1" {
		t.Errorf("got %q", got)
	}
}
