package loghub

import (
	"os"
	"path/filepath"
	"testing"
)

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
			if got := GroupingAccuracy(tt.truth, tt.pred); got != tt.want {
				t.Errorf("GroupingAccuracy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name, csv string
		want      []Row
		wantErr   bool
	}{
		{"columns found by header", "LineId,Content,EventId\n1,\"a, \"\"b\"\"\",E1\n2,c,E2\n",
			[]Row{{`a, "b"`, "E1"}, {"c", "E2"}}, false},
		{"missing EventId", "LineId,Content\n1,a\n", nil, true},
		{"header only", "LineId,Content,EventId\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "X"+Suffix)
			if err := os.WriteFile(path, []byte(tt.csv), 0o600); err != nil {
				t.Fatal(err)
			}
			d, err := Load(path)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Load error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if d.Name != "X" || len(d.Rows) != len(tt.want) {
				t.Fatalf("Load = %+v, want %d rows of X", d, len(tt.want))
			}
			for i, r := range d.Rows {
				if r != tt.want[i] {
					t.Errorf("row %d = %+v, want %+v", i, r, tt.want[i])
				}
			}
		})
	}
}
