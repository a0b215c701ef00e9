package sim

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// templateCounter counts messages by their true template, read from the
// label side channel, and checks each message came from its template.
type templateCounter struct {
	tb     testing.TB
	tmpls  []TemplateInfo
	prefix map[int]string
	counts map[int]int
	bad    int
}

func (c *templateCounter) Emit(context.Context, *event.Event) error {
	c.tb.Fatal("the simulator must use EmitLabeled on a LabeledSink")
	return nil
}

func (c *templateCounter) EmitLabeled(_ context.Context, ev *event.Event, l Label) error {
	if (l.Template >= 0) != (ev.ErrorMessage != "") {
		c.tb.Fatalf("label %+v on event with message %q", l, ev.ErrorMessage)
	}
	if l.Template < 0 {
		return nil
	}
	c.counts[l.Template]++
	if !strings.HasPrefix(ev.ErrorMessage, c.prefix[l.Template]) && c.bad < 3 {
		c.bad++
		c.tb.Errorf("message %q does not start like template %s", ev.ErrorMessage, c.tmpls[l.Template].Text)
	}
	return nil
}

// TestTemplateDistribution: a 24-hour default fleet's error messages,
// grouped by the template that produced them, span at least 200 templates
// with heavy-tailed counts: a few templates carry most messages, most are
// rare.
func TestTemplateDistribution(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode = ModeBackfill
	cfg.Start = testStart
	cfg.Duration = 24 * time.Hour
	cfg.Rate = 200
	cfg.Workers = 1
	s, err := New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &templateCounter{tb: t, tmpls: s.Templates(), prefix: map[int]string{}, counts: map[int]int{}}
	for _, tp := range s.lib.all {
		c.prefix[tp.ID] = tp.Prefix
	}
	if err := s.Run(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	counts := make([]int, 0, len(c.counts))
	total := 0
	for _, n := range c.counts {
		counts = append(counts, n)
		total += n
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	top := 0
	for _, n := range counts[:len(counts)/10] {
		top += n
	}
	median := counts[len(counts)/2]
	t.Logf("%d messages from %d of %d templates; top 10%% of templates carry %.1f%%; max %d, median %d, min %d",
		total, len(counts), len(c.tmpls), 100*float64(top)/float64(total), counts[0], median, counts[len(counts)-1])
	if len(counts) < 200 {
		t.Errorf("%d distinct templates, want at least 200", len(counts))
	}
	if share := float64(top) / float64(total); share < 0.5 {
		t.Errorf("top 10%% of templates carry %.2f of messages, want at least half (heavy head)", share)
	}
	if float64(counts[0]) < 50*float64(median) {
		t.Errorf("most common template %d times, median %d: want a ratio of at least 50 (long tail)", counts[0], median)
	}
}

// collector keeps clones of every event.
type collector struct {
	mu     sync.Mutex
	events []*event.Event
}

func (c *collector) Emit(_ context.Context, ev *event.Event) error {
	c.mu.Lock()
	c.events = append(c.events, CloneEvent(ev))
	c.mu.Unlock()
	return nil
}

func collect(tb testing.TB, cfg Config) []*event.Event {
	tb.Helper()
	s, err := New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		tb.Fatal(err)
	}
	c := &collector{}
	if err := s.Run(context.Background(), c, nil); err != nil {
		tb.Fatal(err)
	}
	return c.events
}

func streamConfig() Config {
	cfg := scenarioTestConfig()
	cfg.Duration = 90 * time.Minute
	cfg.Mix = "default"
	return cfg
}

// TestEventsAreValid: every event passes the contract's validation at the
// end of the run, ids are unique, and every job goes through a legal
// lifecycle.
func TestEventsAreValid(t *testing.T) {
	cfg := streamConfig()
	events := collect(t, cfg)
	now := cfg.Start.Add(cfg.Duration)
	ids := make(map[string]bool, len(events))
	kinds := map[event.Kind]int{}
	type jobState struct {
		last    event.State
		attempt uint16
	}
	jobs := map[string]*jobState{}
	for _, ev := range events {
		kinds[ev.Kind]++
		if rej := ev.Validate(now, event.DefaultLimits); rej != nil {
			t.Fatalf("invalid event %+v: %v", ev, rej)
		}
		if ids[ev.ID] {
			t.Fatalf("duplicate event id %s", ev.ID)
		}
		ids[ev.ID] = true
		if ev.JobID == "" {
			continue
		}
		j := jobs[ev.JobID]
		if j == nil {
			if ev.State != event.StateQueued || ev.Attempt != 1 {
				t.Fatalf("job %s starts with %s attempt %d", ev.JobID, ev.State, ev.Attempt)
			}
			jobs[ev.JobID] = &jobState{last: ev.State, attempt: 1}
			continue
		}
		if !legalStep(j.last, ev) || (ev.Kind == event.KindJobRetry) != (ev.Attempt == j.attempt+1) {
			t.Fatalf("job %s: %s (attempt %d) after %s (attempt %d)", ev.JobID, stateOf(ev), ev.Attempt, j.last, j.attempt)
		}
		j.last, j.attempt = stateOf(ev), ev.Attempt
	}
	t.Logf("%d events, %d jobs, by kind %v", len(events), len(jobs), kinds)
	for _, k := range event.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s events", k)
		}
	}
}

// retryState stands for a job_retry event in the lifecycle.
const retryState event.State = "retry"

func stateOf(ev *event.Event) event.State {
	if ev.Kind == event.KindJobRetry {
		return retryState
	}
	return ev.State
}

func legalStep(prev event.State, ev *event.Event) bool {
	next := map[event.State][]event.State{
		event.StateQueued:  {event.StateRunning, event.StateCancelled},
		event.StateRunning: {event.StateSucceeded, event.StateFailed, event.StateDead},
		event.StateFailed:  {retryState},
		retryState:         {event.StateRunning},
	}
	return slices.Contains(next[prev], stateOf(ev))
}

func streamHash(events []*event.Event) uint64 {
	h := fnv.New64a()
	for _, ev := range events {
		b, _ := json.Marshal(ev) // sorts attrs keys; event.Marshal does not
		h.Write(b)
	}
	return h.Sum64()
}

// TestDeterministic: the same seed gives the same events, byte for byte;
// another seed does not; two workers give the same events in another order.
func TestDeterministic(t *testing.T) {
	cfg := streamConfig()
	cfg.Duration = 20 * time.Minute
	a, b := collect(t, cfg), collect(t, cfg)
	if streamHash(a) != streamHash(b) {
		t.Fatal("two runs with the same seed differ")
	}
	other := cfg
	other.Seed++
	if streamHash(collect(t, other)) == streamHash(a) {
		t.Fatal("another seed gives the same events")
	}
	parallel := cfg
	parallel.Workers = 2
	c := collect(t, parallel)
	byID := func(evs []*event.Event) []*event.Event {
		s := slices.Clone(evs)
		slices.SortFunc(s, func(x, y *event.Event) int { return strings.Compare(x.ID, y.ID) })
		return s
	}
	if streamHash(byID(c)) != streamHash(byID(a)) {
		t.Fatal("two workers produce other events than one")
	}
}
