// Package testenv connects tests to the real services that
// scripts/services.sh installs and runs: ClickHouse 18.16, Apache Kafka 4.1,
// Alertmanager, Prometheus, and chdb (current ClickHouse, in process).
//
// Every helper isolates its test: a database or topic of its own, named
// after the test, dropped at cleanup. Addresses come from the OPSW_*
// variables that "scripts/services.sh env" prints, defaulting to the
// script's fixed ports. When a service is unreachable the test is skipped,
// except under CI=true or OPSW_REQUIRE_SERVICES=1, where it fails: CI must
// never pass by skipping.
package testenv

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/opswarehouse/opswarehouse"

// Required reports whether a missing service must fail tests instead of
// skipping them: under CI (CI=true) or when OPSW_REQUIRE_SERVICES=1.
func Required() bool {
	return envBool("CI") || envBool("OPSW_REQUIRE_SERVICES")
}

func envBool(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// unavailable ends the test because service cannot be reached at addr.
func unavailable(tb testing.TB, service, addr string, err error) {
	tb.Helper()
	msg := fmt.Sprintf("%s unavailable at %s: %v\n"+
		"start it with: scripts/services.sh install %s && scripts/services.sh start %s",
		service, addr, err, service, service)
	if service == "chdb" {
		msg = fmt.Sprintf("%s unavailable (%s): %v\ninstall it with: scripts/services.sh install chdb",
			service, addr, err)
	}
	if Required() {
		tb.Fatalf("%s\n(CI=true or OPSW_REQUIRE_SERVICES=1: a missing service fails the test)", msg)
	}
	tb.Skipf("%s\n(skipped outside CI; under CI=true this fails)", msg) // skip only when not CI
}

// uniqueName derives a database or topic name from the test's name: a
// readable prefix (lowercase [a-z0-9_], valid unquoted in ClickHouse and in
// Kafka topic names) and a random suffix, so reruns and parallel tests never
// collide.
func uniqueName(tb testing.TB) string {
	var b strings.Builder
	b.WriteString("t_")
	underscore := true
	for _, r := range strings.ToLower(tb.Name()) {
		if b.Len() >= 42 {
			break
		}
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		switch {
		case ok:
			b.WriteRune(r)
			underscore = false
		case !underscore:
			b.WriteByte('_')
			underscore = true
		}
	}
	if !underscore {
		b.WriteByte('_')
	}
	var suffix [5]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		tb.Fatalf("testenv: random name suffix: %v", err)
	}
	b.WriteString(hex.EncodeToString(suffix[:]))
	return b.String()
}

// RepoRoot returns the repository's root: the nearest directory above the
// test's working directory whose go.mod declares this module.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("testenv: working directory: %v", err)
	}
	for {
		if isModuleRoot(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("testenv: no go.mod for module %s above the working directory", modulePath)
		}
		dir = parent
	}
}

func isModuleRoot(goMod string) bool {
	data, err := os.ReadFile(goMod)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == modulePath
		}
	}
	return false
}

// Services runs scripts/services.sh with args (for example "restart",
// "kafka" in a chaos test) and returns its combined output; a failure fails
// the test. The script reads the same OPSW_* port variables as the services.
func Services(tb testing.TB, args ...string) string {
	tb.Helper()
	cmd := exec.Command(filepath.Join(RepoRoot(tb), "scripts", "services.sh"), args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("testenv: scripts/services.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
