package guard

import (
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// maxFindingRate is the share of real-log lines (public Loghub datasets:
// HDFS, OpenSSH, ZooKeeper, …) that may contain a finding other than an IP
// address. Those logs hold host addresses but no payment, credential or
// contact data, so findings there are false positives, and lose operators
// information.
const maxFindingRate = 0.005

var nonIPMarker = regexp.MustCompile(`<(email|card|phone|jwt|token|secret|iban|pii)[:>]`)

// TestLoghubFalsePositives scrubs the Content column of every
// *_structured.csv in $OPSW_LOGHUB_DIR (default: shared/data/loghub-dev
// beside the repository). It fails, never skips, when there is no data.
func TestLoghubFalsePositives(t *testing.T) {
	g := newTestGuard(t)
	files, err := filepath.Glob(filepath.Join(loghubDir(t), "*_structured.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Loghub *_structured.csv in %s (set OPSW_LOGHUB_DIR): %v", loghubDir(t), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			lines := readLoghubContent(t, f)
			findings := 0
			for _, in := range lines {
				out := g.ScrubText(in)
				if out == in || !nonIPMarker.MatchString(out) {
					continue
				}
				findings++
				t.Logf("finding\n in: %s\nout: %s", in, out)
			}
			if rate := float64(findings) / float64(len(lines)); rate > maxFindingRate {
				t.Errorf("%d of %d lines (%.2f%%) have findings other than IP addresses, budget %.2f%%",
					findings, len(lines), 100*rate, 100*maxFindingRate)
			}
		})
	}
}

func readLoghubContent(tb testing.TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	col := -1
	for i, h := range records[0] {
		if h == "Content" {
			col = i
		}
	}
	if col < 0 {
		tb.Fatalf("%s has no Content column", path)
	}
	lines := make([]string, 0, len(records)-1)
	for _, r := range records[1:] {
		lines = append(lines, r[col])
	}
	return lines
}

// loghubDir is $OPSW_LOGHUB_DIR or shared/data/loghub-dev beside the
// repository, as for the fingerprint accuracy test.
func loghubDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("OPSW_LOGHUB_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "data", "loghub-dev")
		} else if !errors.Is(err, fs.ErrNotExist) {
			tb.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
