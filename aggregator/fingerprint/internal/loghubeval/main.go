// Command loghubeval prints the grouping accuracy of the fingerprint rules on
// every Loghub "<name>_2k.log_structured.csv" in a directory, so the rules
// can be scored on datasets that are not in the repository:
//
//	go run ./aggregator/fingerprint/internal/loghubeval -dir /path/to/loghub
//
// The directory defaults to $OPSW_LOGHUB_DIR. A missing or empty directory
// is an error, never a silent pass.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint"
	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint/internal/loghub"
)

func main() {
	fs := flag.NewFlagSet("loghubeval", flag.ContinueOnError)
	dir := fs.String("dir", os.Getenv("OPSW_LOGHUB_DIR"), "directory of *"+loghub.Suffix+" files (default $OPSW_LOGHUB_DIR)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if err := run(*dir, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loghubeval:", err)
		os.Exit(1)
	}
}

func run(dir string, out io.Writer) error {
	if dir == "" {
		return errors.New("no directory: pass -dir or set OPSW_LOGHUB_DIR")
	}
	paths, err := loghub.Paths(dir)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("no *%s in %s", loghub.Suffix, dir)
	}
	f := fingerprint.New(fingerprint.Config{})
	fmt.Fprintf(out, "%-12s %6s %7s %7s %7s %7s\n", "dataset", "lines", "GA", "+alias", "Drain", "groups")
	var sum, sumAliased float64
	for _, p := range paths {
		d, err := loghub.Load(p)
		if err != nil {
			return err
		}
		s := score(f, d)
		sum += s.ga
		sumAliased += s.aliased
		drain := "-"
		if g, ok := loghub.DrainGA[d.Name]; ok {
			drain = fmt.Sprintf("%.3f", g)
		}
		fmt.Fprintf(out, "%-12s %6d %7.3f %7.3f %7s %7d\n", d.Name, len(d.Rows), s.ga, s.aliased, drain, s.groups)
	}
	n := float64(len(paths))
	fmt.Fprintf(out, "%-12s %6s %7.3f %7.3f\n", "average", "", sum/n, sumAliased/n)
	return nil
}

type scores struct {
	ga, aliased float64
	groups      int
}

// score groups the messages of d by fingerprint id, and by the id that
// Aliases gives when the messages arrive in file order.
func score(f *fingerprint.Fingerprinter, d loghub.Dataset) scores {
	truth := make([]string, len(d.Rows))
	pred := make([]uint64, len(d.Rows))
	aliased := make([]uint64, len(d.Rows))
	groups := map[uint64]bool{}
	a := fingerprint.NewAliases()
	for i, r := range d.Rows {
		truth[i] = r.EventID
		var template string
		pred[i], template = f.Fingerprint(r.Content)
		aliased[i], _ = a.Resolve(pred[i], template)
		groups[pred[i]] = true
	}
	return scores{
		ga:      loghub.GroupingAccuracy(truth, pred),
		aliased: loghub.GroupingAccuracy(truth, aliased),
		groups:  len(groups),
	}
}
