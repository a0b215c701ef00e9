package store

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

func TestSortByKey(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rows  int
		attrs bool
	}{
		{"empty", 0, false},
		{"one row", 1, false},
		{"no attributes", 3000, false},
		{"with attributes", 3000, true},
		{"timestamps spanning decades (unpacked keys)", 3000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBatch(tc.rows)
			rows := randomRows(tc.rows, tc.attrs, 1)
			if strings.Contains(tc.name, "decades") {
				for i := range rows {
					rows[i].Event.Time = rows[i].Event.Time.AddDate(-(i % 50), 0, 0)
				}
			}
			for _, r := range rows {
				b.Add(&r)
			}
			if tc.rows > 1 {
				kinds, numKinds := ranks(&b.kind)
				tenants, numTenants := ranks(&b.tenant)
				k := rowKeys{kinds: kinds, tenants: tenants, ts: b.ts}
				if _, packs := k.pack(numKinds, numTenants, nil); strings.Contains(tc.name, "unpacked") == packs {
					t.Fatalf("keys packed: %t; the case is meant to test the other sort", packs)
				}
			}
			before := rowStrings(b)
			b.SortByKey()
			if !sortedByKey(b) {
				t.Fatal("not in key order after SortByKey")
			}
			after := rowStrings(b)
			slices.Sort(before)
			slices.Sort(after)
			if !slices.Equal(before, after) {
				t.Fatal("sorting changed the rows, not only their order")
			}
		})
	}
}

// The sort orders by kind, then hour, then tenant, then second: a later
// hour sorts after an earlier one even for a smaller tenant.
func TestSortByKeyOrder(t *testing.T) {
	base := time.Date(2026, 11, 23, 7, 59, 59, 0, time.UTC)
	b := NewBatch(4)
	for _, r := range []Row{
		{Event: event.Event{ID: "4", Kind: event.KindRequest, Tenant: "a", Time: base}},
		{Event: event.Event{ID: "3", Kind: event.KindError, Tenant: "a", Time: base.Add(time.Second)}},
		{Event: event.Event{ID: "2", Kind: event.KindError, Tenant: "b", Time: base}},
		{Event: event.Event{ID: "1", Kind: event.KindError, Tenant: "a", Time: base}},
	} {
		b.Add(&r)
	}
	b.SortByKey()
	var ids []string
	for i := range int32(b.Len()) {
		ids = append(ids, b.eventID.view(i))
	}
	if want := []string{"1", "2", "3", "4"}; !slices.Equal(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
}

// sortedByKey checks the order with the plain comparison of the key's
// values, not the packed keys SortByKey uses.
func sortedByKey(c *Batch) bool {
	for i := int32(1); i < int32(c.Len()); i++ {
		a, b := i-1, i
		r := strings.Compare(c.kind.view(a), c.kind.view(b))
		if r == 0 {
			r = cmp.Compare(floorHour(c.ts[a]), floorHour(c.ts[b]))
		}
		if r == 0 {
			r = strings.Compare(c.tenant.view(a), c.tenant.view(b))
		}
		if r == 0 {
			r = cmp.Compare(c.ts[a], c.ts[b])
		}
		if r > 0 {
			return false
		}
	}
	return true
}

func BenchmarkSortByKey(b *testing.B) {
	rows := randomRows(25000, true, 2)
	batch := NewBatch(len(rows))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		batch.Reset()
		for i := range rows {
			batch.Add(&rows[i])
		}
		b.StartTimer()
		batch.SortByKey()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}

// randomRows are rows in arrival order: several kinds, tenants and hours
// interleaved, a tenth of them with attributes.
func randomRows(n int, attrs bool, seed uint64) []Row {
	rng := rand.New(rand.NewPCG(seed, 0))
	kinds := []event.Kind{event.KindJobState, event.KindJobRetry, event.KindRequest, event.KindError, event.KindResource}
	start := time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC)
	out := make([]Row, n)
	for i := range out {
		e := event.Event{ID: fmt.Sprintf("ev-%d", i), Kind: kinds[rng.IntN(len(kinds))],
			Tenant: fmt.Sprintf("t-%04d", rng.IntN(300)), Service: "billing", Host: fmt.Sprintf("h-%d", rng.IntN(40)),
			Time:       start.Add(time.Duration(i) * 2 * time.Hour / time.Duration(max(n, 1))).Add(time.Duration(rng.IntN(5000)) * time.Millisecond),
			DurationMs: float64(rng.IntN(900)), Attempt: uint16(rng.IntN(4)), ErrorMessage: fmt.Sprintf("m%d", rng.IntN(50))}
		if attrs && rng.IntN(10) == 0 {
			e.Attrs = map[string]string{"plan": fmt.Sprintf("p%d", rng.IntN(3)), "region": "eu"}
		}
		out[i] = Row{Event: e, Fingerprint: rng.Uint64(), Template: "tmpl",
			Source: Source{Topic: "events", Partition: 3, Offset: int64(i), BatchEnd: int64(n)}}
	}
	return out
}

// rowStrings renders every row with every column, attributes included.
func rowStrings(c *Batch) []string {
	out := make([]string, c.Len())
	for i := range out {
		r := int32(i)
		var sb []byte
		for _, s := range c.strCols() {
			if s != &c.attrKeys && s != &c.attrValues {
				sb = fmt.Appendf(sb, "%q,", s.view(r))
			}
		}
		start := uint64(0)
		if i > 0 {
			start = c.attrEnds[i-1]
		}
		for a := start; a < c.attrEnds[i]; a++ {
			sb = fmt.Appendf(sb, "%q=%q,", c.attrKeys.view(int32(a)), c.attrValues.view(int32(a)))
		}
		sb = fmt.Appendf(sb, "%d,%d,%d,%d,%d,%d,%g,%g,%g,%g,%d,%d,%d,%d,%d", c.ts[i], c.ingestedAt[i], c.tsMs[i], c.attempt[i],
			c.status[i], c.srcPartition[i], c.durationMs[i], c.queueMs[i], c.cpuMs[i], c.dbMs[i], c.isError[i],
			c.fingerprint[i], c.bytes[i], c.srcOffset[i], c.batchEnd[i])
		out[i] = string(sb)
	}
	return out
}
