package store

import (
	"time"
	"unsafe"

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

// Batch holds rows column-major as they arrive. Its string columns keep
// their bytes in one buffer per column and its times as unix seconds, so a
// batch of tens of thousands of rows is a handful of pointer-free arrays
// the garbage collector does not have to scan. Reuse it with Reset.
type Batch struct {
	eventID, tenant, service, cell, shard, host, version, kind strCol
	jobID, jobType, state, integration, queue, route           strCol
	errorClass, errorMessage, template, srcTopic               strCol
	ts, ingestedAt                                             []int64
	tsMs, attempt, status, srcPartition                        []uint16
	durationMs, queueMs, cpuMs, dbMs                           []float32
	isError                                                    []uint8
	fingerprint, bytes, srcOffset, batchEnd                    []uint64
	attrKeys, attrValues                                       [][]string
}

// strCol is a String column: the values' bytes back to back and where each
// value ends.
type strCol struct {
	buf  []byte
	ends []uint32
}

func (c *strCol) add(s string) {
	c.buf = append(c.buf, s...)
	c.ends = append(c.ends, uint32(len(c.buf)))
}

func (c *strCol) reset() { c.buf, c.ends = c.buf[:0], c.ends[:0] }

// views returns the values as strings that share the column's buffer; they
// are valid until the next add or reset, which is all an insert needs (the
// driver copies them into its own buffer).
func (c *strCol) views() []string {
	out := make([]string, len(c.ends))
	var start uint32
	for i, end := range c.ends {
		if end > start {
			out[i] = unsafe.String(&c.buf[start], int(end-start))
		}
		start = end
	}
	return out
}

func (c *Batch) strCols() []*strCol {
	return []*strCol{&c.eventID, &c.tenant, &c.service, &c.cell, &c.shard, &c.host, &c.version, &c.kind,
		&c.jobID, &c.jobType, &c.state, &c.integration, &c.queue, &c.route,
		&c.errorClass, &c.errorMessage, &c.template, &c.srcTopic}
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
	clear(c.attrKeys)
	clear(c.attrValues)
	c.ts, c.ingestedAt = c.ts[:0], c.ingestedAt[:0]
	c.tsMs, c.attempt, c.status, c.srcPartition = c.tsMs[:0], c.attempt[:0], c.status[:0], c.srcPartition[:0]
	c.durationMs, c.queueMs, c.cpuMs, c.dbMs = c.durationMs[:0], c.queueMs[:0], c.cpuMs[:0], c.dbMs[:0]
	c.isError = c.isError[:0]
	c.fingerprint, c.bytes, c.srcOffset, c.batchEnd = c.fingerprint[:0], c.bytes[:0], c.srcOffset[:0], c.batchEnd[:0]
	c.attrKeys, c.attrValues = c.attrKeys[:0], c.attrValues[:0]
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
	keys, values := sortedAttrs(e.Attrs)
	c.attrKeys = append(c.attrKeys, keys)
	c.attrValues = append(c.attrValues, values)
	c.ingestedAt = append(c.ingestedAt, r.IngestedAt.Unix())
	c.srcTopic.add(r.Source.Topic)
	c.srcPartition = append(c.srcPartition, uint16(r.Source.Partition))
	c.srcOffset = append(c.srcOffset, uint64(r.Source.Offset))
	c.batchEnd = append(c.batchEnd, uint64(r.Source.BatchEnd))
}

// all returns the columns in eventColumns order.
func (c *Batch) all() []any {
	return []any{
		c.eventID.views(), c.ts, c.tsMs, c.tenant.views(), c.service.views(), c.cell.views(), c.shard.views(),
		c.host.views(), c.version.views(), c.kind.views(), c.jobID.views(), c.jobType.views(), c.state.views(),
		c.attempt, c.durationMs, c.queueMs, c.integration.views(), c.queue.views(), c.route.views(), c.status,
		c.isError, c.errorClass.views(), c.errorMessage.views(), c.fingerprint, c.template.views(), c.cpuMs, c.dbMs,
		c.bytes, c.attrKeys, c.attrValues, c.ingestedAt, c.srcTopic.views(), c.srcPartition, c.srcOffset, c.batchEnd,
	}
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
		s.ends = make([]uint32, 0, n)
	}
	c.ts, c.ingestedAt = make([]int64, 0, n), make([]int64, 0, n)
	c.tsMs, c.attempt, c.status, c.srcPartition = make([]uint16, 0, n), make([]uint16, 0, n), make([]uint16, 0, n), make([]uint16, 0, n)
	c.durationMs, c.queueMs, c.cpuMs, c.dbMs = make([]float32, 0, n), make([]float32, 0, n), make([]float32, 0, n), make([]float32, 0, n)
	c.isError = make([]uint8, 0, n)
	c.fingerprint, c.bytes, c.srcOffset, c.batchEnd = make([]uint64, 0, n), make([]uint64, 0, n), make([]uint64, 0, n), make([]uint64, 0, n)
	c.attrKeys, c.attrValues = make([][]string, 0, n), make([][]string, 0, n)
}

var emptyStrings = []string{}

func sortedAttrs(attrs map[string]string) ([]string, []string) {
	if len(attrs) == 0 {
		return emptyStrings, emptyStrings
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sortStrings(keys)
	values := make([]string, len(keys))
	for i, k := range keys {
		values[i] = attrs[k]
	}
	return keys, values
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
