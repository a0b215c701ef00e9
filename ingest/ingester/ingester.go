package ingester

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// Writer stores batches: Begin opens an INSERT, and Settle returns once
// the server no longer runs one that failed on the ingester's side (a
// broken INSERT can still store the blocks the server received).
type Writer interface {
	Begin(ctx context.Context) (store.Stream, error)
	Settle(ctx context.Context, queryID string, killAfter time.Duration) (store.Settled, error)
	WriteLedger(ctx context.Context, topic string, partition int, first, last int64, at time.Time) error
}

// HighWaterReader reads, per partition, the highest offset already stored.
type HighWaterReader interface {
	HighWater(ctx context.Context, topic string) (map[int]int64, error)
}

// DeadLetterWriter sends rejected messages to the dead-letter topic.
type DeadLetterWriter interface {
	WriteDeadLetters(ctx context.Context, dls []DeadLetter) error
}

// Fingerprinter maps an error message to a stable fingerprint and template.
type Fingerprinter interface {
	Fingerprint(msg string) (uint64, string)
}

// Scrubber removes client data from an event's free text in place.
type Scrubber interface {
	ScrubEvent(e *event.Event) guard.Report
}

// Deps are the ingester's collaborators.
type Deps struct {
	Writer      Writer
	HighWater   HighWaterReader
	DeadLetters DeadLetterWriter
	Fingerprint Fingerprinter
	Scrub       Scrubber
	Logger      *slog.Logger
	Metrics     *Metrics
}

// Ingester runs one member of the ingester consumer group.
type Ingester struct {
	cfg      Config
	deps     Deps
	combiner *combiner
	clock    coarseClock
	ready    atomic.Bool
	now      func() time.Time
	logger   *slog.Logger
}

// New returns an ingester; Run starts it.
func New(cfg Config, deps Deps) (*Ingester, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Writer == nil || deps.HighWater == nil || deps.DeadLetters == nil || deps.Fingerprint == nil ||
		deps.Scrub == nil || deps.Logger == nil || deps.Metrics == nil {
		return nil, errors.New("ingester: every dependency is required")
	}
	return &Ingester{cfg: cfg, deps: deps, combiner: newCombiner(deps.Writer, cfg, deps.Metrics),
		now: time.Now, logger: deps.Logger}, nil
}

// Ready reports whether the ingester holds a generation of the group.
func (in *Ingester) Ready() bool { return in.ready.Load() }

// Run consumes until ctx is cancelled, then flushes what it holds and leaves
// the group.
func (in *Ingester) Run(ctx context.Context) error {
	// The combiner outlives the group: partitions flush on shutdown after
	// ctx ended, and group.Close returns only once they all stopped.
	combineCtx, stopCombiner := context.WithCancel(context.WithoutCancel(ctx))
	combined := make(chan struct{})
	go func() { defer close(combined); in.combiner.run(combineCtx) }()
	defer func() { stopCombiner(); <-combined }()
	go in.clock.run(combineCtx, in.now)
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                    in.cfg.GroupID,
		Brokers:               in.cfg.Brokers,
		Topics:                []string{in.cfg.Topic},
		StartOffset:           kafka.FirstOffset,
		SessionTimeout:        in.cfg.SessionTimeout,
		RebalanceTimeout:      in.cfg.rebalanceTimeout(),
		HeartbeatInterval:     in.cfg.SessionTimeout / 5,
		JoinGroupBackoff:      time.Second,
		WatchPartitionChanges: true,
		ErrorLogger:           kafka.LoggerFunc(func(msg string, args ...any) { in.logger.Debug("kafka group: " + fmt.Sprintf(msg, args...)) }),
	})
	if err != nil {
		return fmt.Errorf("creating consumer group %s: %w", in.cfg.GroupID, err)
	}
	defer group.Close()
	bo := newBackoff(in.cfg.RetryMin, in.cfg.RetryMax)
	for {
		gen, err := group.Next(ctx)
		if ctx.Err() != nil {
			in.ready.Store(false)
			return nil
		}
		if err != nil {
			in.deps.Metrics.kafkaErrors.WithLabelValues("join").Inc()
			in.logger.Warn("joining consumer group", "err", err)
			if !bo.wait(ctx) {
				return nil
			}
			continue
		}
		bo.reset()
		in.runGeneration(ctx, gen)
	}
}

// runGeneration starts one goroutine per assigned partition and a committer.
// kafka-go waits for all of them before the next generation, so a partition
// is never processed by two members at once.
func (in *Ingester) runGeneration(ctx context.Context, gen *kafka.Generation) {
	assignments := gen.Assignments[in.cfg.Topic]
	in.deps.Metrics.assigned.Set(float64(len(assignments)))
	in.logger.Info("joined generation", "generation", gen.ID, "member", gen.MemberID, "partitions", len(assignments))
	commits := newCommitter(in.cfg.Topic, in.deps.Metrics, in.logger)
	gen.Start(func(genCtx context.Context) {
		commits.run(ctx, genCtx, gen, in.cfg.CommitInterval)
	})
	for _, a := range assignments {
		p := &partition{in: in, id: a.ID, committed: a.Offset, commits: commits}
		gen.Start(func(genCtx context.Context) { p.run(ctx, genCtx) })
	}
	in.ready.Store(true)
}
