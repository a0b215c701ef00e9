package ingester

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The window answers as a set of the last n distinct ids would, whatever
// the mix of repeats, for windows small enough that probe runs collide and
// wrap around the table's end.
func TestIDWindowMatchesModel(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 64, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(n), 1))
			w := newIDWindow(n)
			var order []string // the model: the last n ids that were new
			for step := range 50 * n {
				id := fmt.Sprintf("e-%d", rng.IntN(3*n+1))
				want := false
				for _, o := range order {
					want = want || o == id
				}
				if got := w.add(id); got != want {
					t.Fatalf("step %d: add(%s) = %v, want %v", step, id, got, want)
				}
				if !want {
					if order = append(order, id); len(order) > n {
						order = order[1:]
					}
				}
			}
		})
	}
	if newIDWindow(0).add("x") {
		t.Fatal("a disabled window reports duplicates")
	}
}

func BenchmarkIDWindow(b *testing.B) {
	w := newIDWindow(50000)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = fmt.Sprintf("evt-%016x", rand.Uint64())
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w.add(ids[i&(len(ids)-1)])
		i++
	}
}
