package store

import (
	"time"

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

// Batch holds rows column-major as they arrive, so a batch costs the
// column values and no per-row struct; reuse it across batches with Reset.
type Batch struct {
	eventID                                     []string
	ts                                          []time.Time
	tsMs                                        []uint16
	tenant, service, cell, shard, host, version []string
	kind, jobID, jobType, state                 []string
	attempt                                     []uint16
	durationMs, queueMs                         []float32
	integration, queue, route                   []string
	status                                      []uint16
	isError                                     []uint8
	errorClass, errorMessage                    []string
	fingerprint                                 []uint64
	template                                    []string
	cpuMs, dbMs                                 []float32
	bytes                                       []uint64
	attrKeys, attrValues                        [][]string
	ingestedAt                                  []time.Time
	srcTopic                                    []string
	srcPartition                                []uint16
	srcOffset, batchEnd                         []uint64
}

// NewBatch returns a batch with room for capacity rows.
func NewBatch(capacity int) *Batch {
	b := &Batch{}
	b.grow(capacity)
	b.Reset()
	return b
}

// Len is the number of rows in the batch.
func (c *Batch) Len() int { return len(c.eventID) }

// Reset empties the batch, keeping its memory, and drops references to the
// previous rows' strings.
func (c *Batch) Reset() {
	clear(c.eventID)
	clear(c.errorMessage)
	clear(c.template)
	*c = Batch{
		eventID: c.eventID[:0], ts: c.ts[:0], tsMs: c.tsMs[:0], tenant: c.tenant[:0],
		service: c.service[:0], cell: c.cell[:0], shard: c.shard[:0], host: c.host[:0],
		version: c.version[:0], kind: c.kind[:0], jobID: c.jobID[:0], jobType: c.jobType[:0],
		state: c.state[:0], attempt: c.attempt[:0], durationMs: c.durationMs[:0], queueMs: c.queueMs[:0],
		integration: c.integration[:0], queue: c.queue[:0], route: c.route[:0], status: c.status[:0],
		isError: c.isError[:0], errorClass: c.errorClass[:0], errorMessage: c.errorMessage[:0],
		fingerprint: c.fingerprint[:0], template: c.template[:0], cpuMs: c.cpuMs[:0], dbMs: c.dbMs[:0],
		bytes: c.bytes[:0], attrKeys: c.attrKeys[:0], attrValues: c.attrValues[:0],
		ingestedAt: c.ingestedAt[:0], srcTopic: c.srcTopic[:0], srcPartition: c.srcPartition[:0],
		srcOffset: c.srcOffset[:0], batchEnd: c.batchEnd[:0],
	}
}

// Add appends a row.
func (c *Batch) Add(r *Row) {
	e := &r.Event
	c.eventID = append(c.eventID, e.ID)
	ts := e.Time.UTC()
	c.ts = append(c.ts, ts)
	c.tsMs = append(c.tsMs, uint16(ts.Nanosecond()/int(time.Millisecond)))
	c.tenant = append(c.tenant, e.Tenant)
	c.service = append(c.service, e.Service)
	c.cell = append(c.cell, e.Cell)
	c.shard = append(c.shard, e.Shard)
	c.host = append(c.host, e.Host)
	c.version = append(c.version, e.Version)
	c.kind = append(c.kind, string(e.Kind))
	c.jobID = append(c.jobID, e.JobID)
	c.jobType = append(c.jobType, e.JobType)
	c.state = append(c.state, string(e.State))
	c.attempt = append(c.attempt, e.Attempt)
	c.durationMs = append(c.durationMs, float32(e.DurationMs))
	c.queueMs = append(c.queueMs, float32(e.QueueMs))
	c.integration = append(c.integration, e.Integration)
	c.queue = append(c.queue, e.Queue)
	c.route = append(c.route, e.Route)
	c.status = append(c.status, e.Status)
	c.isError = append(c.isError, boolByte(e.IsError()))
	c.errorClass = append(c.errorClass, e.ErrorClass)
	c.errorMessage = append(c.errorMessage, e.ErrorMessage)
	c.fingerprint = append(c.fingerprint, r.Fingerprint)
	c.template = append(c.template, r.Template)
	c.cpuMs = append(c.cpuMs, float32(e.CPUMs))
	c.dbMs = append(c.dbMs, float32(e.DBMs))
	c.bytes = append(c.bytes, e.Bytes)
	keys, values := sortedAttrs(e.Attrs)
	c.attrKeys = append(c.attrKeys, keys)
	c.attrValues = append(c.attrValues, values)
	c.ingestedAt = append(c.ingestedAt, r.IngestedAt.UTC())
	c.srcTopic = append(c.srcTopic, r.Source.Topic)
	c.srcPartition = append(c.srcPartition, uint16(r.Source.Partition))
	c.srcOffset = append(c.srcOffset, uint64(r.Source.Offset))
	c.batchEnd = append(c.batchEnd, uint64(r.Source.BatchEnd))
}

// all returns the columns in eventColumns order.
func (c *Batch) all() []any {
	return []any{
		c.eventID, c.ts, c.tsMs, c.tenant, c.service, c.cell, c.shard, c.host, c.version, c.kind,
		c.jobID, c.jobType, c.state, c.attempt, c.durationMs, c.queueMs, c.integration, c.queue, c.route, c.status,
		c.isError, c.errorClass, c.errorMessage, c.fingerprint, c.template, c.cpuMs, c.dbMs, c.bytes,
		c.attrKeys, c.attrValues, c.ingestedAt, c.srcTopic, c.srcPartition, c.srcOffset, c.batchEnd,
	}
}

// SetBatchEnd stamps every row with the batch's last source offset and its
// ingest time, both known only when the batch is flushed.
func (c *Batch) SetBatchEnd(last int64, ingestedAt time.Time) {
	for i := range c.batchEnd {
		c.batchEnd[i] = uint64(last)
		c.ingestedAt[i] = ingestedAt
	}
}

// grow makes room for n rows in every column.
func (c *Batch) grow(n int) {
	for _, col := range []*[]string{&c.eventID, &c.tenant, &c.service, &c.cell, &c.shard, &c.host, &c.version,
		&c.kind, &c.jobID, &c.jobType, &c.state, &c.integration, &c.queue, &c.route, &c.errorClass,
		&c.errorMessage, &c.template, &c.srcTopic} {
		*col = make([]string, 0, n)
	}
	c.ts, c.ingestedAt = make([]time.Time, 0, n), make([]time.Time, 0, n)
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
