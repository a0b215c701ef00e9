package store

import (
	"slices"
	"time"

	"github.com/ClickHouse/ch-go/proto"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Row is an accepted event with what ingest adds to it.
type Row struct {
	Event       event.Event
	Fingerprint uint64
	Template    string
	IngestedAt  time.Time
	Source      Source
}

// Source says where a row came from in Kafka. BatchEnd is the highest offset
// its batch covered, dead-lettered messages included.
type Source struct {
	Topic     string
	Partition int
	Offset    int64
	BatchEnd  int64
}

// eventColumns is the INSERT column list; clickhouse-go needs it explicit
// against old servers, and columns() must fill them in this order.
const eventColumns = `event_id, ts, ts_ms, tenant, service, cell, shard, host, version, kind,
job_id, job_type, state, attempt, duration_ms, queue_ms, integration, queue, route, status,
is_error, error_class, error_message, fingerprint, template, cpu_ms, db_ms, bytes,
attr_keys, attr_values, ingested_at, src_topic, src_partition, src_offset, batch_end`

// Batch holds rows column-major as they arrive, in the layout the driver
// sends: each String column is its values' bytes back to back plus where
// each value starts and ends (ch-go's proto.ColStr), and the attribute
// arrays are flat key and value columns with each row's end offset. A batch
// of a hundred thousand rows is thus a handful of pointer-free arrays the
// garbage collector does not scan, and Writer hands them to the driver
// without copying. Reuse it with Reset.
type Batch struct {
	eventID, tenant, service, cell, shard, host, version, kind strCol
	jobID, jobType, state, integration, queue, route           strCol
	errorClass, errorMessage, template, srcTopic               strCol
	attrKeys, attrValues                                       strCol
	attrEnds                                                   []uint64
	ts, ingestedAt                                             []int64
	tsMs, attempt, status, srcPartition                        []uint16
	durationMs, queueMs, cpuMs, dbMs                           []float32
	isError                                                    []uint8
	fingerprint, bytes, srcOffset, batchEnd                    []uint64

	scratch sortScratch
}

// strCol is a String column in ch-go's layout.
type strCol proto.ColStr

func (c *strCol) add(s string) {
	start := len(c.Buf)
	c.Buf = append(c.Buf, s...)
	c.Pos = append(c.Pos, proto.Position{Start: start, End: len(c.Buf)})
}

func (c *strCol) reset() { c.Buf, c.Pos = c.Buf[:0], c.Pos[:0] }

func (c *strCol) rows() int { return len(c.Pos) }

// views returns the values as strings that share the column's buffer; they
// are valid until the next add or reset. Only the copying fallback of
// Writer needs them.
func (c *strCol) views() []string {
	out := make([]string, len(c.Pos))
	for i := range out {
		out[i] = c.view(int32(i))
	}
	return out
}

func (c *Batch) strCols() []*strCol {
	return []*strCol{&c.eventID, &c.tenant, &c.service, &c.cell, &c.shard, &c.host, &c.version, &c.kind,
		&c.jobID, &c.jobType, &c.state, &c.integration, &c.queue, &c.route,
		&c.errorClass, &c.errorMessage, &c.template, &c.srcTopic, &c.attrKeys, &c.attrValues}
}

// NewBatch returns a batch with room for capacity rows.
func NewBatch(capacity int) *Batch {
	b := &Batch{}
	b.grow(capacity)
	return b
}

// Len is the number of rows in the batch.
func (c *Batch) Len() int { return len(c.ts) }

// Reset empties the batch, keeping its memory.
func (c *Batch) Reset() {
	for _, s := range c.strCols() {
		s.reset()
	}
	c.ts, c.ingestedAt = c.ts[:0], c.ingestedAt[:0]
	c.tsMs, c.attempt, c.status, c.srcPartition = c.tsMs[:0], c.attempt[:0], c.status[:0], c.srcPartition[:0]
	c.durationMs, c.queueMs, c.cpuMs, c.dbMs = c.durationMs[:0], c.queueMs[:0], c.cpuMs[:0], c.dbMs[:0]
	c.isError = c.isError[:0]
	c.fingerprint, c.bytes, c.srcOffset, c.batchEnd = c.fingerprint[:0], c.bytes[:0], c.srcOffset[:0], c.batchEnd[:0]
	c.attrEnds = c.attrEnds[:0]
}

// Add appends a row.
func (c *Batch) Add(r *Row) {
	e := &r.Event
	ts := e.Time.UTC()
	c.eventID.add(e.ID)
	c.ts = append(c.ts, ts.Unix())
	c.tsMs = append(c.tsMs, uint16(ts.Nanosecond()/int(time.Millisecond)))
	c.tenant.add(e.Tenant)
	c.service.add(e.Service)
	c.cell.add(e.Cell)
	c.shard.add(e.Shard)
	c.host.add(e.Host)
	c.version.add(e.Version)
	c.kind.add(string(e.Kind))
	c.jobID.add(e.JobID)
	c.jobType.add(e.JobType)
	c.state.add(string(e.State))
	c.attempt = append(c.attempt, e.Attempt)
	c.durationMs = append(c.durationMs, float32(e.DurationMs))
	c.queueMs = append(c.queueMs, float32(e.QueueMs))
	c.integration.add(e.Integration)
	c.queue.add(e.Queue)
	c.route.add(e.Route)
	c.status = append(c.status, e.Status)
	c.isError = append(c.isError, boolByte(e.IsError()))
	c.errorClass.add(e.ErrorClass)
	c.errorMessage.add(e.ErrorMessage)
	c.fingerprint = append(c.fingerprint, r.Fingerprint)
	c.template.add(r.Template)
	c.cpuMs = append(c.cpuMs, float32(e.CPUMs))
	c.dbMs = append(c.dbMs, float32(e.DBMs))
	c.bytes = append(c.bytes, e.Bytes)
	c.addAttrs(e.Attrs)
	c.ingestedAt = append(c.ingestedAt, r.IngestedAt.Unix())
	c.srcTopic.add(r.Source.Topic)
	c.srcPartition = append(c.srcPartition, uint16(r.Source.Partition))
	c.srcOffset = append(c.srcOffset, uint64(r.Source.Offset))
	c.batchEnd = append(c.batchEnd, uint64(r.Source.BatchEnd))
}

// insertColumn is one INSERT column: a String column to share, or a slice of
// fixed-size values, or the attribute arrays.
type insertColumn struct {
	str    *strCol
	fixed  any
	arrays *strCol // with attrEnds: Array(String)
}

// columns returns the columns in eventColumns order.
func (c *Batch) columns() []insertColumn {
	s := func(col *strCol) insertColumn { return insertColumn{str: col} }
	f := func(v any) insertColumn { return insertColumn{fixed: v} }
	return []insertColumn{
		s(&c.eventID), f(c.ts), f(c.tsMs), s(&c.tenant), s(&c.service), s(&c.cell), s(&c.shard),
		s(&c.host), s(&c.version), s(&c.kind), s(&c.jobID), s(&c.jobType), s(&c.state),
		f(c.attempt), f(c.durationMs), f(c.queueMs), s(&c.integration), s(&c.queue), s(&c.route), f(c.status),
		f(c.isError), s(&c.errorClass), s(&c.errorMessage), f(c.fingerprint), s(&c.template), f(c.cpuMs), f(c.dbMs),
		f(c.bytes), {arrays: &c.attrKeys}, {arrays: &c.attrValues}, f(c.ingestedAt), s(&c.srcTopic), f(c.srcPartition), f(c.srcOffset), f(c.batchEnd),
	}
}

// arrayViews returns an Array(String) column as one slice per row, sharing
// the column's buffer (the copying fallback).
func (c *Batch) arrayViews(col *strCol) [][]string {
	all := col.views()
	out := make([][]string, len(c.attrEnds))
	var start uint64
	for i, end := range c.attrEnds {
		out[i] = all[start:end:end]
		start = end
	}
	return out
}

// SetBatchEnd stamps every row with the batch's last source offset and its
// ingest time, both known only when the batch is flushed.
func (c *Batch) SetBatchEnd(last int64, ingestedAt time.Time) {
	at := ingestedAt.Unix()
	for i := range c.batchEnd {
		c.batchEnd[i] = uint64(last)
		c.ingestedAt[i] = at
	}
}

// grow makes room for n rows in every column.
func (c *Batch) grow(n int) {
	for _, s := range c.strCols() {
		s.Pos = make([]proto.Position, 0, n)
	}
	c.ts, c.ingestedAt = make([]int64, 0, n), make([]int64, 0, n)
	c.tsMs, c.attempt, c.status, c.srcPartition = make([]uint16, 0, n), make([]uint16, 0, n), make([]uint16, 0, n), make([]uint16, 0, n)
	c.durationMs, c.queueMs, c.cpuMs, c.dbMs = make([]float32, 0, n), make([]float32, 0, n), make([]float32, 0, n), make([]float32, 0, n)
	c.isError = make([]uint8, 0, n)
	c.fingerprint, c.bytes, c.srcOffset, c.batchEnd = make([]uint64, 0, n), make([]uint64, 0, n), make([]uint64, 0, n), make([]uint64, 0, n)
	c.attrEnds = make([]uint64, 0, n)
}

// addAttrs appends a row's attributes sorted by key.
func (c *Batch) addAttrs(attrs map[string]string) {
	if len(attrs) > 0 {
		var buf [16]string // more than the allow-list holds
		keys := buf[:0]
		for k := range attrs {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			c.attrKeys.add(k)
			c.attrValues.add(attrs[k])
		}
	}
	c.attrEnds = append(c.attrEnds, uint64(c.attrKeys.rows()))
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// Span reports the partition and lowest source offset of the batch's rows
// (SortByKey reorders them) and the batch end they record; ok is false for
// an empty batch.
func (c *Batch) Span() (partition int, first, end int64, ok bool) {
	if c.Len() == 0 {
		return 0, 0, 0, false
	}
	return int(c.srcPartition[0]), int64(slices.Min(c.srcOffset)), int64(c.batchEnd[0]), true
}
