// Command produce writes lines from stdin (or a file) to a Kafka topic as
// raw messages, one message per line, byte for byte. Operators use it to
// replay dead letters after a fix; the demo uses it to play a producer that
// bypasses the emitter.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

func main() {
	fs := flag.NewFlagSet("produce", flag.ExitOnError)
	brokers := fs.String("kafka.brokers", "127.0.0.1:19092", "comma-separated Kafka brokers")
	topic := fs.String("kafka.topic", "opswarehouse.events.v1", "topic to write to")
	file := fs.String("file", "-", "file of lines (- for stdin)")
	maxLine := fs.Int("max-line-bytes", 4<<20, "longest line")
	fs.Parse(os.Args[1:])
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*brokers, *topic, *file, *maxLine); err != nil {
		logger.Error("produce failed", "err", err)
		os.Exit(1)
	}
}

func run(brokers, topic, file string, maxLine int) error {
	var in io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("opening %s: %w", file, err)
		}
		defer f.Close()
		in = f
	}
	w := &kafka.Writer{Addr: kafka.TCP(strings.Split(brokers, ",")...), Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: 10 * time.Millisecond}
	defer w.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var msgs []kafka.Message
	for sc.Scan() {
		msgs = append(msgs, kafka.Message{Value: append([]byte(nil), sc.Bytes()...)})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading lines: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("producing %d messages to %s: %w", len(msgs), topic, err)
	}
	fmt.Fprintf(os.Stderr, "produced %d messages to %s\n", len(msgs), topic)
	return nil
}
