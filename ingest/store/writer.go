package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Writer inserts batches of rows into the events table.
type Writer struct {
	conn driver.Conn
}

// NewWriter returns a Writer over conn.
func NewWriter(conn driver.Conn) *Writer { return &Writer{conn: conn} }

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
	n := cols.Len()
	if n == 0 {
		return nil
	}
	batch, err := w.conn.PrepareBatch(ctx, "INSERT INTO events ("+eventColumns+")")
	if err != nil {
		return fmt.Errorf("preparing insert of %d events: %w", n, err)
	}
	defer batch.Abort()
	driverCols := batch.Columns()
	for i, col := range cols.columns() {
		if err := cols.appendColumn(driverCols[i], batch.Column(i), col); err != nil {
			return fmt.Errorf("appending column %d: %w", i, err)
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
