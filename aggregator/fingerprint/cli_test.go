package fingerprint

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestGolden runs the CLI over testdata/messages.txt, a few dozen messages
// in many log styles, and compares with testdata/messages.golden.
func TestGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "messages.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := RunCLI(context.Background(), bytes.NewReader(in), &out); err != nil {
		t.Fatalf("RunCLI: %v", err)
	}
	golden := filepath.Join("testdata", "messages.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update)", err)
	}
	gotLines := strings.Split(out.String(), "\n")
	wantLines := strings.Split(string(want), "\n")
	inLines := strings.Split(string(in), "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("got %d lines, golden has %d", len(gotLines), len(wantLines))
	}
	for i := range gotLines {
		if gotLines[i] != wantLines[i] {
			t.Errorf("line %d: %q\n got %q\nwant %q", i+1, inLines[i], gotLines[i], wantLines[i])
		}
	}
}

func TestRunCLI(t *testing.T) {
	long := strings.Repeat("a ", 100_000) + "7"
	tests := []struct {
		name  string
		in    string
		lines []string // templates expected, one per output line
	}{
		{"empty input", "", nil},
		{"one line no newline", "took 1 ms", []string{"took <*>"}},
		{"empty lines kept", "\n\nx 1\n", []string{"", "", "x <*>"}},
		{"crlf", "x 1\r\ny\r\n", []string{"x <*>", "y"}},
		{"duplicates not merged", "same\nsame\n", []string{"same", "same"}},
		{"invalid utf-8", "a\xffb\n", []string{"a\uFFFDb"}},
		{"tabs never leak", "a\tb\n", []string{"a b"}},
		{"later instances of a general template join it", "service alpha stopped\nservice 0x3f stopped\nservice beta stopped\nservice alpha stopped\n",
			[]string{"service alpha stopped", "service <*> stopped", "service <*> stopped", "service <*> stopped"}},
		{"very long line", long + "\nnext 2\n", []string{strings.Repeat("a ", MaxMessageBytes/2) + Wildcard, "next <*>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			// OneByteReader forces every ReadSlice path, including
			// lines longer than the buffer.
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				out.Reset()
				if err := RunCLI(context.Background(), r, &out); err != nil {
					t.Fatalf("RunCLI: %v", err)
				}
				got := parseCLIOutput(t, out.String())
				if len(got) != len(tt.lines) {
					t.Fatalf("got %d lines %q, want %d", len(got), got, len(tt.lines))
				}
				for i := range got {
					if got[i] != tt.lines[i] {
						t.Errorf("line %d: got %q, want %q", i+1, trim(got[i]), trim(tt.lines[i]))
					}
				}
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 60 {
		return s[:30] + "..." + s[len(s)-30:]
	}
	return s
}

// parseCLIOutput checks the "<id>\t<template>" format and returns templates.
func parseCLIOutput(tb testing.TB, out string) []string {
	tb.Helper()
	if out == "" {
		return nil
	}
	if !strings.HasSuffix(out, "\n") {
		tb.Fatalf("output does not end in a newline")
	}
	var templates []string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		idText, template, ok := strings.Cut(line, "\t")
		if !ok || strings.Contains(template, "\t") {
			tb.Fatalf("line %q is not <id>TAB<template>", line)
		}
		id, err := strconv.ParseUint(idText, 10, 64)
		if err != nil {
			tb.Fatalf("bad id in %q: %v", line, err)
		}
		if id != ID(template) {
			tb.Errorf("id %d != ID(%q)", id, template)
		}
		templates = append(templates, template)
	}
	return templates
}

func TestRunCLIErrors(t *testing.T) {
	readErr := errors.New("disk on fire")
	writeErr := errors.New("pipe closed")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		in   io.Reader
		out  io.Writer
		want error
	}{
		{"read error", context.Background(), iotest.ErrReader(readErr), io.Discard, readErr},
		{"write error", context.Background(), strings.NewReader("x\n"), errWriter{writeErr}, writeErr},
		{"canceled", canceled, strings.NewReader("x\n"), io.Discard, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := RunCLI(tt.ctx, tt.in, tt.out); !errors.Is(err, tt.want) {
				t.Errorf("RunCLI error = %v, want %v", err, tt.want)
			}
		})
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func ExampleFingerprinter_Fingerprint() {
	f := New(Config{})
	_, t1 := f.Fingerprint("Failed password for root from 183.62.140.253 port 35021 ssh2")
	_, t2 := f.Fingerprint("Received block blk_-6952295868487656571 of size 67108864 from /10.251.106.10")
	fmt.Println(t1)
	fmt.Println(t2)
	// Output:
	// Failed password for <*> from <*> port <*>
	// Received block <*> of size <*> from <*>
}
