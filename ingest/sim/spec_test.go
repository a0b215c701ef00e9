package sim

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseSpec(t *testing.T) {
	at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in      string
		want    Spec
		wantErr string
	}{
		{in: "bad_deploy", want: Spec{Name: "bad_deploy"}},
		{in: "bad_deploy@+30m/20m:cell=cell-2", want: Spec{Name: "bad_deploy", HasStart: true, Offset: 30 * time.Minute, Duration: 20 * time.Minute, Params: Params{Cell: "cell-2"}}},
		{in: "noisy_neighbour@2026-03-03T10:00:00Z/15m:factor=3.5,tenant=t-0042", want: Spec{Name: "noisy_neighbour", HasStart: true, At: at, Duration: 15 * time.Minute, Params: Params{Factor: 3.5, Tenant: "t-0042"}}},
		{in: "retry_storm/5m:backoff=200ms,retry_limit=12", want: Spec{Name: "retry_storm", Duration: 5 * time.Minute, Params: Params{Backoff: Duration(200 * time.Millisecond), RetryLimit: 12}}},
		{in: "request_flood@+1h", want: Spec{Name: "request_flood", HasStart: true, Offset: time.Hour}},
		{in: "slow_tenant_endpoint:mode=failing", want: Spec{Name: "slow_tenant_endpoint", Params: Params{Mode: "failing"}}},
		{in: "meteor_strike@+1h", wantErr: "unknown"},
		{in: "bad_deploy@+1h/-5m", wantErr: "bad duration"},
		{in: "bad_deploy@yesterday/5m", wantErr: "bad start"},
		{in: "bad_deploy@+1h/5m:cell", wantErr: "want key=value"},
		{in: "bad_deploy@+1h/5m:colour=red", wantErr: "unknown parameter"},
		{in: "bad_deploy:factor=2", wantErr: "does not take"},
		{in: "noisy_neighbour:factor=lots", wantErr: "factor"},
		{in: "bad_deploy@+1h/5mjunk", wantErr: "bad duration"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSpec(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.keys = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"bad_deploy@+30m/20m:cell=cell-2", "noisy_neighbour@2026-03-03T10:00:00Z/15m:factor=3", "retry_storm:backoff=1s", "x@", "error_creep@+/:="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpec(s)
		if err != nil {
			return
		}
		if _, ok := scenarioDefs[sp.Name]; !ok {
			t.Fatalf("accepted unknown scenario %q", sp.Name)
		}
		if sp.Duration < 0 || sp.Offset < 0 {
			t.Fatalf("accepted negative times: %+v", sp)
		}
		// the rendered timing parses back to the same timing
		back, err := ParseSpec(sp.String())
		if err != nil || back.Offset != sp.Offset || back.Duration != sp.Duration || !back.At.Equal(sp.At) {
			t.Fatalf("%q renders as %q which parses to %+v, %v", s, sp.String(), back, err)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name    string
		mod     func(*Config)
		wantErr string
	}{
		{"defaults", func(*Config) {}, ""},
		{"bad mode", func(c *Config) { c.Mode = "warp" }, "mode"},
		{"zero duration outside realtime", func(c *Config) { c.Duration = 0 }, "duration"},
		{"open-ended realtime", func(c *Config) { c.Mode, c.Duration = ModeRealtime, 0 }, ""},
		{"rate", func(c *Config) { c.Rate = 0 }, "rate"},
		{"tenants", func(c *Config) { c.Tenants = 0 }, "tenants"},
		{"run id with a dot", func(c *Config) { c.RunID = "a.b" }, "run-id"},
		{"mix", func(c *Config) { c.Mix = "chaos" }, "mix"},
		{"scenario", func(c *Config) { c.Scenarios = []string{"nope"} }, "unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.mod(&cfg)
			err := cfg.Validate()
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestValidateWindow(t *testing.T) {
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	cfg := DefaultConfig()
	cfg.ResolveStart(now)
	if err := cfg.ValidateWindow(now); err != nil {
		t.Fatalf("accelerated default: %v", err)
	}
	if !cfg.Start.Add(cfg.Duration).Equal(now) {
		t.Fatalf("accelerated run ends at %s, want now", cfg.Start.Add(cfg.Duration))
	}
	old := DefaultConfig()
	old.Start = now.Add(-40 * 24 * time.Hour)
	if err := old.ValidateWindow(now); err == nil {
		t.Fatal("accepted a start older than the ingester takes")
	}
	future := DefaultConfig()
	future.Start = now.Add(-time.Hour)
	if err := future.ValidateWindow(now); err == nil {
		t.Fatal("accepted a 24h backfill ending in the future")
	}
}
