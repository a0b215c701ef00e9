package fingerprint

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// minAverageGA is the acceptance floor for grouping accuracy averaged over
// the Loghub datasets found.
const minAverageGA = 0.90

// drainGA is Drain's published grouping accuracy (Loghub benchmark), shown
// beside ours for comparison.
var drainGA = map[string]float64{
	"HDFS": 0.998, "HealthApp": 0.780, "OpenSSH": 0.788, "Zookeeper": 0.967,
	"Apache": 1.000, "BGL": 0.963, "Hadoop": 0.948, "HPC": 0.887, "Linux": 0.690,
	"Mac": 0.787, "Proxifier": 0.527, "Spark": 0.920, "Thunderbird": 0.955,
	"Windows": 0.997, "Android": 0.911, "OpenStack": 0.733,
}

// TestLoghubAccuracy scores every "<name>_2k.log_structured.csv" in the
// Loghub directory with the logpai grouping-accuracy metric.
func TestLoghubAccuracy(t *testing.T) {
	dir := loghubDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*_2k.log_structured.csv"))
	if err != nil {
		t.Fatalf("listing %s: %v", dir, err)
	}
	if len(files) == 0 {
		missingData(t, fmt.Sprintf("no *_2k.log_structured.csv in %s", dir))
		return
	}
	sort.Strings(files)
	f := New(Config{})
	var table strings.Builder
	fmt.Fprintf(&table, "%-12s %6s %7s %7s %7s\n", "dataset", "lines", "GA", "Drain", "groups")
	sum := 0.0
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), "_2k.log_structured.csv")
		rows := loadStructured(t, path)
		truth := make([]string, len(rows))
		pred := make([]uint64, len(rows))
		groups := map[uint64]bool{}
		for i, r := range rows {
			truth[i] = r.eventID
			pred[i], _ = f.Fingerprint(r.content)
			groups[pred[i]] = true
		}
		ga := groupingAccuracy(truth, pred)
		sum += ga
		drain := "-"
		if d, ok := drainGA[name]; ok {
			drain = fmt.Sprintf("%.3f", d)
		}
		fmt.Fprintf(&table, "%-12s %6d %7.3f %7s %7d\n", name, len(rows), ga, drain, len(groups))
	}
	avg := sum / float64(len(files))
	fmt.Fprintf(&table, "%-12s %6s %7.3f\n", "average", "", avg)
	t.Log("\n" + table.String())
	if avg < minAverageGA {
		t.Errorf("average grouping accuracy %.3f < %.2f", avg, minAverageGA)
	}
}

func TestGroupingAccuracy(t *testing.T) {
	tests := []struct {
		name  string
		truth []string
		pred  []uint64
		want  float64
	}{
		{"perfect", []string{"a", "a", "b"}, []uint64{7, 7, 9}, 1},
		{"renamed ids still perfect", []string{"a", "b"}, []uint64{9, 7}, 1},
		{"split group loses all its lines", []string{"a", "a", "b"}, []uint64{1, 2, 3}, 1.0 / 3},
		{"merged groups lose both", []string{"a", "a", "b"}, []uint64{1, 1, 1}, 0},
		{"empty", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := groupingAccuracy(tt.truth, tt.pred); got != tt.want {
				t.Errorf("groupingAccuracy = %v, want %v", got, tt.want)
			}
		})
	}
}

// groupingAccuracy is logpai/logparser's GA: a line is correct only if the
// set of lines in its predicted group equals the set in its true group.
func groupingAccuracy(truth []string, pred []uint64) float64 {
	if len(truth) == 0 {
		return 0
	}
	predSize := map[uint64]int{}
	for _, p := range pred {
		predSize[p]++
	}
	type group struct {
		size  int
		pred  uint64
		mixed bool
	}
	groups := map[string]*group{}
	for i, tr := range truth {
		g, ok := groups[tr]
		if !ok {
			g = &group{pred: pred[i]}
			groups[tr] = g
		}
		g.size++
		g.mixed = g.mixed || g.pred != pred[i]
	}
	correct := 0
	for _, g := range groups {
		if !g.mixed && predSize[g.pred] == g.size {
			correct += g.size
		}
	}
	return float64(correct) / float64(len(truth))
}

type structuredRow struct{ content, eventID string }

func loadStructured(tb testing.TB, path string) []structuredRow {
	tb.Helper()
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatalf("opening dataset: %v", err)
	}
	defer fh.Close()
	records, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	if len(records) < 2 {
		tb.Fatalf("%s: no rows", path)
	}
	content, event := -1, -1
	for i, h := range records[0] {
		switch h {
		case "Content":
			content = i
		case "EventId":
			event = i
		}
	}
	if content < 0 || event < 0 {
		tb.Fatalf("%s: header %v lacks Content or EventId", path, records[0])
	}
	rows := make([]structuredRow, 0, len(records)-1)
	for _, r := range records[1:] {
		rows = append(rows, structuredRow{content: r[content], eventID: r[event]})
	}
	return rows
}

// loghubDir is $OPSW_LOGHUB_DIR or shared/data/loghub-dev beside the repo.
func loghubDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("OPSW_LOGHUB_DIR"); d != "" {
		return d
	}
	root, err := repoRoot()
	if err != nil {
		tb.Fatalf("finding repository root: %v", err)
	}
	return filepath.Join(root, "..", "shared", "data", "loghub-dev")
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// missingData fails under CI, where the data must be present, and skips on
// a developer machine that lacks it.
func missingData(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("Loghub data missing (set OPSW_LOGHUB_DIR): %s", why)
	}
	tb.Skipf("Loghub data missing (set OPSW_LOGHUB_DIR): %s", why)
}
