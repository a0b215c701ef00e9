package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestUniqueName(t *testing.T) {
	valid := regexp.MustCompile(`^t_[a-z0-9_]*[a-z0-9]_[0-9a-f]{10}$`)
	for _, name := range []string{"", "plain", "Mixed/Sub test#01", "ÜnïCödé-ñame", strings.Repeat("long/", 40)} {
		t.Run(name, func(t *testing.T) {
			a, b := uniqueName(t), uniqueName(t)
			if a == b {
				t.Errorf("two names for one test are equal: %s", a)
			}
			for _, n := range []string{a, b} {
				if !valid.MatchString(n) || len(n) > 64 {
					t.Errorf("name %q: want %s and at most 64 bytes", n, valid)
				}
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    Version
		wantErr bool
	}{
		{in: "18.16.1", want: Version{Raw: "18.16.1", Major: 18, Minor: 16, Patch: 1}},
		{in: "26.9.2.1\n", want: Version{Raw: "26.9.2.1", Major: 26, Minor: 9, Patch: 2}},
		{in: "24.3", want: Version{Raw: "24.3", Major: 24, Minor: 3}},
		{in: "18", wantErr: true},
		{in: "", wantErr: true},
		{in: "v18.16", wantErr: true},
		{in: "18.x.1", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseVersion(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	v := Version{Major: 18, Minor: 16}
	for _, c := range []struct {
		major, minor int
		want         bool
	}{{18, 16, true}, {18, 17, false}, {17, 99, true}, {19, 0, false}} {
		if got := v.AtLeast(c.major, c.minor); got != c.want {
			t.Errorf("18.16 AtLeast(%d, %d) = %v", c.major, c.minor, got)
		}
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		ci, require string
		want        bool
	}{
		{"", "", false},
		{"true", "", true},
		{"1", "", true},
		{"false", "", false},
		{"", "1", true},
		{"false", "0", false},
	}
	for _, tt := range tests {
		t.Setenv("CI", tt.ci)
		t.Setenv("OPSW_REQUIRE_SERVICES", tt.require)
		if got := Required(); got != tt.want {
			t.Errorf("CI=%q OPSW_REQUIRE_SERVICES=%q: Required() = %v", tt.ci, tt.require, got)
		}
	}
}

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "scripts", "services.sh")); err != nil {
		t.Errorf("RepoRoot = %s, which has no scripts/services.sh: %v", root, err)
	}
}

// recorder is a testing.TB that records how a helper ended the test.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with r in its own goroutine, as the testing package would, so
// that Skipf and Fatalf can end it.
func (r *recorder) run(f func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

func TestUnreachableServiceSkipsOrFails(t *testing.T) {
	// Port 1 on loopback: nothing listens there.
	t.Setenv("OPSW_CLICKHOUSE_ADDR", "127.0.0.1:1")
	t.Setenv("OPSW_KAFKA_BROKERS", "127.0.0.1:1")
	t.Setenv("OPSW_ALERTMANAGER_URL", "http://127.0.0.1:1")
	t.Setenv("OPSW_PROMETHEUS_URL", "http://127.0.0.1:1")
	t.Setenv("OPSW_CHDB_PYTHON", filepath.Join(t.TempDir(), "no-python"))
	helpers := map[string]func(testing.TB){
		"clickhouse":   func(tb testing.TB) { ClickHouse(tb) },
		"kafka":        func(tb testing.TB) { Kafka(tb) },
		"alertmanager": func(tb testing.TB) { Alertmanager(tb) },
		"prometheus":   func(tb testing.TB) { Prometheus(tb) },
		"chdb":         func(tb testing.TB) { Chdb(tb) },
	}
	for _, ci := range []string{"true", ""} {
		t.Setenv("CI", ci)
		t.Setenv("OPSW_REQUIRE_SERVICES", "")
		for name, helper := range helpers {
			r := &recorder{TB: t}
			r.run(helper)
			if r.failed != (ci == "true") || r.skipped == (ci == "true") {
				t.Errorf("%s with CI=%q: failed=%v skipped=%v; want a failure exactly under CI", name, ci, r.failed, r.skipped)
			}
			if !strings.Contains(r.msg, "scripts/services.sh") {
				t.Errorf("%s: message does not say how to start the service: %s", name, r.msg)
			}
		}
	}
}
