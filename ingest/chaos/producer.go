package chaos

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// produced counts acknowledged sends.
type produced struct {
	valid, malformed int
}

type producer struct {
	cfg   Config
	topic string
	runID string
}

func newProducer(cfg Config, topic, runID string) *producer {
	return &producer{cfg: cfg, topic: topic, runID: runID}
}

func (p *producer) duration() time.Duration {
	return time.Duration(float64(p.cfg.Events) / float64(p.cfg.Rate) * float64(time.Second))
}

// run produces at the configured rate. A failed send is retried with the same
// messages until the broker acknowledges it, so every message counts once in
// the expected total even if a retry duplicated it inside Kafka.
func (p *producer) run(ctx context.Context, log *slog.Logger) (produced, error) {
	w := &kafka.Writer{Addr: kafka.TCP(p.cfg.Brokers), Topic: p.topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 500, BatchTimeout: 2 * time.Millisecond,
		MaxAttempts: 3, WriteTimeout: 10 * time.Second, Compression: kafka.Lz4}
	defer w.Close()
	const chunk = 250
	var out produced
	start := time.Now()
	lastLog := start
	for sent := 0; sent < p.cfg.Events; {
		n := min(chunk, p.cfg.Events-sent)
		msgs, bad := p.messages(sent, n)
		for attempt := 1; ; attempt++ {
			if err := w.WriteMessages(ctx, msgs...); err == nil {
				break
			} else if ctx.Err() != nil {
				return out, ctx.Err()
			} else if attempt%10 == 1 {
				log.Warn("produce failed; retrying the same messages", "attempt", attempt, "err", firstLine(err))
			}
			time.Sleep(200 * time.Millisecond)
		}
		sent += n
		out.valid += n
		out.malformed += bad
		if due := time.Duration(float64(sent) / float64(p.cfg.Rate) * float64(time.Second)); due > time.Since(start) {
			time.Sleep(due - time.Since(start))
		}
		if time.Since(lastLog) > 10*time.Second {
			log.Info("producing", "acked_valid", out.valid, "acked_malformed", out.malformed)
			lastLog = time.Now()
		}
	}
	return out, nil
}

// messages builds valid events [from, from+n) plus the malformed messages
// that fall in that range; each malformed message is unique.
func (p *producer) messages(from, n int) ([]kafka.Message, int) {
	msgs := make([]kafka.Message, 0, n+1)
	bad := 0
	now := time.Now().UTC()
	for i := from; i < from+n; i++ {
		e := event.Event{V: 1, ID: fmt.Sprintf("%s-%d", p.runID, i), Time: now, Tenant: fmt.Sprintf("t-%03d", i%97),
			Service: "chaos", Cell: fmt.Sprintf("cell-%d", i%5), Kind: event.KindJobState, State: event.StateSucceeded,
			JobID: fmt.Sprintf("j-%d", i), JobType: "chaos.job", DurationMs: float64(i % 1000)}
		b, _ := event.Marshal(&e)
		msgs = append(msgs, kafka.Message{Key: []byte(e.ID), Value: b})
		if p.cfg.BadEvery > 0 && i%p.cfg.BadEvery == 0 {
			msgs = append(msgs, kafka.Message{Key: []byte(fmt.Sprint("bad-", i)), Value: []byte(fmt.Sprintf(`{"v":1,"id":"bad-%s-%d",`, p.runID, i))})
			bad++
		}
	}
	return msgs, bad
}

// firstLine keeps a multi-message kafka-go error readable in the log.
func firstLine(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
