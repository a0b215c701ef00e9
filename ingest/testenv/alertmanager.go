package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StartAlertmanager runs an Alertmanager of the test's own, configured by
// config (the text of an alertmanager.yml), on a free loopback port, and
// returns its base URL; the test's cleanup stops it. Tests that assert
// exact alert groups use it, so other tests' alerts on the shared instance
// cannot interfere, and so they can choose the routing. The binary is
// $OPSW_ALERTMANAGER_BIN (default /usr/bin/prometheus-alertmanager, which
// "scripts/services.sh install alertmanager" provides). A configuration
// Alertmanager refuses fails the test.
func StartAlertmanager(tb testing.TB, config string) string {
	tb.Helper()
	bin := envOr("OPSW_ALERTMANAGER_BIN", "/usr/bin/prometheus-alertmanager")
	if _, err := exec.LookPath(bin); err != nil {
		unavailable(tb, "alertmanager", bin, err)
		return ""
	}
	dir := tb.TempDir()
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o644); err != nil {
		tb.Fatalf("testenv: writing alertmanager config: %v", err)
	}
	// Another process may take the free port between the check and the
	// bind; a few tries make that race harmless.
	var lastErr error
	for try := 0; try < 3; try++ {
		url, err := startAlertmanager(tb, bin, cfgPath, dir)
		if err == nil {
			return url
		}
		lastErr = err
	}
	tb.Fatalf("testenv: starting a private alertmanager: %v", lastErr)
	return ""
}

func startAlertmanager(tb testing.TB, bin, cfgPath, dir string) (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	logPath := filepath.Join(dir, "alertmanager-"+strconv.Itoa(port)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", fmt.Errorf("creating log file: %w", err)
	}
	defer logFile.Close() // the child holds its own descriptor
	addr := "127.0.0.1:" + strconv.Itoa(port)
	storage := filepath.Join(dir, "data-"+strconv.Itoa(port))
	// An empty cluster address turns gossip off; it would otherwise bind :9094.
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--storage.path="+storage,
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			return "", fmt.Errorf("alertmanager exited before it was ready (%v):\n%s", err, readTail(logPath))
		default:
		}
		if checkReady(base+"/-/ready") == nil {
			tb.Cleanup(stop)
			return base, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("alertmanager not ready at %s after 20s:\n%s", base, readTail(logPath))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("finding a free port: unexpected address %v", l.Addr())
	}
	return addr.Port, nil
}

// readTail returns the end of a log file, for error messages.
func readTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	s := string(b)
	if len(s) > 4096 {
		s = "…" + s[len(s)-4096:]
	}
	return strings.TrimSpace(s)
}
