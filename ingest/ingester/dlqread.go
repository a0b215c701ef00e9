package ingester

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// DeadLetterSummary counts a dead-letter topic's content by distinct source
// message: a message dead-lettered twice (a replay after a crash) counts once.
type DeadLetterSummary struct {
	Messages int // records in the topic
	Distinct int // distinct source messages
	// DistinctPayloads counts distinct message bytes: a producer retry that
	// duplicated a bad message inside Kafka gives two sources, one payload.
	DistinctPayloads int
	ByReason         map[event.Reason]int // distinct source messages per reason
}

// SummarizeDeadLetters reads the whole dead-letter topic.
func SummarizeDeadLetters(ctx context.Context, broker, topic string) (DeadLetterSummary, error) {
	sum := DeadLetterSummary{ByReason: map[event.Reason]int{}}
	conn, err := kafka.DialContext(ctx, "tcp", broker)
	if err != nil {
		return sum, fmt.Errorf("dialing %s: %w", broker, err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		var kerr kafka.Error
		if errors.As(err, &kerr) && kerr == kafka.UnknownTopicOrPartition {
			return sum, nil // nothing was ever dead-lettered
		}
		return sum, fmt.Errorf("reading partitions of %s: %w", topic, err)
	}
	seen := map[string]bool{}
	payloads := map[string]bool{}
	for _, p := range parts {
		if err := readPartition(ctx, broker, topic, p.ID, func(m kafka.Message) {
			sum.Messages++
			if !payloads[string(m.Value)] {
				payloads[string(m.Value)] = true
				sum.DistinctPayloads++
			}
			if seen[string(m.Key)] {
				return
			}
			seen[string(m.Key)] = true
			sum.Distinct++
			sum.ByReason[event.Reason(header(m, "reason"))]++
		}); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

func readPartition(ctx context.Context, broker, topic string, partition int, fn func(kafka.Message)) error {
	conn, err := kafka.DialLeader(ctx, "tcp", broker, topic, partition)
	if err != nil {
		return fmt.Errorf("dialing leader of %s/%d: %w", topic, partition, err)
	}
	defer conn.Close()
	first, last, err := conn.ReadOffsets()
	if err != nil {
		return fmt.Errorf("reading offsets of %s/%d: %w", topic, partition, err)
	}
	if _, err := conn.Seek(first, kafka.SeekAbsolute); err != nil {
		return fmt.Errorf("seeking %s/%d: %w", topic, partition, err)
	}
	for off := first; off < last; {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		batch := conn.ReadBatch(1, 16<<20)
		before := off
		for {
			m, err := batch.ReadMessage()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					batch.Close()
					return fmt.Errorf("reading %s/%d at %d: %w", topic, partition, off, err)
				}
				break
			}
			fn(m)
			off = m.Offset + 1
		}
		if err := batch.Close(); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("closing batch of %s/%d: %w", topic, partition, err)
		}
		if off == before {
			return fmt.Errorf("reading %s/%d: no progress at offset %d of %d", topic, partition, off, last)
		}
	}
	return nil
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
