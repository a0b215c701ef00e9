package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

func (w *Writer) insertContext(ctx context.Context, queryID string) context.Context {
	opts := []clickhouse.QueryOption{clickhouse.WithQueryID(queryID)}
	if w.parallelViews {
		opts = append(opts, clickhouse.WithSettings(clickhouse.Settings{"parallel_view_processing": 1}))
	}
	return clickhouse.Context(ctx, opts...)
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
	s, err := w.Begin(ctx)
	if err != nil {
		return err
	}
	return Send(s, batches)
}

// Send appends the batches to s as its blocks and commits it; a failed
// append aborts s.
func Send(s Stream, batches []*Batch) error {
	for _, b := range batches {
		if err := s.Append(b); err != nil {
			s.Abort()
			return err
		}
	}
	return s.Commit()
}

// Stream is one INSERT open on the server. Append sends a batch as a block
// at once, so the batch may be reused as soon as Append returns; the server
// squashes the blocks and stores them when Commit ends the INSERT. Abort
// only closes the connection: ClickHouse 18.16 then stores the whole blocks
// it received, so a caller must treat an aborted INSERT like a failed one
// whose prefix may have been stored, and wait (Writer.Settle) until the
// server is done with it.
type Stream interface {
	Append(b *Batch) error
	Commit() error
	Abort()
	QueryID() string
}

type stream struct {
	batch      driver.Batch
	driverCols []column.Interface
	rows       int
	id         string
}

// Begin opens an INSERT into events under a fresh query id. ctx bounds the
// whole INSERT: cancelling it closes the connection.
func (w *Writer) Begin(ctx context.Context) (Stream, error) {
	id, err := newQueryID()
	if err != nil {
		return nil, err
	}
	batch, err := w.conn.PrepareBatch(w.insertContext(ctx, id), "INSERT INTO events ("+eventColumns+")")
	if err != nil {
		return nil, fmt.Errorf("opening an insert: %w", err)
	}
	return &stream{batch: batch, driverCols: batch.Columns(), id: id}, nil
}

func newQueryID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a query id: %w", err)
	}
	return "opswarehouse-ingest-" + hex.EncodeToString(b[:]), nil
}

func (s *stream) QueryID() string { return s.id }

func (s *stream) Append(b *Batch) error {
	if b.Len() == 0 {
		return nil
	}
	for i, col := range b.columns() {
		if err := b.appendColumn(s.driverCols[i], s.batch.Column(i), col); err != nil {
			return fmt.Errorf("appending column %d: %w", i, err)
		}
	}
	if err := s.batch.Flush(); err != nil {
		return fmt.Errorf("sending a block of %d events: %w", b.Len(), err)
	}
	s.rows += b.Len()
	return nil
}

func (s *stream) Commit() error {
	if err := s.batch.Send(); err != nil {
		return fmt.Errorf("inserting %d events: %w", s.rows, err)
	}
	return nil
}

func (s *stream) Abort() { _ = s.batch.Abort() } // it only releases the connection

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
