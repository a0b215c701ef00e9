package bench

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/kafkaadmin"
	"github.com/opswarehouse/opswarehouse/queries"
)

const probeTenant = "t-probe"

// latency produces at rate for LatencyFor through a fresh ingester and
// measures, for probe events (1 in 200), the time from the broker's
// acknowledgement to the event being returned by a query.
func (b *bench) latency(ctx context.Context, rate float64, res *Result) error {
	conn, db, err := b.database(ctx, "latency")
	if err != nil {
		return err
	}
	defer conn.Close()
	topic := b.runID + ".latency"
	if err := kafkaadmin.CreateTopics(ctx, b.cfg.Brokers, map[string]int{topic: b.cfg.Partitions}); err != nil {
		return err
	}
	proc, err := startIngester(b.cfg.BinDir, b.ingesterArgs(topic, b.runID+"-latency", db), b.outPath("ingester-latency.log"))
	if err != nil {
		return err
	}
	defer proc.stop()
	time.Sleep(3 * time.Second) // let the ingester join its group

	acked := map[string]time.Time{}
	var mu sync.Mutex
	since := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	done := make(chan struct{})
	var visible map[string]time.Time
	var pollErr error
	go func() { visible, pollErr = pollProbes(ctx, conn, since, done) }()
	if err := b.produceAtRate(ctx, topic, rate, func(id string, at time.Time) { mu.Lock(); acked[id] = at; mu.Unlock() }); err != nil {
		return err
	}
	time.Sleep(10 * time.Second) // the tail lands
	close(done)
	for visible == nil && pollErr == nil {
		time.Sleep(50 * time.Millisecond)
	}
	if pollErr != nil {
		return pollErr
	}
	var lat []float64
	for id, at := range acked {
		v, ok := visible[id]
		if !ok {
			return fmt.Errorf("probe %s never became visible", id)
		}
		lat = append(lat, max(v.Sub(at).Seconds(), 0))
	}
	if len(lat) == 0 {
		return errors.New("latency run sent no probes")
	}
	sort.Float64s(lat)
	res.LatencyRateEPS = rate
	res.P50LatencyS = lat[len(lat)/2]
	res.P99LatencyS = lat[min(len(lat)-1, len(lat)*99/100)]
	b.log.Info("latency", "rate", int(rate), "probes", len(lat), "p50_s", res.P50LatencyS, "p99_s", res.P99LatencyS)
	return nil
}

func (b *bench) produceAtRate(ctx context.Context, topic string, rate float64, ack func(string, time.Time)) error {
	w := &kafka.Writer{Addr: kafka.TCP(b.cfg.Brokers), Topic: topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 5000, BatchBytes: 16 << 20, BatchTimeout: 5 * time.Millisecond,
		Compression: kafka.Lz4}
	defer w.Close()
	const tick = 50 * time.Millisecond
	perTick := int(rate * tick.Seconds())
	start := time.Now()
	seq := 0
	for t := start; time.Since(start) < b.cfg.LatencyFor; t = t.Add(tick) {
		time.Sleep(time.Until(t))
		msgs := make([]kafka.Message, 0, perTick)
		var probes []string
		now := time.Now().UTC()
		for i := 0; i < perTick; i++ {
			e := genEvent(b.runID+"-lat", seq, now)
			if seq%200 == 0 {
				e.Tenant, e.Kind, e.State, e.ErrorMessage, e.ErrorClass = probeTenant, event.KindJobState, event.StateRunning, "", ""
				probes = append(probes, e.ID)
			}
			v, _ := event.Marshal(&e)
			msgs = append(msgs, kafka.Message{Key: []byte(e.ID), Value: v})
			seq++
		}
		if err := writeRetryingUnknownTopic(ctx, w, msgs); err != nil {
			return fmt.Errorf("producing at rate: %w", err)
		}
		at := time.Now()
		for _, id := range probes {
			ack(id, at)
		}
	}
	return nil
}

// pollProbes records when each probe event is first returned by a query.
func pollProbes(ctx context.Context, conn driver.Conn, since time.Time, done <-chan struct{}) (map[string]time.Time, error) {
	q := queries.Get("ingest_probe_events")
	args := q.MustBind(queries.Named("tenant", probeTenant), queries.Named("since", since))
	seen := map[string]time.Time{}
	for {
		select {
		case <-done:
			return seen, nil
		case <-time.After(100 * time.Millisecond):
		}
		rows, err := conn.Query(ctx, q.SQL, args...)
		if err != nil {
			return nil, fmt.Errorf("polling probes: %w", err)
		}
		now := time.Now()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scanning probe: %w", err)
			}
			if _, ok := seen[id]; !ok {
				seen[id] = now
			}
		}
		rows.Close()
	}
}

// writeRetryingUnknownTopic retries while a just-created topic is not yet
// known to the broker's metadata.
func writeRetryingUnknownTopic(ctx context.Context, w *kafka.Writer, msgs []kafka.Message) error {
	for attempt := 0; ; attempt++ {
		err := w.WriteMessages(ctx, msgs...)
		if !errors.Is(err, kafka.UnknownTopicOrPartition) || attempt == 50 {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
