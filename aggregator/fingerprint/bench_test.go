package fingerprint

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/opswarehouse/opswarehouse/aggregator/fingerprint/internal/loghub"
)

// benchMessages are the golden corpus: many log styles, 10-330 bytes.
func benchMessages(tb testing.TB) []string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "messages.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	var msgs []string
	for _, m := range strings.Split(string(raw), "\n") {
		if strings.TrimSpace(m) != "" {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

func reportThroughput(b *testing.B, msgs []string) {
	bytes := 0
	for _, m := range msgs {
		bytes += len(m)
	}
	b.SetBytes(int64(bytes / len(msgs)))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkFingerprint(b *testing.B) {
	msgs := benchMessages(b)
	f := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Fingerprint(msgs[i%len(msgs)])
	}
	reportThroughput(b, msgs)
}

// BenchmarkBaselineCopyHash is the floor to compare BenchmarkFingerprint
// with in the same run: copy the message, hash it, allocate the string.
func BenchmarkBaselineCopyHash(b *testing.B) {
	msgs := benchMessages(b)
	buf := make([]byte, 0, 512)
	var n uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = append(buf[:0], msgs[i%len(msgs)]...)
		n += xxhash.Sum64(buf)
		sink = string(buf)
	}
	reportThroughput(b, msgs)
	_ = n
}

var sink string

// BenchmarkFingerprintParallel shows that concurrent callers do not contend.
func BenchmarkFingerprintParallel(b *testing.B) {
	msgs := benchMessages(b)
	f := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			f.Fingerprint(msgs[i%len(msgs)])
			i++
		}
	})
	reportThroughput(b, msgs)
}

// BenchmarkFingerprintLoghub runs over the Loghub development data: real
// messages in the proportions they occur.
func BenchmarkFingerprintLoghub(b *testing.B) {
	msgs := loghubMessages(b)
	if len(msgs) == 0 {
		return
	}
	f := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Fingerprint(msgs[i%len(msgs)])
	}
	reportThroughput(b, msgs)
}

// loghubMessages returns the messages of every Loghub file found, in order.
func loghubMessages(b *testing.B) []string {
	b.Helper()
	paths, err := loghub.Paths(loghubDir(b))
	if err != nil {
		b.Fatal(err)
	}
	if len(paths) == 0 {
		missingData(b, "no Loghub files")
		return nil
	}
	var msgs []string
	for _, path := range paths {
		d, err := loghub.Load(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range d.Rows {
			msgs = append(msgs, r.Content)
		}
	}
	return msgs
}

// BenchmarkAliasesLoghub is the cost Aliases adds per message of a real
// stream (the dev data, each file a fresh stream), mostly known ids.
func BenchmarkAliasesLoghub(b *testing.B) {
	msgs := loghubMessages(b)
	if len(msgs) == 0 {
		return
	}
	f := New(Config{})
	ids := make([]uint64, len(msgs))
	templates := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i], templates[i] = f.Fingerprint(m)
	}
	b.ReportAllocs()
	b.ResetTimer()
	a := NewAliases()
	for i := 0; i < b.N; i++ {
		k := i % len(msgs)
		if k == 0 {
			a = NewAliases()
		}
		a.Resolve(ids[k], templates[k])
	}
	reportThroughput(b, msgs)
}

// BenchmarkAliasesAllNew is the worst case: every template is new and
// general enough to be matched against every root (up to maxAliasRoots).
func BenchmarkAliasesAllNew(b *testing.B) {
	templates := make([]string, 4*maxAliasRoots)
	for i := range templates {
		templates[i] = fmt.Sprintf("job %d of queue q%x stalled at <*> after <*> retries", i, i*7919)
	}
	b.ReportAllocs()
	b.ResetTimer()
	a := NewAliases()
	for i := 0; i < b.N; i++ {
		k := i % len(templates)
		if k == 0 {
			a = NewAliases()
		}
		a.Resolve(ID(templates[k]), templates[k])
	}
}

func BenchmarkRunCLI(b *testing.B) {
	msgs := benchMessages(b)
	input := []byte(strings.Repeat(strings.Join(msgs, "\n")+"\n", 100))
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := RunCLI(context.Background(), bytes.NewReader(input), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkFingerprintAdversarial feeds messages built to make a naive
// scanner quadratic: unclosed quotes and long almost-MAC runs.
func BenchmarkFingerprintAdversarial(b *testing.B) {
	msgs := []string{
		strings.Repeat(`"a `, MaxMessageBytes/3),
		strings.Repeat(`"a `, MaxMessageBytes/3-2) + `x"`,
		strings.Repeat("a:", MaxMessageBytes/2),
		strings.Repeat("1:", MaxMessageBytes/2-4) + "zzzz",
		strings.Repeat("=", MaxMessageBytes),
		strings.Repeat("user ", MaxMessageBytes/5),
	}
	f := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Fingerprint(msgs[i%len(msgs)])
	}
}
