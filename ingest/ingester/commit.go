package ingester

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// committer commits, per partition, the offset after the last batch
// ClickHouse acknowledged. Commits only shorten replays: correctness comes
// from the ledger, so committing on an interval is safe.
type committer struct {
	topic   string
	metrics *Metrics
	logger  *slog.Logger

	mu      sync.Mutex
	pending map[int]int64
}

func newCommitter(topic string, m *Metrics, logger *slog.Logger) *committer {
	return &committer{topic: topic, metrics: m, logger: logger, pending: map[int]int64{}}
}

// acked records that everything before next is stored.
func (c *committer) acked(partition int, next int64) {
	c.mu.Lock()
	c.pending[partition] = next
	c.mu.Unlock()
}

func (c *committer) run(runCtx, genCtx context.Context, gen *kafka.Generation, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-genCtx.Done():
			c.commit(gen) // best effort: the ledger covers a lost commit
			return
		case <-t.C:
			c.commit(gen)
		}
	}
}

func (c *committer) commit(gen *kafka.Generation) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	offsets := c.pending
	c.pending = map[int]int64{}
	c.mu.Unlock()
	if err := gen.CommitOffsets(map[string]map[int]int64{c.topic: offsets}); err != nil {
		c.metrics.kafkaErrors.WithLabelValues("commit").Inc()
		c.logger.Debug("committing offsets", "err", err)
		c.mu.Lock()
		for p, o := range offsets {
			if cur, ok := c.pending[p]; !ok || cur < o {
				c.pending[p] = o
			}
		}
		c.mu.Unlock()
		return
	}
	c.metrics.commits.Inc()
}
