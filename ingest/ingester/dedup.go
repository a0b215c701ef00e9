package ingester

import "github.com/cespare/xxhash/v2"

// idWindow remembers the last n event ids of one partition, as 64-bit
// hashes so that the window holds no pointers for the GC to scan (a
// collision among 50 000 ids has a probability near 1e-10). Producers that
// retry a send after a lost acknowledgement write the same event again;
// with the event id as message key it lands on the same partition, close by.
//
// The set is an open-addressing table with linear probing at most half
// full, and a ring of the hashes in arrival order says which one to forget.
// It replaced a Go map, whose lookup, insert and delete were 8% of the
// ingester's CPU; a known-size set of integers needs none of a map's
// generality.
type idWindow struct {
	slots []uint64 // 0 marks an empty slot
	mask  uint64
	ring  []uint64
	next  int
	full  bool
}

func newIDWindow(n int) *idWindow {
	if n <= 0 {
		return nil
	}
	size := 1
	for size < 2*n {
		size <<= 1
	}
	return &idWindow{slots: make([]uint64, size), mask: uint64(size - 1), ring: make([]uint64, n)}
}

// add records id and reports whether it was already in the window.
func (w *idWindow) add(id string) (dup bool) {
	if w == nil {
		return false
	}
	h := xxhash.Sum64String(id) | 1 // never 0, the empty marker; costs one bit of the hash
	i := h & w.mask
	for w.slots[i] != 0 {
		if w.slots[i] == h {
			return true
		}
		i = (i + 1) & w.mask
	}
	if w.full {
		// Removing the oldest may shift entries of h's probe run: find the
		// free slot again.
		w.remove(w.ring[w.next])
		for i = h & w.mask; w.slots[i] != 0; i = (i + 1) & w.mask {
		}
	}
	w.slots[i] = h
	w.ring[w.next] = h
	w.next++
	if w.next == len(w.ring) {
		w.next, w.full = 0, true
	}
	return false
}

// remove deletes h by shifting later entries of its probe run back
// (Knuth's algorithm R), so lookups never meet tombstones.
func (w *idWindow) remove(h uint64) {
	i := h & w.mask
	for w.slots[i] != h {
		i = (i + 1) & w.mask
	}
	for j := (i + 1) & w.mask; w.slots[j] != 0; j = (j + 1) & w.mask {
		home := w.slots[j] & w.mask
		// Move slots[j] into the hole at i unless its home lies in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			w.slots[i], i = w.slots[j], j
		}
	}
	w.slots[i] = 0
}
