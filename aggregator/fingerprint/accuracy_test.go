package fingerprint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint/internal/loghub"
)

// minAverageGA is the acceptance floor for grouping accuracy averaged over
// the Loghub datasets found.
const minAverageGA = 0.90

// TestLoghubAccuracy scores every "<name>_2k.log_structured.csv" in the
// Loghub directory with the logpai grouping-accuracy metric: the stateless
// fingerprint, and the same through Aliases in file order (as the CLI does).
// The floor applies to the stateless ids, which is what ingest stores.
func TestLoghubAccuracy(t *testing.T) {
	dir := loghubDir(t)
	paths, err := loghub.Paths(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		missingData(t, fmt.Sprintf("no *%s in %s", loghub.Suffix, dir))
		return
	}
	f := New(Config{})
	var table strings.Builder
	fmt.Fprintf(&table, "%-12s %6s %7s %7s %7s %7s\n", "dataset", "lines", "GA", "+alias", "Drain", "groups")
	sum := 0.0
	for _, path := range paths {
		d, err := loghub.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		truth := make([]string, len(d.Rows))
		pred := make([]uint64, len(d.Rows))
		aliased := make([]uint64, len(d.Rows))
		aliases := NewAliases()
		groups := map[uint64]bool{}
		for i, r := range d.Rows {
			truth[i] = r.EventID
			var template string
			pred[i], template = f.Fingerprint(r.Content)
			aliased[i], _ = aliases.Resolve(pred[i], template)
			groups[pred[i]] = true
		}
		ga := loghub.GroupingAccuracy(truth, pred)
		sum += ga
		drain := "-"
		if g, ok := loghub.DrainGA[d.Name]; ok {
			drain = fmt.Sprintf("%.3f", g)
		}
		fmt.Fprintf(&table, "%-12s %6d %7.3f %7.3f %7s %7d\n", d.Name, len(d.Rows), ga,
			loghub.GroupingAccuracy(truth, aliased), drain, len(groups))
	}
	avg := sum / float64(len(paths))
	fmt.Fprintf(&table, "%-12s %6s %7.3f\n", "average", "", avg)
	t.Log("\n" + table.String())
	if avg < minAverageGA {
		t.Errorf("average grouping accuracy %.3f < %.2f", avg, minAverageGA)
	}
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
