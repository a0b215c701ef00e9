package ingester

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// partition consumes one assigned partition for one generation.
type partition struct {
	in        *Ingester
	id        int
	committed int64 // committed group offset, or kafka.FirstOffset
	commits   *committer

	window *idWindow
	fill   *batch     // the open batch messages are added to
	sent   *batch     // handed to the combiner, not yet stored; nil if none
	req    *insertReq // sent's request
	spare  [2]batch   // fill and sent point into it
	row    store.Row  // add's scratch
}

// batch is the messages of one partition between two flushes: a contiguous
// offset range [first, last], split into rows and dead letters.
type batch struct {
	rows        *store.Batch
	deadLetters []DeadLetter
	first, last int64
	opened      time.Time
	newest      time.Time // latest event time in the batch
}

func (b *batch) empty() bool { return b.last < b.first }

func (b *batch) reset() {
	b.rows.Reset()
	clear(b.deadLetters)
	b.deadLetters = b.deadLetters[:0]
	b.first, b.last = 0, -1
	b.newest = time.Time{}
}

func (b *batch) size() int { return b.rows.Len() + len(b.deadLetters) }

// run consumes until the generation or the process ends. It returns only
// then: kafka-go ends the whole generation when one of its functions returns.
func (p *partition) run(runCtx, genCtx context.Context) {
	log := p.in.logger.With("partition", p.id)
	start, ok := p.resumeOffset(genCtx)
	if !ok {
		return
	}
	p.window = newIDWindow(p.in.cfg.DedupWindow)
	warmFrom := p.warmStart(genCtx, start)
	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        p.in.cfg.Brokers,
		Topic:          p.in.cfg.Topic,
		Partition:      p.id,
		MinBytes:       1,
		MaxBytes:       p.in.cfg.FetchMaxBytes,
		MaxWait:        250 * time.Millisecond,
		QueueCapacity:  1000,
		ReadBackoffMin: p.in.cfg.RetryMin,
		ReadBackoffMax: p.in.cfg.RetryMax,
	})
	defer reader.Close()
	if err := reader.SetOffset(warmFrom); err != nil {
		log.Error("seeking partition", "offset", warmFrom, "err", err)
		return
	}
	log.Info("consuming partition", "resume_at", start, "warm_from", warmFrom)
	for i := range p.spare {
		p.spare[i].rows = store.NewBatch(p.in.cfg.BatchSize)
		p.spare[i].reset()
	}
	p.fill = &p.spare[0]
	p.in.combiner.join()
	defer p.in.combiner.leave()
	p.consume(runCtx, genCtx, reader, start)
}

// resumeOffset is the first offset not yet stored: after the ledger's high
// water mark, or the committed offset if that is further.
func (p *partition) resumeOffset(ctx context.Context) (int64, bool) {
	start := p.committed
	if start < 0 {
		start = 0 // no commit yet: FirstOffset
	}
	if p.in.cfg.DisableDedup {
		return start, true
	}
	bo := newBackoff(p.in.cfg.RetryMin, p.in.cfg.RetryMax)
	for {
		hw, err := p.in.deps.HighWater.HighWater(ctx, p.in.cfg.Topic)
		if err == nil {
			if stored, ok := hw[p.id]; ok && stored+1 > start {
				start = stored + 1
			}
			return start, true
		}
		p.in.deps.Metrics.insertErrors.Inc()
		p.in.logger.Warn("reading ingest ledger; retrying", "partition", p.id, "err", err)
		if !bo.wait(ctx) {
			return 0, false
		}
	}
}

// warmStart is where to start reading so the duplicate window knows the ids
// of the messages just before start.
func (p *partition) warmStart(ctx context.Context, start int64) int64 {
	if p.window == nil || start == 0 || p.in.cfg.DisableDedup {
		return start
	}
	from := max(start-int64(p.in.cfg.DedupWindow), 0)
	first, err := p.firstOffset(ctx)
	if err != nil {
		p.in.deps.Metrics.kafkaErrors.WithLabelValues("offsets").Inc()
		return start // the window starts cold; the ledger still prevents replays
	}
	return min(max(from, first), start)
}

func (p *partition) firstOffset(ctx context.Context) (int64, error) {
	dialCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := kafka.DialLeader(dialCtx, "tcp", p.in.cfg.Brokers[0], p.in.cfg.Topic, p.id)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	return conn.ReadFirstOffset()
}

func (p *partition) consume(runCtx, genCtx context.Context, reader *kafka.Reader, start int64) {
	m := p.in.deps.Metrics
	lag := m.lag.WithLabelValues(strconv.Itoa(p.id))
	// One deadline context per open batch, not per message: creating a
	// timer context per fetch cost a tenth of the ingester's CPU.
	fetchCtx, cancel := context.WithCancel(genCtx)
	batchOpen := false
	defer func() { cancel() }()
	for {
		if open := !p.fill.empty(); open != batchOpen {
			cancel()
			fetchCtx, cancel = p.fetchContext(genCtx)
			batchOpen = open
		}
		msg, err := reader.FetchMessage(fetchCtx)
		switch {
		case genCtx.Err() != nil:
			p.stop(runCtx, genCtx)
			return
		case errors.Is(err, context.DeadlineExceeded):
			p.flush(genCtx) // batch aged out
			continue
		case err != nil:
			m.kafkaErrors.WithLabelValues("fetch").Inc()
			p.in.logger.Warn("fetching", "partition", p.id, "err", err)
			continue
		}
		lag.Set(float64(msg.HighWaterMark - msg.Offset - 1))
		if msg.Offset < start {
			p.warm(msg.Value)
			continue
		}
		m.consumed.Inc()
		p.add(msg)
		if p.fill.size() >= p.in.cfg.BatchSize {
			p.flush(genCtx)
		}
	}
}

// fetchContext bounds a fetch by the open batch's age deadline.
func (p *partition) fetchContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if p.fill.empty() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, p.fill.opened.Add(p.in.cfg.BatchAge))
}

// stop ends a generation. On shutdown the open batch is flushed and waited
// for; on a rebalance it is dropped and the batch in flight is withdrawn or,
// if an INSERT already took it, waited for: the partition's next owner
// replays from the ledger, and a late insert could race with that owner.
func (p *partition) stop(runCtx, genCtx context.Context) {
	if runCtx.Err() == nil {
		p.settle(genCtx)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(runCtx), p.in.cfg.ShutdownTimeout)
	defer cancel()
	if p.flush(ctx) {
		p.settle(ctx)
	}
}

// warm feeds the duplicate window with a message that is already stored.
func (p *partition) warm(value []byte) {
	if id := peekID(value); id != "" {
		p.window.add(id)
	}
}

func (p *partition) add(msg kafka.Message) {
	b := p.fill
	now := p.in.clock.now(p.in.now)
	if b.empty() {
		b.first, b.opened = msg.Offset, now
	}
	b.last = msg.Offset
	// The row is the partition's, reused: a local one escapes through the
	// scrubber's interface and costs an allocation per message.
	row := &p.row
	var rej *event.Rejection
	row.Event, rej = event.DecodeShared(msg.Value, now, p.in.cfg.limits())
	if rej != nil {
		b.deadLetters = append(b.deadLetters, newDeadLetter(msg, rej.Reason, rej.Detail, now))
		return
	}
	ev := &row.Event
	if !p.in.cfg.DisableDedup && p.window.add(ev.ID) {
		p.in.deps.Metrics.skipped.WithLabelValues(skipDuplicateID).Inc()
		return
	}
	if n := p.in.deps.Scrub.ScrubEvent(ev).Total(); n > 0 {
		p.in.deps.Metrics.scrubbed.Add(float64(n))
	}
	row.Source = store.Source{Topic: msg.Topic, Partition: msg.Partition, Offset: msg.Offset}
	row.Fingerprint, row.Template = 0, ""
	if ev.IsError() && ev.ErrorMessage != "" {
		row.Fingerprint, row.Template = p.in.deps.Fingerprint.Fingerprint(ev.ErrorMessage)
	}
	b.rows.Add(row)
	if ev.Time.After(b.newest) {
		b.newest = ev.Time
	}
}
