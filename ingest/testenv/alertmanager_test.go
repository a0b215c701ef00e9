package testenv

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

const minimalAlertmanagerConfig = `route:
  receiver: "null"
receivers:
  - name: "null"
`

func TestStartAlertmanager(t *testing.T) {
	base := StartAlertmanager(t, minimalAlertmanagerConfig)
	resp, err := http.Get(base + "/api/v2/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/api/v2/status: %s", base, resp.Status)
	}
	if strings.HasSuffix(base, ":19094") {
		t.Fatalf("private alertmanager on the shared one's port: %s", base)
	}
}

func TestStartAlertmanagerRefusesABadConfig(t *testing.T) {
	StartAlertmanager(t, minimalAlertmanagerConfig) // skips or fails here when the binary is missing
	r := &recorder{TB: t}
	r.run(func(tb testing.TB) { StartAlertmanager(tb, "route: [unclosed") })
	if !r.failed || !strings.Contains(r.msg, "exited before it was ready") {
		t.Fatalf("bad config: failed=%v, message %q", r.failed, r.msg)
	}
}

func TestStartAlertmanagerWithoutBinarySkipsOrFails(t *testing.T) {
	t.Setenv("OPSW_ALERTMANAGER_BIN", filepath.Join(t.TempDir(), "no-alertmanager"))
	for _, ci := range []string{"true", ""} {
		t.Setenv("CI", ci)
		t.Setenv("OPSW_REQUIRE_SERVICES", "")
		r := &recorder{TB: t}
		r.run(func(tb testing.TB) { StartAlertmanager(tb, minimalAlertmanagerConfig) })
		if r.failed != (ci == "true") || r.skipped == (ci == "true") {
			t.Errorf("CI=%q: failed=%v skipped=%v; want a failure exactly under CI", ci, r.failed, r.skipped)
		}
	}
}
