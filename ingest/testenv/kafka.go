package testenv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// KafkaCluster is a reachable Kafka cluster.
type KafkaCluster struct {
	Brokers []string
	client  *kafka.Client
}

// Kafka connects to the brokers in $OPSW_KAFKA_BROKERS (comma-separated,
// default 127.0.0.1:19092).
func Kafka(tb testing.TB) *KafkaCluster {
	tb.Helper()
	brokers := strings.Split(envOr("OPSW_KAFKA_BROKERS", "127.0.0.1:19092"), ",")
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 15 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := client.Metadata(ctx, &kafka.MetadataRequest{}); err != nil {
		unavailable(tb, "kafka", strings.Join(brokers, ","), err)
		return nil
	}
	return &KafkaCluster{Brokers: brokers, client: client}
}

// CreateTopic creates a topic named after tb with the given number of
// partitions, waits until every partition has a leader, and deletes the
// topic at tb's cleanup.
func (k *KafkaCluster) CreateTopic(tb testing.TB, partitions int) string {
	tb.Helper()
	topic := uniqueName(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	resp, err := k.client.CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}},
	})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		tb.Fatalf("testenv: creating kafka topic %s: %v", topic, err)
	}
	tb.Cleanup(func() { k.deleteTopic(tb, topic) })

	if err := k.waitForLeaders(ctx, topic, partitions); err != nil {
		tb.Fatalf("testenv: kafka topic %s: %v", topic, err)
	}
	return topic
}

// waitForLeaders polls until every partition serves requests: CreateTopics
// returns before the new partitions have leaders, and a broker's metadata
// names a leader a moment before that leader accepts requests. Producing in
// that window fails with NOT_LEADER_OR_FOLLOWER, or, with acks=0, loses the
// messages silently.
func (k *KafkaCluster) waitForLeaders(ctx context.Context, topic string, partitions int) error {
	var last error
	for {
		last = k.leadersReady(ctx, topic, partitions)
		if last == nil {
			last = k.partitionsServe(ctx, topic, partitions)
		}
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for partition leaders: %w (last: %v)", ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (k *KafkaCluster) leadersReady(ctx context.Context, topic string, partitions int) error {
	meta, err := k.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return err
	}
	for _, t := range meta.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return t.Error
		}
		if len(t.Partitions) != partitions {
			return fmt.Errorf("%d of %d partitions in metadata", len(t.Partitions), partitions)
		}
		for _, p := range t.Partitions {
			if p.Error != nil {
				return fmt.Errorf("partition %d: %w", p.ID, p.Error)
			}
			if p.Leader.Host == "" {
				return fmt.Errorf("partition %d has no leader", p.ID)
			}
		}
		return nil
	}
	return errors.New("topic not in metadata yet")
}

// partitionsServe asks each partition's leader for its end offset, which
// only a leader that has taken over the partition answers.
func (k *KafkaCluster) partitionsServe(ctx context.Context, topic string, partitions int) error {
	reqs := make([]kafka.OffsetRequest, partitions)
	for p := range reqs {
		reqs[p] = kafka.LastOffsetOf(p)
	}
	resp, err := k.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return err
	}
	if got := len(resp.Topics[topic]); got != partitions {
		return fmt.Errorf("offsets for %d of %d partitions", got, partitions)
	}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return fmt.Errorf("partition %d: %w", p.Partition, p.Error)
		}
	}
	return nil
}

func (k *KafkaCluster) deleteTopic(tb testing.TB, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := k.client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{topic}})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil && !errors.Is(err, kafka.UnknownTopicOrPartition) {
		tb.Errorf("testenv: deleting kafka topic %s: %v", topic, err)
	}
}
