package ingester

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// blockWriter inserts batches as the blocks of one INSERT.
type blockWriter interface {
	Begin(ctx context.Context) (store.Stream, error)
	Settle(ctx context.Context, queryID string, killAfter time.Duration) (store.Settled, error)
}

// combiner inserts the batches partitions hand it as the blocks of one
// INSERT. ClickHouse's cost per event falls steeply with block size (every
// insert writes a part to events and one to each rollup) and the server
// squashes the blocks of one INSERT before its views run, so several
// partitions' batches cost it what one big block does, while each partition
// keeps only a batch of its own size in memory.
//
// Exactly once is unchanged: each batch still holds one partition's
// contiguous offsets and its rows carry that partition's batch end, so the
// ledger view writes one row per partition; a partition hands over one batch
// at a time and waits for its outcome before the next, so per partition the
// batches are stored in offset order; and a partition whose generation ends
// withdraws its batch if it was not taken yet, or waits for the attempt that
// took it.
type combiner struct {
	writer  blockWriter
	maxRows int           // rows per INSERT before it is sent without waiting
	linger  time.Duration // how long the first batch waits for others
	attempt time.Duration // one INSERT's timeout
	metrics *Metrics

	wake    chan struct{}
	mu      sync.Mutex
	pending []*insertReq
	active  int // partitions that may hand over a batch
}

// insertReq is one partition's batch handed to the combiner. done receives
// the outcome of the INSERT that took it.
type insertReq struct {
	rows *store.Batch
	done chan error
}

func newCombiner(w blockWriter, cfg Config, m *Metrics) *combiner {
	return &combiner{writer: w, maxRows: cfg.InsertRows, linger: cfg.InsertLinger, attempt: cfg.AttemptTimeout,
		metrics: m, wake: make(chan struct{}, 1)}
}

// join and leave bracket a partition's run: when every active partition has
// a batch waiting, the combiner stops lingering.
func (c *combiner) join() {
	c.mu.Lock()
	c.active++
	c.mu.Unlock()
}

func (c *combiner) leave() {
	c.mu.Lock()
	c.active--
	c.mu.Unlock()
	c.signal()
}

func (c *combiner) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// submit hands a batch over; its outcome arrives on the returned request.
func (c *combiner) submit(rows *store.Batch) *insertReq {
	r := &insertReq{rows: rows, done: make(chan error, 1)}
	c.mu.Lock()
	c.pending = append(c.pending, r)
	c.mu.Unlock()
	c.signal()
	return r
}

// withdraw takes r back if no INSERT has taken it yet.
func (c *combiner) withdraw(r *insertReq) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.Index(c.pending, r); i >= 0 {
		c.pending = slices.Delete(c.pending, i, i+1)
		return true
	}
	return false
}

// run inserts until ctx ends; ctx must outlive every partition that submits.
func (c *combiner) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
		for c.hasPending() && ctx.Err() == nil {
			c.gather(ctx)
			if reqs := c.take(); len(reqs) > 0 {
				c.insert(reqs)
			}
		}
	}
}

func (c *combiner) hasPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending) > 0
}

// gather waits, up to the linger time, until enough rows are pending or every
// active partition has handed over a batch.
func (c *combiner) gather(ctx context.Context) {
	t := time.NewTimer(c.linger)
	defer t.Stop()
	for !c.ready() {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			return
		case <-c.wake:
		}
	}
}

func (c *combiner) ready() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	rows := 0
	for _, r := range c.pending {
		rows += r.rows.Len()
	}
	return len(c.pending) > 0 && (rows >= c.maxRows || len(c.pending) >= c.active)
}

// take removes pending requests up to maxRows rows (at least one).
func (c *combiner) take() []*insertReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	rows, n := 0, 0
	for n < len(c.pending) && (n == 0 || rows+c.pending[n].rows.Len() <= c.maxRows) {
		rows += c.pending[n].rows.Len()
		n++
	}
	taken := slices.Clone(c.pending[:n])
	c.pending = slices.Delete(c.pending, 0, n)
	return taken
}

// insert runs one attempt; retrying is the partitions' decision, since only
// a partition knows whether its generation is still alive.
func (c *combiner) insert(reqs []*insertReq) {
	batches := make([]*store.Batch, len(reqs))
	for i, r := range reqs {
		batches[i] = r.rows
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.attempt)
	began := time.Now()
	queryID, err := c.writeBlocks(ctx, batches)
	cancel()
	if err != nil && queryID != "" {
		c.awaitGone(queryID)
	}
	if err == nil {
		c.metrics.batchSeconds.Observe(time.Since(began).Seconds())
		c.metrics.insertBatches.Observe(float64(len(reqs)))
	}
	for _, r := range reqs {
		r.done <- err
	}
}

// writeBlocks sends the batches as the blocks of one INSERT and commits it.
// It returns the INSERT's query id once one was opened.
func (c *combiner) writeBlocks(ctx context.Context, batches []*store.Batch) (string, error) {
	s, err := c.writer.Begin(ctx)
	if err != nil {
		return "", err
	}
	return s.QueryID(), store.Send(s, batches)
}

// awaitGone waits, for at most the attempt timeout, until the server no
// longer runs a failed INSERT, and kills it if it still runs after half of
// that. ClickHouse stores the blocks an INSERT received when its connection
// breaks, and it may finish an INSERT whose client gave up on it, so a
// partition asking the ledger whether its batch was stored must wait for
// that first. The rebalance timeout allows for this wait.
func (c *combiner) awaitGone(queryID string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.attempt)
	defer cancel()
	outcome, err := c.writer.Settle(ctx, queryID, c.attempt/2)
	switch {
	case err != nil:
		// The server could not be asked for the whole attempt: it is down
		// (it runs nothing after a restart) or cut off from this replica.
		c.metrics.failedEnds.WithLabelValues(endUnknown).Inc()
	case outcome == store.Killed:
		c.metrics.failedEnds.WithLabelValues(endKilled).Inc()
	default:
		c.metrics.failedEnds.WithLabelValues(endGone).Inc()
	}
}
