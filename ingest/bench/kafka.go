package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// fill produces values to topic as fast as the broker takes them.
func fill(ctx context.Context, broker, topic string, values [][]byte) error {
	w := &kafka.Writer{Addr: kafka.TCP(broker), Topic: topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchSize: 10000, BatchBytes: 16 << 20, BatchTimeout: 20 * time.Millisecond,
		Compression: kafka.Lz4, WriteTimeout: 30 * time.Second}
	defer w.Close()
	const chunk = 20000
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	sem := make(chan struct{}, 4)
	for from := 0; from < len(values); from += chunk {
		msgs := make([]kafka.Message, 0, chunk)
		for i := from; i < min(from+chunk, len(values)); i++ {
			msgs = append(msgs, kafka.Message{Key: []byte(fmt.Sprint(i)), Value: values[i]})
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				errs <- fmt.Errorf("filling %s: %w", topic, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
