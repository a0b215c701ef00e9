// Package loghub reads Loghub "<name>_2k.log_structured.csv" datasets and
// scores a grouping of their messages with logpai/logparser's grouping
// accuracy. It is shared by the accuracy test and the loghubeval tool.
package loghub

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Suffix names the structured file of a dataset: "<name>" + Suffix.
const Suffix = "_2k.log_structured.csv"

// Row is one message of a dataset and the id of its true event.
type Row struct{ Content, EventID string }

// Dataset is one structured file.
type Dataset struct {
	Name string
	Rows []Row
}

// DrainGA is Drain's published grouping accuracy (Zhu et al. 2019, Loghub
// 2k sets), shown beside ours for comparison.
var DrainGA = map[string]float64{
	"HDFS": 0.998, "HealthApp": 0.780, "OpenSSH": 0.788, "Zookeeper": 0.967,
	"Apache": 1.000, "BGL": 0.963, "Hadoop": 0.948, "HPC": 0.887, "Linux": 0.690,
	"Mac": 0.787, "Proxifier": 0.527, "Spark": 0.920, "Thunderbird": 0.955,
	"Windows": 0.997, "Android": 0.911, "Andriod": 0.911, "OpenStack": 0.733,
}

// Paths lists the structured files in dir, sorted by name.
func Paths(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+Suffix))
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	sort.Strings(paths)
	return paths, nil
}

// Load reads the Content and EventId columns of one structured file.
func Load(path string) (Dataset, error) {
	d := Dataset{Name: strings.TrimSuffix(filepath.Base(path), Suffix)}
	fh, err := os.Open(path)
	if err != nil {
		return d, fmt.Errorf("opening dataset: %w", err)
	}
	defer fh.Close()
	records, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		return d, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(records) < 2 {
		return d, fmt.Errorf("%s: no rows", path)
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
		return d, fmt.Errorf("%s: header %v lacks Content or EventId", path, records[0])
	}
	d.Rows = make([]Row, 0, len(records)-1)
	for _, r := range records[1:] {
		d.Rows = append(d.Rows, Row{Content: r[content], EventID: r[event]})
	}
	return d, nil
}

// GroupingAccuracy is logpai/logparser's GA: a message is correct only if
// the set of messages in its predicted group equals the set in its true
// group.
func GroupingAccuracy(truth []string, pred []uint64) float64 {
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
