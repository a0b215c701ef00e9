package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	withData := t.TempDir()
	csv := "LineId,Content,EventId\n1,took 1 ms,E1\n2,took 2 ms,E1\n3,service up,E2\n"
	if err := os.WriteFile(filepath.Join(withData, "Tiny_2k.log_structured.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir string
		wantErr   string
		wantOut   string
	}{
		{"no directory is an error", "", "no directory", ""},
		{"no datasets is an error", t.TempDir(), "no *_2k", ""},
		{"scores every dataset", withData, "", "Tiny              3   1.000   1.000       -       2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := run(tt.dir, &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output\n%s\nlacks %q", out.String(), tt.wantOut)
			}
		})
	}
}
