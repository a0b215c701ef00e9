package alert

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

func TestAlertName(t *testing.T) {
	tests := []struct {
		kind finding.Kind
		want string
	}{
		{finding.SystemWide, "OpswarehouseFailurePatternSystemWide"},
		{finding.NoisyNeighbour, "OpswarehouseNoisyNeighbour"},
		{finding.EndpointSlow, "OpswarehouseTenantEndpointDegraded"},
		{finding.RetryStorm, "OpswarehouseRetryStorm"},
		{"weird--kind 2", "OpswarehouseWeirdKind2"},
	}
	for _, tt := range tests {
		if got := AlertName(tt.kind); got != tt.want {
			t.Errorf("AlertName(%q) = %q, want %q", tt.kind, got, tt.want)
		}
	}
}

func TestLabelsOf(t *testing.T) {
	tests := []struct {
		name  string
		kind  finding.Kind
		scope finding.Scope
		want  labelSet
	}{
		{
			name:  "culprit wins over victims",
			kind:  finding.NoisyNeighbour,
			scope: finding.Scope{Tenants: []string{"t-2", "t-3"}, CulpritTenant: "t-1", Cell: "cell-a", Service: "queue"},
			want:  labelSet{"tenant": "t-1", "cell": "cell-a", "service": "queue"},
		},
		{
			name:  "single affected tenant",
			kind:  finding.SingleTenant,
			scope: finding.Scope{Tenants: []string{"t-9"}, Integration: "sftp", JobType: "import"},
			want:  labelSet{"tenant": "t-9", "integration": "sftp", "job_type": "import"},
		},
		{
			name:  "many tenants: no tenant label",
			kind:  finding.SystemWide,
			scope: finding.Scope{Tenants: []string{"t-1", "t-2", "t-3"}, Fingerprint: 0xbeef, Template: "timeout after <*> ms"},
			want:  labelSet{"fingerprint": "000000000000beef"},
		},
		{
			name:  "localized",
			kind:  finding.Localized,
			scope: finding.Scope{Cell: "cell-b", Version: "2.3.1", Host: "h-17"},
			want:  labelSet{"cell": "cell-b", "version": "2.3.1", "host": "h-17"},
		},
		{
			name:  "invalid UTF-8 and overlong values are cleaned",
			kind:  finding.Localized,
			scope: finding.Scope{Cell: "cell-\xff", Host: strings.Repeat("h", 200)},
			want:  labelSet{"cell": "cell-\uFFFD", "host": strings.Repeat("h", maxLabelBytes)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := finding.Finding{Key: "k1", Kind: tt.kind, Severity: finding.Warning, State: finding.Open, Scope: tt.scope}
			want := labelSet{"alertname": AlertName(tt.kind), "kind": string(tt.kind), "severity": "warning", "finding_key": "k1"}
			maps.Copy(want, tt.want)
			if got := labelsOf(&f); !maps.Equal(got, want) {
				t.Errorf("labelsOf = %v\nwant       %v", got, want)
			}
		})
	}
}

// The label set is the alert's identity: only severity and scope may move
// it, never evidence, summary, timestamps or the list of victims.
func TestLabelsStableOverAFindingsLife(t *testing.T) {
	base := incident("retry_storm/cell-a/invoice-sync", finding.RetryStorm, finding.Warning,
		finding.Scope{Cell: "cell-a", JobType: "invoice-sync", Tenants: []string{"t-1", "t-2"}}, 12, 3, 2)
	sig := labelsOf(&base).signature()
	for i := range 50 {
		f := base
		f.Evidence = []finding.Evidence{{Name: "rate_now", Value: float64(100 + i)}, {Name: "tenants_now", Value: float64(i)}}
		f.Summary = fmt.Sprintf("retries tripled (%d)", i)
		f.Scope.Tenants = make([]string, 2+i)
		for j := range f.Scope.Tenants {
			f.Scope.Tenants[j] = fmt.Sprintf("t-%d", j)
		}
		f.LastSeen = base.LastSeen.Add(time.Duration(i) * time.Minute)
		f.UpdatedAt = f.LastSeen
		if got := labelsOf(&f).signature(); got != sig {
			t.Fatalf("evaluation %d changed the label set: %v", i, labelsOf(&f))
		}
	}
	escalated := base
	escalated.Severity = finding.Critical
	if labelsOf(&escalated).signature() == sig {
		t.Fatal("severity is a label: escalation must change the label set")
	}
}

func TestAnnotations(t *testing.T) {
	cfg := Config{RunbookBaseURL: "https://wiki.example/runbooks/", MaxTenants: 3}.WithDefaults()
	f := incident("k", finding.NoisyNeighbour, finding.Critical,
		finding.Scope{CulpritTenant: "t-0", Tenants: []string{"t-1", "t-2", "t-3", "t-4", "t-5"}, Template: "queue <*> full"},
		0.93, 0.2, 5)
	f.Summary = "tenant t-0 saturates the shared queue"
	got := annotationsOf(&f, &cfg)
	want := map[string]string{
		"summary":     "tenant t-0 saturates the shared queue",
		"description": "rate_now=0.93, rate_baseline=0.2, tenants_now=5",
		"runbook_url": "https://wiki.example/runbooks/noisy_neighbour",
		"tenants":     "t-1, t-2, t-3, … (+2 more)",
		"template":    "queue <*> full",
	}
	if !maps.Equal(got, want) {
		t.Errorf("annotations = %v\nwant          %v", got, want)
	}
	cfg.RunbookBaseURL = ""
	f.Evidence, f.Scope.Tenants, f.Scope.Template = nil, nil, ""
	if got := annotationsOf(&f, &cfg); len(got) != 1 {
		t.Errorf("empty annotations must be left out, got %v", got)
	}
}

func TestGeneratorURL(t *testing.T) {
	tests := []struct{ base, key, want string }{
		{"", "k", ""},
		{"https://grafana.example/d/findings", "retry_storm/cell a", "https://grafana.example/d/findings?var-finding_key=retry_storm%2Fcell+a"},
		{"https://grafana.example/d/findings?orgId=1", "k", "https://grafana.example/d/findings?orgId=1&var-finding_key=k"},
	}
	for _, tt := range tests {
		if got := generatorURL(tt.base, tt.key); got != tt.want {
			t.Errorf("generatorURL(%q, %q) = %q, want %q", tt.base, tt.key, got, tt.want)
		}
	}
}

func TestResolvedAtWithinStartAndNow(t *testing.T) {
	now := t0
	start := t0.Add(-time.Hour)
	tests := []struct {
		name    string
		updated time.Time
		want    time.Time
	}{
		{"resolution time", t0.Add(-time.Minute), t0.Add(-time.Minute)},
		{"future clamped to now", t0.Add(time.Hour), now},
		{"before start clamped to start", t0.Add(-2 * time.Hour), start},
		{"unknown is now", time.Time{}, now},
	}
	for _, tt := range tests {
		f := finding.Finding{UpdatedAt: tt.updated}
		if got := resolvedAt(&f, start, now); !got.Equal(tt.want) {
			t.Errorf("%s: resolvedAt = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func FuzzLabels(f *testing.F) {
	f.Add("cell-a", "t-1", "2.3.1", "k1", uint64(7))
	f.Add("\xff\xfe", "", strings.Repeat("é", 100), "", uint64(0))
	f.Fuzz(func(t *testing.T, cell, tenant, version, key string, fp uint64) {
		fd := finding.Finding{Key: "k" + key, Kind: finding.Localized, Severity: finding.Info, State: finding.Open,
			Scope: finding.Scope{Cell: cell, Tenants: []string{tenant}, Version: version, Fingerprint: fp}}
		ls := labelsOf(&fd)
		for name, value := range ls {
			if value == "" || !utf8.ValidString(value) {
				t.Fatalf("label %s=%q: empty or invalid UTF-8", name, value)
			}
			if limit := maxLabelBytes; name != LabelFindingKey && name != LabelAlertName && len(value) > limit {
				t.Fatalf("label %s is %d bytes, over %d", name, len(value), limit)
			}
		}
		if labelsOf(&fd).signature() != ls.signature() {
			t.Fatal("signature not deterministic")
		}
	})
}
