package ingester_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/ingester"
	"github.com/opswarehouse/opswarehouse/ingest/pipelinetest"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

var (
	sampleEvent = pipelinetest.SampleEvent
	marshal     = pipelinetest.Marshal
	waitUntil   = pipelinetest.WaitUntil
)

func TestIngestExactCountsAndDeadLetters(t *testing.T) {
	e := pipelinetest.New(t, 4)
	now := time.Now().UTC()
	const good = 20000
	var values [][]byte
	for i := 0; i < good; i++ {
		values = append(values, marshal(t, sampleEvent(i, now)))
	}
	valid := string(marshal(t, sampleEvent(good+1, now)))
	noTenant := sampleEvent(good+2, now)
	noTenant.Tenant = ""
	bad := map[event.Reason]string{
		event.ReasonMalformedJSON:    `{"v":1,"id":"x"`,
		event.ReasonWrongType:        strings.Replace(valid, `"v":1`, `"v":"1"`, 1),
		event.ReasonUnknownField:     strings.Replace(valid, `"v":1,`, `"v":1,"customer":"ACME",`, 1),
		event.ReasonTooLarge:         strings.Replace(valid, `"billing"`, `"`+strings.Repeat("x", 70<<10)+`"`, 1),
		event.ReasonInvalidUTF8:      strings.Replace(valid, `billing`, "bil\xfeling", 1),
		event.ReasonFutureTimestamp:  strings.Replace(valid, now.Format("2006-01-02"), now.AddDate(0, 0, 2).Format("2006-01-02"), 1),
		event.ReasonAncientTimestamp: strings.Replace(valid, now.Format("2006-01-02"), "2019-01-01", 1),
		event.ReasonMissingTenant:    string(marshal(t, noTenant)),
	}
	for _, v := range bad {
		values = append(values, []byte(v))
	}
	e.Produce(t, values)
	e.StartIngester(t)
	waitUntil(t, 60*time.Second, "all events stored", func() bool {
		rows, _ := e.Counts(t)
		return rows >= good
	})
	waitUntil(t, 30*time.Second, "all dead letters", func() bool { return e.DeadLetters(t).Distinct >= len(bad) })
	time.Sleep(time.Second) // anything extra would land now
	rows, distinct := e.Counts(t)
	if rows != good || distinct != good {
		t.Fatalf("stored rows=%d distinct=%d, want %d", rows, distinct, good)
	}
	dl := e.DeadLetters(t)
	if dl.Distinct != len(bad) {
		t.Fatalf("dead letters %d, want %d: %v", dl.Distinct, len(bad), dl.ByReason)
	}
	for reason := range bad {
		if dl.ByReason[reason] != 1 {
			t.Errorf("reason %s: %d dead letters, want 1 (all: %v)", reason, dl.ByReason[reason], dl.ByReason)
		}
	}
}

func TestIngestRestartAndTwoReplicasStoreOnce(t *testing.T) {
	e := pipelinetest.New(t, 4)
	now := time.Now().UTC()
	batch := func(from, n int) [][]byte {
		var out [][]byte
		for i := from; i < from+n; i++ {
			out = append(out, marshal(t, sampleEvent(i, now)))
		}
		return out
	}
	e.Produce(t, batch(0, 5000))
	stop := e.StartIngester(t)
	waitUntil(t, 60*time.Second, "first 5000", func() bool { r, _ := e.Counts(t); return r >= 5000 })
	stop()
	// Commits are lost on purpose: the replica that restarts must rely on
	// the ledger, not on Kafka's committed offsets.
	e.Config.GroupID += "-fresh"
	e.Produce(t, batch(5000, 5000))
	e.StartIngester(t)
	e.StartIngester(t) // a second replica in the same group
	waitUntil(t, 90*time.Second, "all 10000", func() bool { r, _ := e.Counts(t); return r >= 10000 })
	time.Sleep(2 * time.Second)
	rows, distinct := e.Counts(t)
	if rows != 10000 || distinct != 10000 {
		t.Fatalf("rows=%d distinct=%d, want 10000 each", rows, distinct)
	}
}

func TestDuplicateEventIDsFromProducerRetriesAreDropped(t *testing.T) {
	e := pipelinetest.New(t, 2)
	now := time.Now().UTC()
	var values [][]byte
	for i := 0; i < 1000; i++ {
		v := marshal(t, sampleEvent(i, now))
		values = append(values, v, v) // every event sent twice, as a retry would
	}
	e.Produce(t, values)
	e.StartIngester(t)
	waitUntil(t, 60*time.Second, "1000 events", func() bool { r, _ := e.Counts(t); return r >= 1000 })
	time.Sleep(time.Second)
	if rows, distinct := e.Counts(t); rows != 1000 || distinct != 1000 {
		t.Fatalf("rows=%d distinct=%d, want 1000", rows, distinct)
	}
}

// faultyWriter fails chosen commits of a real ClickHouse writer: either its
// connection breaks before the commit (ClickHouse 18.16 then stores the
// blocks it received, later), or the INSERT is stored and its
// acknowledgement lost.
type faultyWriter struct {
	ingester.Writer
	mu      sync.Mutex
	commits int
	broken  map[int]bool // commit number → connection broken first
	ackLost map[int]bool // commit number → stored, reported failed
}

type faultyStream struct {
	store.Stream
	w *faultyWriter
}

func (w *faultyWriter) Begin(ctx context.Context) (store.Stream, error) {
	s, err := w.Writer.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &faultyStream{Stream: s, w: w}, nil
}

func (s *faultyStream) Commit() error {
	s.w.mu.Lock()
	s.w.commits++
	n := s.w.commits
	s.w.mu.Unlock()
	switch {
	case s.w.broken[n]:
		s.Stream.Abort()
		return errors.New("injected: connection broken before the commit")
	case s.w.ackLost[n]:
		if err := s.Stream.Commit(); err != nil {
			return err
		}
		return errors.New("injected: acknowledgement lost")
	}
	return s.Stream.Commit()
}

func TestFailedInsertsAreStoredExactlyOnce(t *testing.T) {
	e := pipelinetest.New(t, 4)
	e.Config.BatchSize, e.Config.InsertRows = 500, 2000
	fw := &faultyWriter{broken: map[int]bool{2: true, 5: true}, ackLost: map[int]bool{3: true, 7: true}}
	e.Wrap = func(w ingester.Writer) ingester.Writer { fw.Writer = w; return fw }
	now := time.Now().UTC()
	const n = 20000
	var values [][]byte
	for i := 0; i < n; i++ {
		values = append(values, marshal(t, sampleEvent(i, now)))
	}
	e.Produce(t, values)
	e.StartIngester(t)
	waitUntil(t, 90*time.Second, "all events stored", func() bool { r, _ := e.Counts(t); return r >= n })
	time.Sleep(time.Second) // anything extra would land now
	rows, distinct := e.Counts(t)
	if rows != n || distinct != n {
		logBatches(t, e)
		t.Fatalf("stored rows=%d distinct=%d, want %d each", rows, distinct, n)
	}
	if got := counterValue(t, e.Reg, "opswarehouse_ingester_insert_errors_total"); got < 4 {
		t.Fatalf("insert errors %v: the four injected faults did not all happen", got)
	}
}

func counterValue(t testing.TB, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) > 0 {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// logBatches logs the stored rows per partition batch, to show which were
// stored twice or not at all.
func logBatches(t testing.TB, e *pipelinetest.Pipeline) {
	t.Helper()
	r, err := e.CH.Conn.Query(context.Background(), `SELECT src_partition, min(src_offset), max(src_offset), count(), batch_end
		FROM events GROUP BY src_partition, batch_end ORDER BY src_partition, batch_end`)
	if err != nil {
		t.Logf("reading batches: %v", err)
		return
	}
	defer r.Close()
	for r.Next() {
		var p uint16
		var first, last, n, end uint64
		if err := r.Scan(&p, &first, &last, &n, &end); err != nil {
			t.Logf("reading batches: %v", err)
			return
		}
		t.Logf("partition %d, batch ending at %d: offsets [%d, %d], %d rows", p, end, first, last, n)
	}
}
