// Package kafkaadmin holds the few Kafka administration calls the project
// needs (creating topics for tools, benchmarks and the demo).
package kafkaadmin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/segmentio/kafka-go"
)

// CreateTopics creates topics with the given partition counts; topics that
// already exist are left as they are.
func CreateTopics(ctx context.Context, broker string, topics map[string]int) error {
	conn, err := kafka.DialContext(ctx, "tcp", broker)
	if err != nil {
		return fmt.Errorf("dialing %s: %w", broker, err)
	}
	defer conn.Close()
	controller, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("finding controller: %w", err)
	}
	cc, err := kafka.DialContext(ctx, "tcp", net.JoinHostPort(controller.Host, strconv.Itoa(controller.Port)))
	if err != nil {
		return fmt.Errorf("dialing controller: %w", err)
	}
	defer cc.Close()
	var configs []kafka.TopicConfig
	for name, parts := range topics {
		configs = append(configs, kafka.TopicConfig{Topic: name, NumPartitions: parts, ReplicationFactor: 1})
	}
	if err := cc.CreateTopics(configs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("creating topics: %w", err)
	}
	return nil
}
