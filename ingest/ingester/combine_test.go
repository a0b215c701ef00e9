package ingester

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// recordingWriter records each INSERT's batches (their first offset) and
// fails the attempts it is told to.
type recordingWriter struct {
	mu      sync.Mutex
	inserts [][]int64
	fail    map[int]error // by attempt number, from 1
	stored  map[int]bool  // a failed attempt that stored its rows anyway
	ledger  map[int]int64 // partition → highest stored offset
	block   chan struct{} // when set, each INSERT waits for it
}

func newRecordingWriter() *recordingWriter {
	return &recordingWriter{fail: map[int]error{}, stored: map[int]bool{}, ledger: map[int]int64{}}
}

func (w *recordingWriter) WriteBlocks(ctx context.Context, batches []*store.Batch) error {
	if w.block != nil {
		<-w.block
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	attempt := len(w.inserts) + 1
	var firsts []int64
	for _, b := range batches {
		_, first, _, _ := b.Span()
		firsts = append(firsts, first)
	}
	w.inserts = append(w.inserts, firsts)
	if err := w.fail[attempt]; err != nil && !w.stored[attempt] {
		return err
	}
	for _, b := range batches {
		p, _, end, _ := b.Span()
		w.ledger[p] = max(w.ledger[p], end)
	}
	return w.fail[attempt]
}

func (w *recordingWriter) Begin(ctx context.Context) (store.Stream, error) {
	return &recordingStream{w: w}, nil
}

func (w *recordingWriter) Settle(ctx context.Context, queryID string, killAfter time.Duration) (store.Settled, error) {
	return store.Gone, nil
}

// recordingStream hands its blocks to WriteBlocks when committed.
type recordingStream struct {
	w       *recordingWriter
	batches []*store.Batch
}

func (s *recordingStream) Append(b *store.Batch) error {
	s.batches = append(s.batches, b)
	return nil
}

func (s *recordingStream) Commit() error   { return s.w.WriteBlocks(context.Background(), s.batches) }
func (s *recordingStream) Abort()          {}
func (s *recordingStream) QueryID() string { return "q" }

func (w *recordingWriter) WriteLedger(ctx context.Context, topic string, partition int, first, last int64, at time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ledger[partition] = max(w.ledger[partition], last)
	return nil
}

func (w *recordingWriter) HighWater(ctx context.Context, topic string) (map[int]int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[int]int64{}
	for p, o := range w.ledger {
		out[p] = o
	}
	return out, nil
}

func (w *recordingWriter) WriteDeadLetters(ctx context.Context, dls []DeadLetter) error { return nil }

func (w *recordingWriter) insertsSoFar() [][]int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][]int64(nil), w.inserts...)
}

func testIngester(t testing.TB, w *recordingWriter, mutate func(*Config)) *Ingester {
	t.Helper()
	cfg := DefaultConfig()
	cfg.RetryMin, cfg.RetryMax = time.Millisecond, 5*time.Millisecond
	cfg.InsertLinger = time.Hour // only a full set of partitions or InsertRows sends
	if mutate != nil {
		mutate(&cfg)
	}
	m := NewMetrics(prometheus.NewRegistry())
	in := &Ingester{cfg: cfg, now: time.Now, logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		deps: Deps{Writer: w, HighWater: w, DeadLetters: w, Metrics: m}, combiner: newCombiner(w, cfg, m)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); in.combiner.run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return in
}

// testPartition returns a partition holding an open batch of n rows at
// offsets [first, first+n).
func testPartition(in *Ingester, id int, first int64, n int) *partition {
	p := &partition{in: in, id: id, commits: newCommitter("t", in.deps.Metrics, in.logger)}
	for i := range p.spare {
		p.spare[i].rows = store.NewBatch(n)
		p.spare[i].reset()
	}
	p.fill = &p.spare[0]
	fillBatch(p, first, n)
	return p
}

func fillBatch(p *partition, first int64, n int) {
	b := p.fill
	b.first, b.last, b.opened = first, first+int64(n)-1, time.Now()
	for i := 0; i < n; i++ {
		r := store.Row{Event: event.Event{ID: "e", Tenant: "t", Time: time.Now()},
			Source: store.Source{Topic: "t", Partition: p.id, Offset: first + int64(i)}}
		b.rows.Add(&r)
	}
}

func TestCombinerSendsEveryPartitionsBatchInOneInsert(t *testing.T) {
	w := newRecordingWriter()
	in := testIngester(t, w, nil)
	var parts []*partition
	for id := 0; id < 3; id++ {
		in.combiner.join()
		parts = append(parts, testPartition(in, id, int64(100*id), 10))
	}
	for _, p := range parts {
		if !p.flush(context.Background()) {
			t.Fatal("flush failed")
		}
	}
	for _, p := range parts {
		if !p.settle(context.Background()) {
			t.Fatal("settle failed")
		}
	}
	got := w.insertsSoFar()
	if len(got) != 1 || len(got[0]) != 3 {
		t.Fatalf("inserts %v, want one INSERT of three batches", got)
	}
	for id, p := range parts {
		if p.sent != nil || w.ledger[id] != int64(100*id+9) {
			t.Errorf("partition %d: sent=%v ledger=%d", id, p.sent, w.ledger[id])
		}
	}
}

func TestCombinerCapsRowsPerInsert(t *testing.T) {
	w := newRecordingWriter()
	// The rest waits out the linger: not every partition handed one over.
	in := testIngester(t, w, func(c *Config) { c.InsertRows, c.InsertLinger = 25, 50*time.Millisecond })
	var parts []*partition
	for id := 0; id < 4; id++ {
		in.combiner.join()
		parts = append(parts, testPartition(in, id, 0, 10))
	}
	for _, p := range parts {
		p.flush(context.Background())
	}
	for _, p := range parts {
		p.settle(context.Background())
	}
	got := w.insertsSoFar()
	if len(got) != 2 || len(got[0]) != 2 || len(got[1]) != 2 {
		t.Fatalf("inserts %v, want two INSERTs of two batches (25 rows at most)", got)
	}
}

func TestFailedInsertIsRetriedUnlessTheLedgerHasIt(t *testing.T) {
	for _, tc := range []struct {
		name         string
		storedAnyway bool
		wantInserts  int
	}{
		{"lost", false, 2},
		{"acknowledgement lost", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newRecordingWriter()
			w.fail[1] = errors.New("connection reset")
			w.stored[1] = tc.storedAnyway
			in := testIngester(t, w, nil)
			in.combiner.join()
			p := testPartition(in, 0, 0, 10)
			if !p.flush(context.Background()) || !p.settle(context.Background()) {
				t.Fatal("batch not stored")
			}
			if got := w.insertsSoFar(); len(got) != tc.wantInserts {
				t.Fatalf("inserts %v, want %d", got, tc.wantInserts)
			}
			if w.ledger[0] != 9 {
				t.Fatalf("ledger %d, want 9", w.ledger[0])
			}
		})
	}
}

func TestPartitionKeepsOneBatchInFlightInOffsetOrder(t *testing.T) {
	w := newRecordingWriter()
	w.fail[1] = errors.New("server down")
	in := testIngester(t, w, func(c *Config) { c.InsertLinger = 0 })
	in.combiner.join()
	p := testPartition(in, 0, 0, 10)
	p.flush(context.Background())
	fillBatch(p, 10, 10)
	// The second flush must first store the failed first batch.
	p.flush(context.Background())
	p.settle(context.Background())
	got := w.insertsSoFar()
	want := [][]int64{{0}, {0}, {10}}
	if len(got) != len(want) {
		t.Fatalf("inserts %v, want %v", got, want)
	}
	for i := range want {
		if got[i][0] != want[i][0] {
			t.Fatalf("inserts %v, want %v", got, want)
		}
	}
}

func TestEndedGenerationWithdrawsItsBatchOrWaitsForTheInsert(t *testing.T) {
	w := newRecordingWriter()
	in := testIngester(t, w, nil)
	in.combiner.join()
	in.combiner.join() // a second partition that never hands over: the first waits
	p := testPartition(in, 0, 0, 10)
	p.flush(context.Background())
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if p.settle(ended) {
		t.Fatal("settle reported a withdrawn batch as stored")
	}
	if got := w.insertsSoFar(); len(got) != 0 || p.sent != nil {
		t.Fatalf("inserts %v sent=%v: a withdrawn batch must never be inserted", got, p.sent)
	}

	// Taken by an INSERT already: the partition waits for its outcome.
	w.block = make(chan struct{})
	in.combiner.leave()
	fillBatch(p, 10, 10)
	p.flush(context.Background())
	time.Sleep(20 * time.Millisecond) // the combiner takes it and blocks in WriteBlocks
	go func() { time.Sleep(50 * time.Millisecond); close(w.block) }()
	if !p.settle(ended) {
		t.Fatal("an INSERT that took the batch and succeeded must count as stored")
	}
	if w.ledger[0] != 19 {
		t.Fatalf("ledger %d, want 19", w.ledger[0])
	}
}
