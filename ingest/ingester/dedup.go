package ingester

import "github.com/cespare/xxhash/v2"

// idWindow remembers the last n event ids of one partition, as 64-bit
// hashes so that the window holds no pointers for the GC to scan (a
// collision among 50 000 ids has a probability near 1e-10). Producers that
// retry a send after a lost acknowledgement write the same event again;
// with the event id as message key it lands on the same partition, close by.
type idWindow struct {
	seen map[uint64]struct{}
	ring []uint64
	used []bool
	next int
}

func newIDWindow(n int) *idWindow {
	if n <= 0 {
		return nil
	}
	return &idWindow{seen: make(map[uint64]struct{}, n), ring: make([]uint64, n), used: make([]bool, n)}
}

// add records id and reports whether it was already in the window.
func (w *idWindow) add(id string) (dup bool) {
	if w == nil {
		return false
	}
	h := xxhash.Sum64String(id)
	if _, ok := w.seen[h]; ok {
		return true
	}
	if w.used[w.next] {
		delete(w.seen, w.ring[w.next])
	}
	w.ring[w.next], w.used[w.next] = h, true
	w.seen[h] = struct{}{}
	w.next = (w.next + 1) % len(w.ring)
	return false
}
