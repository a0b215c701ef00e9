package alert

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/opswarehouse/opswarehouse/aggregator/finding"
)

// Label names. An alert's label set is its identity in Alertmanager, so
// every label comes from the finding's kind, key, severity or scope, never
// from evidence numbers or free text: the set stays the same while the
// finding lives, and its cardinality is bounded by the scope's.
const (
	LabelAlertName   = "alertname"
	LabelKind        = "kind"
	LabelSeverity    = "severity"
	LabelFindingKey  = "finding_key"
	LabelTenant      = "tenant"
	LabelCell        = "cell"
	LabelService     = "service"
	LabelVersion     = "version"
	LabelHost        = "host"
	LabelJobType     = "job_type"
	LabelIntegration = "integration"
	LabelFingerprint = "fingerprint"
)

// Annotation names; annotations may change on every post without changing
// the alert's identity.
const (
	AnnotationSummary     = "summary"
	AnnotationDescription = "description"
	AnnotationRunbookURL  = "runbook_url"
	AnnotationTenants     = "tenants"
	AnnotationTemplate    = "template"
)

// AlertNamePrefix starts every alertname this package sends, e.g.
// OpswarehouseRetryStorm.
const AlertNamePrefix = "Opswarehouse"

// GroupBy is the Alertmanager route group_by this package is built for:
// one finding, one alert group, whatever its severity does over its life.
var GroupBy = []string{LabelAlertName, LabelFindingKey}

// Bounds on what one alert carries.
const (
	maxLabelBytes      = 128
	maxKeyBytes        = 512
	maxAnnotationBytes = 2048
)

// labelSet is an alert's labels.
type labelSet map[string]string

// signature is a canonical encoding of a label set, equal for equal sets.
func (ls labelSet) signature() string {
	names := make([]string, 0, len(ls))
	for name := range ls {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(ls[name])
		b.WriteByte(0xff) // never in valid UTF-8, so sets cannot collide
	}
	return b.String()
}

// AlertName is the alertname of a finding kind: the prefix and the kind in
// CamelCase, e.g. failure_pattern.system_wide -> OpswarehouseFailurePatternSystemWide.
func AlertName(kind finding.Kind) string {
	var b strings.Builder
	b.WriteString(AlertNamePrefix)
	upper := true
	for _, r := range string(kind) {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// labelsOf derives a finding's label set; only non-empty labels are set.
func labelsOf(f *finding.Finding) labelSet {
	ls := labelSet{
		LabelAlertName:  AlertName(f.Kind),
		LabelKind:       clean(string(f.Kind), maxLabelBytes),
		LabelSeverity:   string(f.Severity),
		LabelFindingKey: clean(f.Key, maxKeyBytes),
	}
	s := &f.Scope
	ls.add(LabelTenant, tenantOf(s))
	ls.add(LabelCell, s.Cell)
	ls.add(LabelService, s.Service)
	ls.add(LabelVersion, s.Version)
	ls.add(LabelHost, s.Host)
	ls.add(LabelJobType, s.JobType)
	ls.add(LabelIntegration, s.Integration)
	if s.Fingerprint != 0 {
		ls[LabelFingerprint] = fmt.Sprintf("%016x", s.Fingerprint)
	}
	return ls
}

func (ls labelSet) add(name, value string) {
	if value = clean(value, maxLabelBytes); value != "" {
		ls[name] = value
	}
}

// tenantOf is the one tenant a finding is about: its culprit, else its only
// affected tenant. A list of tenants would make the label set unbounded and
// unstable, so it goes to an annotation instead.
func tenantOf(s *finding.Scope) string {
	if s.CulpritTenant != "" {
		return s.CulpritTenant
	}
	if len(s.Tenants) == 1 {
		return s.Tenants[0]
	}
	return ""
}

// annotationsOf derives a finding's annotations.
func annotationsOf(f *finding.Finding, cfg *Config) map[string]string {
	as := map[string]string{}
	put := func(name, value string) {
		if value = clean(value, maxAnnotationBytes); value != "" {
			as[name] = value
		}
	}
	put(AnnotationSummary, f.Summary)
	put(AnnotationDescription, evidenceText(f.Evidence))
	if cfg.RunbookBaseURL != "" {
		put(AnnotationRunbookURL, strings.TrimRight(cfg.RunbookBaseURL, "/")+"/"+url.PathEscape(string(f.Kind)))
	}
	put(AnnotationTenants, tenantsText(f.Scope.Tenants, cfg.MaxTenants))
	put(AnnotationTemplate, f.Scope.Template)
	return as
}

// evidenceText renders evidence as "name=value, name=value".
func evidenceText(ev []finding.Evidence) string {
	var b strings.Builder
	for i, e := range ev {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.Name)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(e.Value, 'g', -1, 64))
	}
	return b.String()
}

// tenantsText lists up to max tenants and says how many more there are.
func tenantsText(tenants []string, max int) string {
	if len(tenants) <= max {
		return strings.Join(tenants, ", ")
	}
	return strings.Join(tenants[:max], ", ") + ", … (+" + strconv.Itoa(len(tenants)-max) + " more)"
}

// generatorURL links the alert to the finding on a dashboard.
func generatorURL(base, key string) string {
	if base == "" {
		return ""
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "var-finding_key=" + url.QueryEscape(key)
}

// clean makes s valid UTF-8 (Alertmanager rejects anything else) and cuts
// it to at most max bytes on a rune boundary.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// startsAt is when the problem began: FirstSeen, else the evaluation time.
func startsAt(f *finding.Finding, now time.Time) time.Time {
	for _, t := range []time.Time{f.FirstSeen, f.UpdatedAt, f.LastSeen} {
		if !t.IsZero() {
			return t
		}
	}
	return now
}

// resolvedAt is when the evaluation that found the problem gone ran,
// within [start, now]: Alertmanager rejects an end before the start, and an
// end in the future would keep the alert firing until then.
func resolvedAt(f *finding.Finding, start, now time.Time) time.Time {
	end := f.UpdatedAt
	if end.IsZero() {
		end = f.LastSeen
	}
	if end.IsZero() || end.After(now) {
		end = now
	}
	if end.Before(start) {
		end = start
	}
	return end
}
