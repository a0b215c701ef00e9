// Package emittertest reads back what an emitter produced, for tests of
// the emitter and of the components built on it.
package emittertest

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// ReadTopic returns every record in topic, partition by partition, up to
// the end offsets at the time of the call. Call it after the producer has
// been closed (everything it acknowledged is then below the end offsets).
func ReadTopic(tb testing.TB, brokers []string, topic string) []kafka.Message {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	ends := endOffsets(ctx, tb, client, topic)
	var out []kafka.Message
	for p, end := range ends {
		out = append(out, readPartition(ctx, tb, brokers, topic, p, end)...)
	}
	return out
}

// endOffsets maps each partition of topic to its first and end offsets.
func endOffsets(ctx context.Context, tb testing.TB, client *kafka.Client, topic string) map[int][2]int64 {
	tb.Helper()
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		tb.Fatalf("metadata for %s: %v", topic, err)
	}
	var reqs []kafka.OffsetRequest
	for _, t := range md.Topics {
		if t.Error != nil {
			tb.Fatalf("metadata for %s: %v", topic, t.Error)
		}
		for _, p := range t.Partitions {
			reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
		}
	}
	res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		tb.Fatalf("listing offsets of %s: %v", topic, err)
	}
	ends := map[int][2]int64{}
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			tb.Fatalf("offsets of %s/%d: %v", topic, po.Partition, po.Error)
		}
		ends[po.Partition] = [2]int64{po.FirstOffset, po.LastOffset}
	}
	return ends
}

func readPartition(ctx context.Context, tb testing.TB, brokers []string, topic string, partition int, span [2]int64) []kafka.Message {
	tb.Helper()
	first, end := span[0], span[1]
	if end <= first {
		return nil
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: partition, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(first); err != nil {
		tb.Fatalf("seeking %s/%d: %v", topic, partition, err)
	}
	var out []kafka.Message
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			tb.Fatalf("reading %s/%d at %d of %d: %v", topic, partition, len(out), end-first, err)
		}
		out = append(out, m)
		if m.Offset >= end-1 {
			return out
		}
	}
}
