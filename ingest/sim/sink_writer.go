package sim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// WriterSink writes events as NDJSON (contract v1 documents, one a line).
type WriterSink struct {
	mu sync.Mutex
	w  *bufio.Writer
}

// NewWriterSink writes to w; call Close to flush.
func NewWriterSink(w io.Writer) *WriterSink {
	return &WriterSink{w: bufio.NewWriterSize(w, 1<<20)}
}

// Emit writes one line.
func (s *WriterSink) Emit(_ context.Context, ev *event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, err := event.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding event %s: %w", ev.ID, err)
	}
	if _, err = s.w.Write(doc); err != nil {
		return err
	}
	return s.w.WriteByte('\n')
}

// Close flushes buffered lines.
func (s *WriterSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Flush()
}
