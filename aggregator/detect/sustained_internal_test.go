package detect

import (
	"testing"
	"time"
)

func TestMedianMinute(t *testing.T) {
	at := func(errors ...uint64) []minuteCount {
		out := make([]minuteCount, len(errors))
		for i, n := range errors {
			out[i] = minuteCount{Minute: time.Unix(int64(60*i), 0), Errors: n}
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		ms      []minuteCount
		minutes int
		want    float64
	}{
		{"no history", nil, 0, 0},
		{"a rare error", at(3, 1), 60, 0},
		{"steady, then an incident in a third of the minutes", append(at(2, 2, 3, 2, 2, 3, 2, 2, 3, 2), at(90, 90, 90, 90, 90)...), 15, 3},
		{"active most minutes", at(1, 2, 3, 4), 5, 2},
	} {
		if got := medianMinute(tt.ms, tt.minutes); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
