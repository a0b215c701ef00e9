package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/ingest/event"
	"github.com/opswarehouse/opswarehouse/ingest/guard"
	"github.com/opswarehouse/opswarehouse/ingest/store"
)

// endToEnd runs the ingester binary over the filled topic.
func (b *bench) endToEnd(ctx context.Context, topic string, res *Result) error {
	conn, db, err := b.database(ctx, "e2e")
	if err != nil {
		return err
	}
	defer conn.Close()
	began := time.Now()
	proc, err := startIngester(b.cfg.BinDir, b.ingesterArgs(topic, b.runID+"-e2e", db), b.outPath("ingester-e2e.log"))
	if err != nil {
		return err
	}
	defer proc.stop()
	meter, err := startCPUMeter(proc.cmd.Process.Pid)
	if err != nil {
		return err
	}
	var profile sync.WaitGroup
	if b.cfg.Profile > 0 {
		profile.Add(1)
		go func() { defer profile.Done(); res.ProfileTop = b.profile(proc) }()
	}
	first, last, err := waitForRows(ctx, conn, uint64(b.cfg.Events), 10*time.Minute)
	if err != nil {
		return err
	}
	// From process start to the last row visible, the same definition as
	// the Kafka engine's; steady state (first to last row) is logged too.
	res.E2EWallSeconds = last.Sub(began).Seconds()
	res.E2EEPS = float64(b.cfg.Events) / res.E2EWallSeconds
	res.E2ESteadyEPS = float64(b.cfg.Events) / max(last.Sub(first).Seconds(), 1e-3)
	if res.E2ECPU, err = meter.perEvent(b.cfg.Events); err != nil {
		return err
	}
	if res.E2EInserts, err = scrapeInsertShape(proc.listen); err != nil {
		return err
	}
	if res.RSSMB, err = proc.peakRSSMB(); err != nil {
		return err
	}
	profile.Wait()
	if res.E2EMerges, err = awaitMerges(ctx, conn, b.cfg.Events, 5*time.Minute); err != nil {
		return err
	}
	b.log.Info("end to end", "eps", int(res.E2EEPS), "steady_eps", int(res.E2ESteadyEPS), "wall_s", res.E2EWallSeconds, "rss_mb", int(res.RSSMB))
	return nil
}

// profile takes a CPU profile of the ingester once it is busy.
func (b *bench) profile(proc *ingesterProc) string {
	time.Sleep(2 * time.Second) // past the group join
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", proc.listen, int(b.cfg.Profile.Seconds()))
	resp, err := http.Get(url)
	if err != nil {
		return "profile failed: " + err.Error()
	}
	defer resp.Body.Close()
	path := b.outPath("ingester.cpu.pprof")
	f, err := os.Create(path)
	if err != nil {
		return "profile failed: " + err.Error()
	}
	io.Copy(f, resp.Body)
	f.Close()
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=30", b.cfg.BinDir+"/ingester", path).CombinedOutput()
	if err != nil {
		return "pprof failed: " + err.Error()
	}
	return string(out)
}

// ceiling inserts the same rows, decoded, scrubbed, fingerprinted and laid
// out in columns ahead of time, from one goroutine per partition, each
// INSERT carrying as many batches as there are partitions (the most the
// ingester combines here): only the inserts are timed.
func (b *bench) ceiling(ctx context.Context, topic string, values [][]byte, res *Result) error {
	conn, _, err := b.database(ctx, "ceiling")
	if err != nil {
		return err
	}
	defer conn.Close()
	batches, err := prebuild(topic, values, b.cfg.BatchSize, !b.cfg.Unsorted)
	if err != nil {
		return err
	}
	meter, err := startCPUMeter(os.Getpid())
	if err != nil {
		return err
	}
	began := time.Now()
	if err := insertAll(ctx, store.NewWriter(conn), batches, b.cfg.Partitions, b.cfg.Partitions); err != nil {
		return err
	}
	res.CeilingEPS = float64(len(values)) / time.Since(began).Seconds()
	if res.CeilingCPU, err = meter.perEvent(len(values)); err != nil {
		return err
	}
	if res.CeilingMerges, err = awaitMerges(ctx, conn, len(values), 5*time.Minute); err != nil {
		return err
	}
	b.log.Info("native insert ceiling", "eps", int(res.CeilingEPS))
	return nil
}

func prebuild(topic string, values [][]byte, batchSize int, sorted bool) ([]*store.Batch, error) {
	g, err := guard.New(guard.Config{PseudonymKey: "bench-pseudonym-key-0123456789"})
	if err != nil {
		return nil, err
	}
	fp := fingerprint.New(fingerprint.Config{})
	now := time.Now()
	limits := event.DefaultLimits
	limits.MaxAge = 24 * time.Hour
	var out []*store.Batch
	for from := 0; from < len(values); from += batchSize {
		batch := store.NewBatch(batchSize)
		last := min(from+batchSize, len(values))
		for i := from; i < last; i++ {
			ev, rej := event.Decode(values[i], now, limits)
			if rej != nil {
				return nil, rej
			}
			g.ScrubEvent(&ev)
			r := store.Row{Event: ev, Source: store.Source{Topic: topic, Offset: int64(i)}}
			if ev.IsError() && ev.ErrorMessage != "" {
				r.Fingerprint, r.Template = fp.Fingerprint(ev.ErrorMessage)
			}
			batch.Add(&r)
		}
		batch.SetBatchEnd(int64(last-1), now)
		if sorted {
			batch.SortByKey() // as the ingester does by default
		}
		out = append(out, batch)
	}
	return out, nil
}

// insertAll writes the batches from workers goroutines, batch i by worker
// i mod workers (as the ingester's partitions would), group of a worker's
// batches per INSERT, and returns the first error.
func insertAll(ctx context.Context, w *store.Writer, batches []*store.Batch, workers, group int) error {
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for p := 0; p < workers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []*store.Batch
			for i := p; i < len(batches); i += workers {
				mine = append(mine, batches[i])
			}
			for len(mine) > 0 {
				n := min(max(group, 1), len(mine))
				if err := w.WriteBlocks(ctx, mine[:n]); err != nil {
					errs <- err
					return
				}
				mine = mine[n:]
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
