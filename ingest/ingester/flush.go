package ingester

import (
	"context"
	"time"
)

// flush hands the open batch over to be stored and opens the other one, so
// the partition keeps fetching while ClickHouse inserts. It sorts the open
// batch, waits until the batch handed over before is stored (settle), writes
// the open batch's dead letters, then gives its rows, which all carry the
// batch's last offset (the ledger entry), to the combiner. A batch with no rows is recorded
// in the ledger directly. Every step retries with backoff until it succeeds
// or ctx ends; meanwhile the partition does not fetch, so memory stays
// bounded by two batches per partition. It reports whether the batch was
// handed over.
func (p *partition) flush(ctx context.Context) bool {
	b := p.fill
	if b.empty() {
		return true
	}
	if p.in.cfg.SortBatches {
		// Before waiting for the batch in flight: sorting overlaps its
		// INSERT instead of delaying the next one.
		b.rows.SortByKey()
	}
	if !p.settle(ctx) {
		return false
	}
	if !p.retry(ctx, "dead_letter", func(ctx context.Context) error { return p.in.deps.DeadLetters.WriteDeadLetters(ctx, b.deadLetters) }) {
		return false
	}
	now := p.in.now()
	b.rows.SetBatchEnd(b.last, now)
	if b.rows.Len() == 0 {
		ledger := func(ctx context.Context) error {
			return p.in.deps.Writer.WriteLedger(ctx, p.in.cfg.Topic, p.id, b.first, b.last, now)
		}
		if !p.retry(ctx, "insert", ledger) {
			return false
		}
		p.stored(b)
		return true
	}
	p.fill = p.other(b)
	p.sent, p.req = b, p.in.combiner.submit(b.rows)
	return true
}

func (p *partition) other(b *batch) *batch {
	if b == &p.spare[0] {
		return &p.spare[1]
	}
	return &p.spare[0]
}

// settle waits until the batch in flight is stored, handing it over again
// after a failed INSERT, until ctx ends (then the batch is abandoned: the
// partition's next owner replays it). Before handing a failed batch over
// again it asks the ledger whether the batch was stored after all, as it is
// when an INSERT succeeded but its acknowledgement was lost, so a retry never
// stores a batch twice.
func (p *partition) settle(ctx context.Context) bool {
	if p.sent == nil {
		return true
	}
	defer func(began time.Time) { p.in.deps.Metrics.flushWait.Add(time.Since(began).Seconds()) }(time.Now())
	bo := newBackoff(p.in.cfg.RetryMin, p.in.cfg.RetryMax)
	for attempt := 1; ; attempt++ {
		err, taken := p.outcome(ctx)
		switch {
		case !taken:
			p.abandon()
			return false
		case err == nil:
			p.stored(p.sent)
			return true
		}
		p.in.deps.Metrics.insertErrors.Inc()
		if attempt == 1 || attempt%20 == 0 {
			p.in.logger.Warn("storing batch failed; retrying", "partition", p.id,
				"first", p.sent.first, "last", p.sent.last, "attempt", attempt, "err", err)
		}
		stored, ok := p.storedSince(ctx, bo)
		if !ok {
			p.abandon()
			return false
		}
		if stored {
			p.in.logger.Info("batch was stored although its insert failed", "partition", p.id, "last", p.sent.last)
			p.stored(p.sent)
			return true
		}
		p.req = p.in.combiner.submit(p.sent.rows)
	}
}

// outcome waits for the INSERT that takes the batch in flight. If ctx ends
// first the batch is withdrawn, unless an INSERT has taken it: that attempt
// runs to its own timeout (below the group's rebalance timeout), so a late
// insert cannot land after the partition's next owner read the ledger.
func (p *partition) outcome(ctx context.Context) (err error, taken bool) {
	select {
	case err := <-p.req.done:
		return err, true
	case <-ctx.Done():
	}
	if p.in.combiner.withdraw(p.req) {
		return nil, false
	}
	return <-p.req.done, true
}

// storedSince backs off, then reads the ledger to learn whether the batch in
// flight was stored. It reports false in ok if ctx ended first.
func (p *partition) storedSince(ctx context.Context, bo *retryBackoff) (stored, ok bool) {
	if p.in.cfg.DisableDedup {
		return false, bo.wait(ctx)
	}
	for bo.wait(ctx) {
		hw, err := p.in.deps.HighWater.HighWater(ctx, p.in.cfg.Topic)
		if err == nil {
			last, ok := hw[p.id]
			return ok && last >= p.sent.last, true
		}
		p.in.deps.Metrics.insertErrors.Inc()
	}
	return false, false
}

// stored records that b is in ClickHouse: metrics, the offset to commit, and
// b is free again.
func (p *partition) stored(b *batch) {
	m := p.in.deps.Metrics
	m.batchSize.Observe(float64(b.rows.Len()))
	m.inserted.Add(float64(b.rows.Len()))
	for _, dl := range b.deadLetters {
		m.deadLettered.WithLabelValues(string(dl.Reason)).Inc()
	}
	if b.rows.Len() > 0 {
		m.ingestLatency.Observe(time.Since(b.newest).Seconds())
	}
	p.commits.acked(p.id, b.last+1)
	b.reset()
	if b == p.sent {
		p.sent, p.req = nil, nil
	}
}

func (p *partition) abandon() {
	p.sent.reset()
	p.sent, p.req = nil, nil
}

// retry runs fn until it succeeds or ctx ends. Each attempt runs to its own
// timeout even if ctx ends meanwhile: a write abandoned half-way could still
// land after the partition's next owner read the ledger. The attempt timeout
// is below the group's rebalance timeout, so the group waits for it.
func (p *partition) retry(ctx context.Context, op string, fn func(context.Context) error) bool {
	bo := newBackoff(p.in.cfg.RetryMin, p.in.cfg.RetryMax)
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.in.cfg.AttemptTimeout)
		err := fn(attemptCtx)
		cancel()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if op == "insert" {
			p.in.deps.Metrics.insertErrors.Inc()
		} else {
			p.in.deps.Metrics.kafkaErrors.WithLabelValues(op).Inc()
		}
		if attempt == 1 || attempt%20 == 0 {
			p.in.logger.Warn("storing batch failed; retrying", "op", op, "partition", p.id,
				"first", p.fill.first, "last", p.fill.last, "attempt", attempt, "err", err)
		}
		if !bo.wait(ctx) {
			return false
		}
	}
}
