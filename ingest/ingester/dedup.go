package ingester

// idWindow remembers the last n event ids of one partition. Producers that
// retry a send after a lost acknowledgement write the same event again; with
// the event id as message key it lands on the same partition, close by.
type idWindow struct {
	seen map[string]struct{}
	ring []string
	next int
}

func newIDWindow(n int) *idWindow {
	if n <= 0 {
		return nil
	}
	return &idWindow{seen: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add records id and reports whether it was already in the window.
func (w *idWindow) add(id string) (dup bool) {
	if w == nil {
		return false
	}
	if _, ok := w.seen[id]; ok {
		return true
	}
	if old := w.ring[w.next]; old != "" {
		delete(w.seen, old)
	}
	w.ring[w.next] = id
	w.seen[id] = struct{}{}
	w.next = (w.next + 1) % len(w.ring)
	return false
}
