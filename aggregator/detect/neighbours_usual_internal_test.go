package detect

import (
	"slices"
	"testing"
)

func TestResourcesOfCells(t *testing.T) {
	byRes := map[[2]string][]resourceUsage{
		{"cell", "cell-1"}:           nil,
		{"shard", "cell-1/shard-a"}:  nil,
		{"shard", "cell-1/shard-b"}:  nil,
		{"queue", "cell-1/default"}:  nil,
		{"cell", "cell-10"}:          nil,
		{"shard", "cell-10/shard-a"}: nil,
		{"cell", "cell-2"}:           nil,
		{"shard", "cell-2/shard-a"}:  nil,
	}
	tests := []struct {
		name  string
		large []string
		want  []string
	}{
		{"a shard brings its whole cell", []string{"cell-1/shard-a"},
			[]string{"cell-1", "cell-1/default", "cell-1/shard-a", "cell-1/shard-b"}},
		{"a cell brings its shards and queues, not a cell with a longer name", []string{"cell-1"},
			[]string{"cell-1", "cell-1/default", "cell-1/shard-a", "cell-1/shard-b"}},
		{"two cells", []string{"cell-10/shard-a", "cell-2"},
			[]string{"cell-10", "cell-10/shard-a", "cell-2", "cell-2/shard-a"}},
		{"nothing large", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resourcesOfCells(byRes, tt.large); !slices.Equal(got, tt.want) {
				t.Errorf("resourcesOfCells(%v) = %v, want %v", tt.large, got, tt.want)
			}
		})
	}
}
