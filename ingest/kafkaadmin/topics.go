// Package kafkaadmin holds the few Kafka administration calls the project
// needs (creating topics for tools, benchmarks and the demo).
package kafkaadmin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// CreateTopics creates topics with the given partition counts; topics that
// already exist are left as they are.
func CreateTopics(ctx context.Context, broker string, topics map[string]int) error {
	conn, cc, err := dialController(ctx, broker)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer cc.Close()
	var configs []kafka.TopicConfig
	for name, parts := range topics {
		configs = append(configs, kafka.TopicConfig{Topic: name, NumPartitions: parts, ReplicationFactor: 1})
	}
	if err := cc.CreateTopics(configs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("creating topics: %w", err)
	}
	for name, parts := range topics {
		if err := waitForLeaders(ctx, conn, name, parts); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTopics deletes topics (benchmarks clean up what they filled).
func DeleteTopics(ctx context.Context, broker string, topics ...string) error {
	conn, cc, err := dialController(ctx, broker)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer cc.Close()
	if err := cc.DeleteTopics(topics...); err != nil {
		return fmt.Errorf("deleting topics %v: %w", topics, err)
	}
	return nil
}

// dialController returns a connection to broker and one to the controller.
func dialController(ctx context.Context, broker string) (*kafka.Conn, *kafka.Conn, error) {
	conn, err := kafka.DialContext(ctx, "tcp", broker)
	if err != nil {
		return nil, nil, fmt.Errorf("dialing %s: %w", broker, err)
	}
	controller, err := conn.Controller()
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("finding controller: %w", err)
	}
	cc, err := kafka.DialContext(ctx, "tcp", net.JoinHostPort(controller.Host, strconv.Itoa(controller.Port)))
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("dialing controller: %w", err)
	}
	return conn, cc, nil
}

// waitForLeaders returns once every partition of topic has a leader: a
// producer that writes before then is told the topic does not exist.
func waitForLeaders(ctx context.Context, conn *kafka.Conn, topic string, partitions int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		parts, err := conn.ReadPartitions(topic)
		ready := 0
		for _, p := range parts {
			if p.Leader.Host != "" {
				ready++
			}
		}
		if err == nil && ready >= partitions {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("waiting for leaders of %s (%d of %d ready): %v", topic, ready, partitions, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
