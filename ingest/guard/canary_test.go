package guard

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// A canary is client data planted in text; none may survive a scrub. Each
// is also checked in compact form (separators removed), so a card or phone
// number cannot survive by being split differently.
type canary struct {
	kind  string
	value string
}

var canaries = []canary{
	{"email", "canary.person+x@canary-mail.example"},
	{"email", "CANARY_UPPER@Example.COM"},
	{"email-encoded", "canary%40canary-mail.example"},
	{"card", "4111111111111111"},
	{"card", "4111 1111 1111 1111"},
	{"card", "5500-0000-0000-0004"},
	{"card", "340000000000009"},
	{"card", "6011000990139424"},
	{"card", "3530111333300000"},
	{"card", "2223003122003222"},
	{"card", "135410014004955"},
	{"card", "6200000000000005"},
	{"phone", "+44 20 7946 0958"},
	{"phone", "+4915112345678"},
	{"phone", "(415) 555-2671"},
	{"phone", "415-555-2671"},
	{"phone", "020 7946 0958"},
	{"ipv4", "203.0.113.195"},
	{"ipv4", "10.20.30.40"},
	{"ipv6", "2001:db8:85a3::8a2e:370:7334"},
	{"ipv6", "fd12:3456:789a:1::1"},
	{"jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnkiLCJuYW1lIjoiQ2FuYXJ5In0.Q2FuYXJ5U2lnbmF0dXJlVmFsdWUxMjM0NTY"},
	{"bearer", "Bearer c4n4ry-B34r3r-t0k3n"},
	{"basic", "Basic Y2FuYXJ5OmNhbmFyeS1wYXNzd29yZA=="},
	{"stripe", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"},
	{"stripe", "pk_live_TYooMQauvdEDq54NiTphI7jx"},
	{"aws", "AKIAZ7CANARY2EXAMPLE"},
	{"github", "ghp_C4n4ryT0k3nAbCdEfGhIjKlMnOpQrStUv01"},
	{"slack", "xoxp-123456789012-123456789012-1234567890123-c4n4ry0123456789abcdef0123456789"},
	{"kv-password", "password=Canary-Pa55!"},
	{"kv-token", "token=c4n4rytok3n"},
	{"kv-secret", "secret=canarysecretvalue"},
	{"kv-key", "api_key=c4n4ry"},
	{"secret", "Zx9Qw3Er5Ty7Ui1Op2As4Df6Gh8Jk0LmNb"},
	{"iban", "DE44 5001 0517 5407 3249 31"},
	{"iban", "FR1420041010050500013M02606"},
	{"url-password", "postgres://svc:C4naryDbPass@db-3.cell-2:5432/x"},
	{"kv-pii", "last_name=Canaryson"},
	{"secret-b64", "Q2FuYXJ5IHNlY3JldCBibG9iIHZhbHVlIDEyMzQ1Ng=="},
}

// Contexts place a canary where real messages carry client data.
var canaryContexts = []string{
	"%s",
	"payment failed for %s after 3 retries (HTTP 502, 1234ms)",
	"upstream timed out after 30s: %s",
	`{"error":"rejected","detail":"%s"}`,
	"GET /v1/invoices/{id}?q=%s&page=2 returned 400",
	"(%s)",
	"[%s], host-17.internal",
	"'%s';",
	"<%s>",
	"用户%s失败",
	"line1\n%s\nline3",
}

// operationalWords must survive in every context.
var operationalWords = []string{"payment failed", "3 retries", "HTTP 502", "1234ms", "upstream timed out after 30s",
	"rejected", "/v1/invoices/{id}", "page=2", "400", "host-17.internal", "line3"}

func TestNoCanarySurvives(t *testing.T) {
	g := newTestGuard(t)
	for _, c := range canaries {
		for _, ctx := range canaryContexts {
			in := fmt.Sprintf(ctx, c.value)
			out := g.ScrubText(in)
			assertNoCanary(t, c, in, out)
			for _, w := range operationalWords {
				if strings.Contains(ctx, w) && !strings.Contains(out, w) {
					t.Errorf("%s: operational %q lost\n in: %q\nout: %q", c.kind, w, in, out)
				}
			}
		}
	}
}

func TestNoCanarySurvivesScrubEvent(t *testing.T) {
	g := newTestGuard(t)
	for _, c := range canaries {
		e := event.Event{
			ErrorMessage: "job failed: " + c.value,
			Route:        "/v1/x/" + c.value + "?email=" + c.value,
			Attrs:        map[string]string{"reason": c.value, "endpoint": "hook " + c.value},
		}
		r := g.ScrubEvent(&e)
		for _, out := range []string{e.ErrorMessage, e.Route, e.Attrs["reason"], e.Attrs["endpoint"]} {
			assertNoCanary(t, c, c.value, out)
		}
		if r.Total() == 0 {
			t.Errorf("%s: report counts nothing", c.kind)
		}
	}
}

func assertNoCanary(t *testing.T, c canary, in, out string) {
	t.Helper()
	if strings.Contains(out, c.value) {
		t.Errorf("%s canary survived\n in: %q\nout: %q", c.kind, in, out)
		return
	}
	// The secret part of a key=value, URL or scheme canary.
	if c.kind == "url-password" && strings.Contains(out, "C4naryDbPass") {
		t.Errorf("%s canary value survived\n in: %q\nout: %q", c.kind, in, out)
	}
	if _, v, ok := strings.Cut(c.value, "="); ok && len(v) > 3 && strings.Contains(out, v) {
		t.Errorf("%s canary value survived\n in: %q\nout: %q", c.kind, in, out)
	}
	if _, v, ok := strings.Cut(c.value, " "); ok && strings.HasPrefix(c.kind, "b") && strings.Contains(out, v) {
		t.Errorf("%s credential survived\n in: %q\nout: %q", c.kind, in, out)
	}
	// Digits of a card or phone number, however separated; any 6 in a row
	// of a card (its issuer prefix is the most that may be shown).
	if c.kind == "card" || c.kind == "phone" || c.kind == "iban" {
		digits := onlyDigits(c.value)
		if od := onlyDigits(out); strings.Contains(od, digits[len(digits)-6:]) || c.kind == "card" && strings.Contains(od, digits[:8]) {
			t.Errorf("%s digits survived\n in: %q\nout: %q", c.kind, in, out)
		}
	}
	// The local part and domain of an address.
	if strings.HasPrefix(c.kind, "email") {
		local := strings.ToLower(strings.FieldsFunc(c.value, func(r rune) bool { return r == '@' || r == '%' })[0])
		if strings.Contains(strings.ToLower(out), local) || strings.Contains(strings.ToLower(out), "canary-mail") {
			t.Errorf("%s address part survived\n in: %q\nout: %q", c.kind, in, out)
		}
	}
}

func onlyDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
