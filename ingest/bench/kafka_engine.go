package bench

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

//go:embed kafka_engine.sql
var kafkaEngineSQL string

// kafkaEngine measures ClickHouse's Kafka table engine on the same topic.
func (b *bench) kafkaEngine(ctx context.Context, topic string, res *Result) error {
	conn, _, err := b.database(ctx, "kafka_engine")
	if err != nil {
		return err
	}
	defer conn.Close()
	fill := map[string]string{"broker": b.cfg.Brokers, "topic": topic, "group": b.runID + "-kafka-engine",
		"consumers": strconv.Itoa(b.cfg.Partitions)}
	meter, err := startCPUMeter(0)
	if err != nil {
		return err
	}
	began := time.Now()
	for _, stmt := range strings.Split(kafkaEngineSQL, ";\n") {
		stmt = stripComments(stmt)
		if stmt == "" {
			continue
		}
		for k, v := range fill {
			if !event.IsIdentifier(v) {
				return fmt.Errorf("kafka engine setting %s=%q is not an identifier", k, v)
			}
			stmt = strings.ReplaceAll(stmt, "{{"+k+"}}", v)
		}
		if err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("creating Kafka engine table: %w", err)
		}
	}
	defer conn.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS kafka_events_mv")
	defer conn.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS kafka_events")
	_, last, err := waitForRows(ctx, conn, uint64(b.cfg.Events), 10*time.Minute)
	if err != nil {
		return err
	}
	res.KafkaEngineEPS = float64(b.cfg.Events) / last.Sub(began).Seconds()
	if res.KafkaEngineCPU, err = meter.perEvent(b.cfg.Events); err != nil {
		return err
	}
	b.log.Info("kafka table engine", "eps", int(res.KafkaEngineEPS), "wall_s", last.Sub(began).Seconds())
	return nil
}

func stripComments(stmt string) string {
	var out []string
	for _, line := range strings.Split(stmt, "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
			out = append(out, line)
		}
	}
	return strings.TrimSuffix(strings.TrimSpace(strings.Join(out, "\n")), ";")
}
