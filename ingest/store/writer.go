package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Writer inserts batches of rows into the events table.
type Writer struct {
	conn          driver.Conn
	parallelViews bool
}

// NewWriter returns a Writer over conn that has the server run the
// materialized views of an INSERT in parallel.
func NewWriter(conn driver.Conn) *Writer { return &Writer{conn: conn, parallelViews: true} }

// SetParallelViews says whether the server runs the materialized views of
// an INSERT in parallel (parallel_view_processing). One INSERT's views
// otherwise run one after another in one server thread, and on a warehouse
// with several rollups that thread, not the cores, limits how fast one
// ingester can insert.
func (w *Writer) SetParallelViews(on bool) { w.parallelViews = on }

func (w *Writer) insertContext(ctx context.Context) context.Context {
	if !w.parallelViews {
		return ctx
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"parallel_view_processing": 1}))
}

// WriteRows inserts rows as one batch (a convenience for tests and tools).
func (w *Writer) WriteRows(ctx context.Context, rows []Row) error {
	b := NewBatch(len(rows))
	for i := range rows {
		b.Add(&rows[i])
	}
	return w.Write(ctx, b)
}

// Write inserts the batch as one INSERT block, so it is stored whole or not
// at all.
func (w *Writer) Write(ctx context.Context, cols *Batch) error {
	return w.WriteBlocks(ctx, []*Batch{cols})
}

// WriteBlocks inserts the batches as the blocks of one INSERT. The server
// squashes the blocks of one INSERT (up to min_insert_block_size_rows)
// before its materialized views run, so several small batches cost it what
// one big block does: one part per table instead of one per batch.
func (w *Writer) WriteBlocks(ctx context.Context, batches []*Batch) error {
	n := 0
	for _, b := range batches {
		n += b.Len()
	}
	if n == 0 {
		return nil
	}
	batch, err := w.conn.PrepareBatch(w.insertContext(ctx), "INSERT INTO events ("+eventColumns+")")
	if err != nil {
		return fmt.Errorf("preparing insert of %d events: %w", n, err)
	}
	defer batch.Abort()
	driverCols := batch.Columns()
	for _, cols := range batches {
		if cols.Len() == 0 {
			continue
		}
		for i, col := range cols.columns() {
			if err := cols.appendColumn(driverCols[i], batch.Column(i), col); err != nil {
				return fmt.Errorf("appending column %d: %w", i, err)
			}
		}
		if len(batches) > 1 {
			if err := batch.Flush(); err != nil {
				return fmt.Errorf("sending a block of %d events: %w", cols.Len(), err)
			}
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("inserting %d events: %w", n, err)
	}
	return nil
}

// appendColumn hands one column to the driver: shared when it can be,
// copied when not.
func (c *Batch) appendColumn(driverCol column.Interface, to driver.BatchColumn, col insertColumn) error {
	switch {
	case col.str != nil:
		if shareStr(driverCol, col.str) {
			return nil
		}
		return to.Append(col.str.views())
	case col.arrays != nil:
		if shareArray(driverCol, col.arrays, c.attrEnds) {
			return nil
		}
		return to.Append(c.arrayViews(col.arrays))
	}
	return to.Append(col.fixed)
}

// WriteLedger records a batch that produced no event rows (every message was
// dead-lettered), so a replay does not dead-letter them again.
func (w *Writer) WriteLedger(ctx context.Context, topic string, partition int, first, last int64, at time.Time) error {
	batch, err := w.conn.PrepareBatch(ctx, "INSERT INTO ingest_ledger (topic, partition, first_offset, last_offset, rows, ingested_at)")
	if err != nil {
		return fmt.Errorf("preparing ledger insert: %w", err)
	}
	defer batch.Abort()
	if err := batch.Append(topic, uint16(partition), uint64(first), uint64(last), uint64(0), at.UTC()); err != nil {
		return fmt.Errorf("appending ledger row: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("inserting ledger row: %w", err)
	}
	return nil
}
