package store

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"unsafe"

	"github.com/ClickHouse/ch-go/proto"
)

// SortByKey puts the rows in the order of the events table's sort key,
// ORDER BY (kind, toStartOfHour(ts), tenant, ts) in 0001_events.sql.
// ClickHouse sorts every inserted block by that key unless the block already
// is in order (it checks first: the MergeTreeDataWriterBlocksAlreadySorted
// event), and that sort is a large share of an INSERT's cost: with strings
// in the key it takes about as long as writing the part. A partition's
// batch sorted here costs the ingester a fraction of that, in the partition's
// own goroutine rather than on ClickHouse's one INSERT thread.
//
// The hour is taken in UTC. On a server whose time zone is not a whole
// number of hours from UTC, blocks may look unsorted to ClickHouse, which
// then sorts them as before: only the saving is lost, never a row.
func (c *Batch) SortByKey() {
	n := c.Len()
	if n < 2 {
		return
	}
	kinds, numKinds := ranks(&c.kind)
	tenants, numTenants := ranks(&c.tenant)
	k := rowKeys{kinds: kinds, tenants: tenants, ts: c.ts}
	sc := &c.scratch
	sc.perm = slices.Grow(sc.perm[:0], n)[:n]
	var sorted bool
	if packed, ok := k.pack(numKinds, numTenants, sc.keys); ok {
		sc.keys = packed
		sorted = sortPacked(packed, sc.perm, uint(bits.Len(uint(n-1))))
	} else {
		sorted = k.sort(sc.perm)
	}
	if !sorted {
		c.permute(sc.perm)
	}
}

// rowKeys is every row's sort key with kind and tenant replaced by their
// rank among the batch's distinct values, so comparing two rows touches no
// strings.
type rowKeys struct {
	kinds, tenants []uint32
	ts             []int64
}

func (k rowKeys) compare(i, j int32) int {
	if r := cmp.Compare(k.kinds[i], k.kinds[j]); r != 0 {
		return r
	}
	if r := cmp.Compare(floorHour(k.ts[i]), floorHour(k.ts[j])); r != 0 {
		return r
	}
	if r := cmp.Compare(k.tenants[i], k.tenants[j]); r != 0 {
		return r
	}
	return cmp.Compare(k.ts[i], k.ts[j])
}

// pack puts each row's key and index into one integer when the batch's
// ranges fit in 64 bits, as they do unless its timestamps span decades:
// integers sort several times faster than anything with a comparison
// function.
func (k rowKeys) pack(numKinds, numTenants int, buf []uint64) ([]uint64, bool) {
	n := len(k.ts)
	minTs, maxTs := slices.Min(k.ts), slices.Max(k.ts)
	minHour := floorHour(minTs)
	rowBits := uint(bits.Len(uint(n - 1)))
	secBits := uint(bits.Len64(uint64(maxTs) - uint64(minTs)))
	tenantBits := uint(bits.Len(uint(numTenants - 1)))
	hourBits := uint(bits.Len64(uint64(floorHour(maxTs) - minHour)))
	kindBits := uint(bits.Len(uint(numKinds - 1)))
	if kindBits+hourBits+tenantBits+secBits+rowBits > 64 {
		return buf, false
	}
	tenantShift := secBits + rowBits
	hourShift := tenantShift + tenantBits
	kindShift := hourShift + hourBits
	buf = slices.Grow(buf[:0], n)[:n]
	for i, ts := range k.ts {
		buf[i] = uint64(k.kinds[i])<<kindShift | uint64(floorHour(ts)-minHour)<<hourShift |
			uint64(k.tenants[i])<<tenantShift | (uint64(ts)-uint64(minTs))<<rowBits | uint64(i)
	}
	return buf, true
}

// sortPacked sorts packed keys and fills perm with the rows in key order; it
// reports whether the rows already were in order.
func sortPacked(keys []uint64, perm []int32, rowBits uint) bool {
	if slices.IsSorted(keys) {
		return true
	}
	slices.Sort(keys)
	mask := uint64(1)<<rowBits - 1
	for i, key := range keys {
		perm[i] = int32(key & mask)
	}
	return false
}

// sort fills perm with the rows in key order; it reports whether the rows
// already were in order.
func (k rowKeys) sort(perm []int32) bool {
	for i := range perm {
		perm[i] = int32(i)
	}
	if slices.IsSortedFunc(perm, k.compare) {
		return true
	}
	slices.SortStableFunc(perm, k.compare)
	return false
}

// ranks returns, for every row, the rank of its value among the column's
// distinct values in byte order (ClickHouse compares String keys so), and
// how many distinct values there are.
func ranks(col *strCol) ([]uint32, int) {
	ids := make(map[string]uint32)
	var distinct []string
	rowIDs := make([]uint32, col.rows())
	for i := range rowIDs {
		v := col.view(int32(i))
		id, ok := ids[v]
		if !ok {
			id = uint32(len(distinct))
			ids[v] = id
			distinct = append(distinct, v)
		}
		rowIDs[i] = id
	}
	order := make([]uint32, len(distinct))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(distinct[a], distinct[b]) })
	rank := make([]uint32, len(distinct))
	for r, id := range order {
		rank[id] = uint32(r)
	}
	for i, id := range rowIDs {
		rowIDs[i] = rank[id]
	}
	return rowIDs, len(distinct)
}

func floorHour(unix int64) int64 {
	h := unix / 3600
	if unix%3600 < 0 {
		h--
	}
	return h
}

// view is row i's value as a string sharing the buffer: valid until the
// column changes.
func (c *strCol) view(i int32) string {
	p := c.Pos[i]
	if p.End == p.Start {
		return ""
	}
	return unsafe.String(&c.Buf[p.Start], p.End-p.Start)
}

// permute reorders every column so that row i becomes the old row perm[i].
// Columns that are the same in every row (all empty strings, or one topic,
// partition and batch end) do not move.
func (c *Batch) permute(perm []int32) {
	sc := &c.scratch
	for _, s := range c.strCols() {
		if s != &c.attrKeys && s != &c.attrValues && len(s.Buf) > 0 && !s.constant() {
			sc.pos = gather(s.Pos, perm, sc.pos)
		}
	}
	c.permuteAttrs(perm)
	sc.i64 = gatherVarying(c.ts, perm, sc.i64)
	sc.i64 = gatherVarying(c.ingestedAt, perm, sc.i64)
	for _, col := range [][]uint16{c.tsMs, c.attempt, c.status, c.srcPartition} {
		sc.u16 = gatherVarying(col, perm, sc.u16)
	}
	for _, col := range [][]float32{c.durationMs, c.queueMs, c.cpuMs, c.dbMs} {
		sc.f32 = gatherVarying(col, perm, sc.f32)
	}
	sc.u8 = gatherVarying(c.isError, perm, sc.u8)
	for _, col := range [][]uint64{c.fingerprint, c.bytes, c.srcOffset, c.batchEnd} {
		sc.u64 = gatherVarying(col, perm, sc.u64)
	}
}

// constant reports whether every value equals the first.
func (c *strCol) constant() bool {
	first := c.view(0)
	for i := range c.Pos {
		if c.view(int32(i)) != first {
			return false
		}
	}
	return true
}

func gatherVarying[T comparable](s []T, perm []int32, tmp []T) []T {
	for _, v := range s {
		if v != s[0] {
			return gather(s, perm, tmp)
		}
	}
	return tmp
}

// sortScratch is the per-batch memory SortByKey reuses.
type sortScratch struct {
	keys []uint64
	perm []int32
	pos  []proto.Position
	i64  []int64
	u64  []uint64
	f32  []float32
	u16  []uint16
	u8   []uint8
}

// gather sets s[i] = old s[perm[i]] through tmp (grown if needed, returned
// for reuse). Independent loads, unlike following the permutation's cycles
// in place, let the CPU overlap their cache misses.
func gather[T any](s []T, perm []int32, tmp []T) []T {
	tmp = slices.Grow(tmp[:0], len(perm))[:len(perm)]
	for i, p := range perm {
		tmp[i] = s[p]
	}
	copy(s, tmp)
	return tmp
}

// permuteAttrs reorders the flattened attribute arrays. Most rows have no
// attributes, so rebuilding these (small) arrays is cheaper than anything
// in place.
func (c *Batch) permuteAttrs(perm []int32) {
	if c.attrKeys.rows() == 0 {
		return // every row's end offset is 0: nothing moves
	}
	keys := make([]proto.Position, 0, len(c.attrKeys.Pos))
	values := make([]proto.Position, 0, len(c.attrValues.Pos))
	ends := make([]uint64, len(c.attrEnds))
	for i, old := range perm {
		start := uint64(0)
		if old > 0 {
			start = c.attrEnds[old-1]
		}
		end := c.attrEnds[old]
		keys = append(keys, c.attrKeys.Pos[start:end]...)
		values = append(values, c.attrValues.Pos[start:end]...)
		ends[i] = uint64(len(keys))
	}
	copy(c.attrKeys.Pos, keys)
	copy(c.attrValues.Pos, values)
	copy(c.attrEnds, ends)
}
