package sim

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// ReportProgress writes a progress line to w every interval until ctx
// ends: simulated time, share done, events per second, total, lag behind
// the mode's schedule and the active scenarios.
func (s *Simulator) ReportProgress(ctx context.Context, w io.Writer, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	wall0, prev, prevAt := time.Now(), uint64(0), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			st := s.Stats()
			rate := float64(st.Events-prev) / now.Sub(prevAt).Seconds()
			prev, prevAt = st.Events, now
			fmt.Fprintf(w, "sim %s %s %s ev/s, total %s%s, active: %s\n",
				st.SimTime.Format(time.RFC3339), s.done(st.SimTime), humanCount(rate), humanCount(float64(st.Events)),
				s.lag(wall0, now, st.SimTime), s.activeList())
		}
	}
}

func (s *Simulator) done(simNow time.Time) string {
	if s.End().IsZero() {
		return ""
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(simNow.UnixNano()-s.start)/float64(s.end-s.start))
}

// lag is how far simulated time trails the mode's schedule: the sink (or
// the machine) not keeping up.
func (s *Simulator) lag(wall0, now, simNow time.Time) string {
	var want time.Time
	switch s.cfg.Mode {
	case ModeRealtime:
		want = now
	case ModeAccelerated:
		want = s.Start().Add(time.Duration(float64(now.Sub(wall0)) * s.cfg.Speed))
	default:
		return ""
	}
	if lag := want.Sub(simNow); lag > time.Second {
		return fmt.Sprintf(", behind by %s", lag.Round(time.Second))
	}
	return ""
}

func (s *Simulator) activeList() string {
	if p := s.active.Load(); p != nil && *p != "" {
		return *p
	}
	return "none"
}

// publishActive records the active scenarios' names for ReportProgress.
func (s *Simulator) publishActive() {
	var names []string
	for _, sc := range s.scenarios {
		if sc.active {
			names = append(names, sc.def.name)
		}
	}
	list := strings.Join(names, ",")
	s.active.Store(&list)
}

func humanCount(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
