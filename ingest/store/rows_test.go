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

func TestCompressionAuto(t *testing.T) {
	for _, tc := range []struct {
		addr, setting string
		want          bool // compressed
	}{
		{"127.0.0.1:9000", "auto", false},
		{"localhost:9000", "", false},
		{"[::1]:9000", "auto", false},
		{"clickhouse:9000", "auto", true},
		{"10.0.0.5:9000", "", true},
		{"127.0.0.1:9000", "lz4", true},
		{"clickhouse:9000", "none", false},
	} {
		cfg := Config{Addr: tc.addr, Compression: tc.setting}
		if got := cfg.compression() != nil; got != tc.want {
			t.Errorf("%s with %q: compressed=%v, want %v", tc.addr, tc.setting, got, tc.want)
		}
	}
}
