package ingester

import (
	"context"
	"fmt"
	"strconv"
	"time"

	json "github.com/goccy/go-json"
	"github.com/segmentio/kafka-go"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// DeadLetter is a rejected message with the reason it was rejected.
type DeadLetter struct {
	Reason    event.Reason
	Detail    string
	Topic     string
	Partition int
	Offset    int64
	Value     []byte
	At        time.Time
}

func newDeadLetter(msg kafka.Message, reason event.Reason, detail string, at time.Time) DeadLetter {
	return DeadLetter{Reason: reason, Detail: detail, Topic: msg.Topic, Partition: msg.Partition,
		Offset: msg.Offset, Value: msg.Value, At: at}
}

// Key identifies the source message; a replay that dead-letters it again
// writes the same key, so readers count dead letters by distinct key.
func (d DeadLetter) Key() string {
	return d.Topic + "/" + strconv.Itoa(d.Partition) + "/" + strconv.FormatInt(d.Offset, 10)
}

// KafkaDeadLetters writes dead letters to a Kafka topic: the original bytes
// as value, the reason and source position as headers.
type KafkaDeadLetters struct {
	w *kafka.Writer
}

// NewKafkaDeadLetters returns a dead-letter writer for topic.
func NewKafkaDeadLetters(brokers []string, topic string) *KafkaDeadLetters {
	return &KafkaDeadLetters{w: &kafka.Writer{
		Addr:                   kafka.TCP(brokers...),
		Topic:                  topic,
		Balancer:               &kafka.Hash{},
		RequiredAcks:           kafka.RequireAll,
		AllowAutoTopicCreation: true,
		BatchTimeout:           time.Millisecond,
		MaxAttempts:            3,
		WriteTimeout:           10 * time.Second,
	}}
}

// WriteDeadLetters produces dls and waits for the broker's acknowledgement.
func (k *KafkaDeadLetters) WriteDeadLetters(ctx context.Context, dls []DeadLetter) error {
	if len(dls) == 0 {
		return nil
	}
	msgs := make([]kafka.Message, len(dls))
	for i, d := range dls {
		msgs[i] = kafka.Message{
			Key:   []byte(d.Key()),
			Value: d.Value,
			Headers: []kafka.Header{
				{Key: "reason", Value: []byte(d.Reason)},
				{Key: "detail", Value: []byte(d.Detail)},
				{Key: "source_topic", Value: []byte(d.Topic)},
				{Key: "source_partition", Value: []byte(strconv.Itoa(d.Partition))},
				{Key: "source_offset", Value: []byte(strconv.FormatInt(d.Offset, 10))},
				{Key: "rejected_at", Value: []byte(d.At.UTC().Format(time.RFC3339Nano))},
			},
		}
	}
	if err := k.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("writing %d dead letters: %w", len(dls), err)
	}
	return nil
}

// Close flushes and closes the producer.
func (k *KafkaDeadLetters) Close() error { return k.w.Close() }

// peekID extracts the event id from a stored message without validating it.
func peekID(value []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(value, &v) != nil {
		return ""
	}
	return v.ID
}
