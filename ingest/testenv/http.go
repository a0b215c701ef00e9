package testenv

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Alertmanager returns the base URL ($OPSW_ALERTMANAGER_URL, default
// http://127.0.0.1:19094) of a ready Alertmanager.
func Alertmanager(tb testing.TB) string {
	tb.Helper()
	return readyURL(tb, "alertmanager", envOr("OPSW_ALERTMANAGER_URL", "http://127.0.0.1:19094"))
}

// Prometheus returns the base URL ($OPSW_PROMETHEUS_URL, default
// http://127.0.0.1:19090) of a ready Prometheus.
func Prometheus(tb testing.TB) string {
	tb.Helper()
	return readyURL(tb, "prometheus", envOr("OPSW_PROMETHEUS_URL", "http://127.0.0.1:19090"))
}

// readyURL checks base's /-/ready endpoint, which both servers expose.
func readyURL(tb testing.TB, service, base string) string {
	tb.Helper()
	base = strings.TrimRight(base, "/")
	if err := checkReady(base + "/-/ready"); err != nil {
		unavailable(tb, service, base, err)
		return ""
	}
	return base
}

func checkReady(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
