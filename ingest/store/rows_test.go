package store

import (
	"reflect"
	"testing"
)

func TestStrColViews(t *testing.T) {
	tests := [][]string{
		{},
		{""},
		{"a", "", "bc", "", ""},
		{"tenant-1", "ünïcödé", "x"},
	}
	for _, in := range tests {
		var c strCol
		for _, s := range in {
			c.add(s)
		}
		if got := c.views(); !reflect.DeepEqual(got, append([]string{}, in...)) {
			t.Errorf("views() = %q, want %q", got, in)
		}
		c.reset()
		if len(c.views()) != 0 {
			t.Errorf("reset left %d values", len(c.views()))
		}
	}
}
