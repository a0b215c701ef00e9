package guard

import (
	"strings"
	"testing"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Operational text that must come out unchanged.
var operational = []string{
	"upstream timed out after 30s",
	"connection refused: db-3.cell-2:5432",
	"job 7f3a9c2d-1b2e-4c5d-8e9f-0a1b2c3d4e5f exceeded 3 retries",
	"job 7f3a9c2d exceeded 3 retries (attempt 4 of 5, backoff 2m30s)",
	"HTTP 503 from stripe",
	"disk 91% full on /var/lib/x",
	"disk 91% full on /var/lib/postgresql/16/main (12.5 GiB free of 500 GiB)",
	"GET /v1/invoices/{id} returned 404 in 12.5ms",
	"POST /v1/invoices/12345/pay: 502 Bad Gateway after 1500 ms",
	"dial tcp 127.0.0.1:5432: connect: connection refused",
	"listen tcp 0.0.0.0:8080: bind: address already in use",
	"dial tcp [::1]:6379: i/o timeout",
	"host-17.internal: context deadline exceeded",
	"billing-worker v2.3.1 (go1.26.8) started on host-17.internal",
	"queue invoice.render lag 48213 messages, oldest 93s",
	"retrying in 250ms (attempt 2/5)",
	"processed 1200000 rows in 45.2s (26548 rows/s)",
	"processed 12,345,678 rows",
	"kafka: partition 7 of topic events-v1 offset 1048576 out of range",
	"pq: duplicate key value violates unique constraint \"pk_invoices_tenant_id_job_id\"",
	"ERROR: deadlock detected (SQLSTATE 40P01)",
	"at 2026-11-22 11:59:00.123 took 12.5ms",
	"deadline 2026-11-22T11:59:00.123Z passed",
	"ts=1732276740123 epoch ms, ns 1732276740123456789",
	"trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
	"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 not found in registry",
	"image registry.internal/billing/worker:v2.3.1 pulled",
	"ULID 01ARZ3NDEKTSV4RRFFQ69G5FAV processed",
	"pod billing-worker-7f9c8d6b5-x2k4p OOMKilled (limit 512Mi)",
	"std::io::Error: broken pipe at 12:30:45",
	"panic: runtime error: index out of range [5] with length 3",
	"goroutine 17 [running]: main.(*Worker).Run(0xc000123456)",
	"java.lang.NullPointerException at com.example.billing.InvoiceRenderer.render(InvoiceRenderer.java:142)",
	"invalid token: signature mismatch",
	"token expired 5m ago; refreshing",
	"max_tokens=4096 tokens=1500 cache_hits=12",
	"key rotation scheduled for 03:00 UTC",
	"basic auth failed for service account",
	"retry budget 10 of 100 used, p99 latency 1234 ms",
	"version 10.4.2 of libpq, 3 of 4 replicas healthy",
	"status=503 duration_ms=1234 bytes=1048576 cell=c2",
	"node v18.19.0 exited 137; npm@10.2.3",
	"module golang.org/x/net@v0.17.0 not found",
	"rate limited: 429 Too Many Requests, retry-after 30",
	"TLS handshake timeout to api.stripe.com:443",
	"mac 00:1a:2b:3c:4d:5e link down",
	"DE89 is not an IBAN, nor is GB82WEST1234 or XX00 0000 0000 0000 00",
	"job_name=invoice.render queue_name=default host_name=host-17",
	"presigned URL for object 2ead3691/0ae8b6c4-0071-5858-3940-7693aa98dec0 expired 7m ago",
	"HTTP 503 from api.twilio.com (request RQbd74c368ff8439d2c5e24714, account AC2259eb9d3d4ff95383e14191)",
	"channel_not_found for channel CW011Wxh19ortXB",
	"idempotency key 7c83049d-0950-5304-3029-6503274129ec reused",
	"job jid-9f2c4e6a8b0d1f3e5a7c9b1d processed",
	"PacketResponder 0 for block blk_-6952295868487656571 terminating",
	"REPORT : 7024 5015 150454 240",
	"Processed session termination for sessionid: 0x14ede63a5a70002",
	"Server environment:user.name=zookeeper",
	"auth failed: token=null, api_key=<nil>",
	"counters 4111 1111 1111 111 and 5500 0000 0000 004 (wrong lengths)",
	"sizes 1024 2048 4096 8192 bytes",
	"range 100-200 ok, ids 17-42 pending",
	"InvoiceRenderTimeoutException2 after 3 attempts",
	"ProcessInvoiceBatchJobHandlerV2Factory initialised",
	"cron 0 */5 * * * next at 12:05",
	"bucket s3://billing-exports-eu-west-1/2026/11/22/ is empty",
	"checksum mismatch: crc32 0x1f2e3d4c != 0x5a6b7c8d",
	"",
}

func TestScrubTextKeepsOperationalText(t *testing.T) {
	g := newTestGuard(t)
	for _, in := range operational {
		if got := g.ScrubText(in); got != in {
			t.Errorf("changed operational text\n in: %q\nout: %q", in, got)
		}
	}
}

func TestScrubTextReplaces(t *testing.T) {
	g := newTestGuard(t)
	tests := []struct{ in, want string }{
		// e-mail
		{"send to bob.smith+tag@example.co.uk failed", "send to <email:*> failed"},
		{"mailbox full: jane_doe-99@mail.corp.example.com.", "mailbox full: <email:*>."},
		{"<bob@example.com> bounced", "<<email:*>> bounced"},
		{`{"to":"alice@example.org"}`, `{"to":"<email:*>"}`},
		{"GET /v1/users?email=alice%40corp.example.com&x=1", "GET /v1/users?email=<email:*>&x=1"},
		{"user jörg.müller@bücher.de rejected", "user <email:*> rejected"},
		// Without spaces, neighbouring non-ASCII text goes with the address:
		// local parts and domains may be non-ASCII.
		{"用户bob@example.cn失败", "<email:*>"},
		{"ssh deploy@host-17.internal failed", "ssh <email:*> failed"},
		{"a@b@example.com", "a@<email:*>"},
		// cards
		{"card 4111 1111 1111 1111 declined", "card <card> declined"},
		{"card 4111-1111-1111-1111 declined", "card <card> declined"},
		{"card 4111111111111111 declined", "card <card> declined"},
		{"amex 3782 822463 10005 ok", "amex <card> ok"},
		{"amex 378282246310005 ok", "amex <card> ok"},
		{"mc 5555555555554444, visa 4012888888881881", "mc <card>, visa <card>"},
		{"diners 30569309025904 jcb 3530111333300000", "diners <card> jcb <card>"},
		{"card 4111 1111 1111 1111 123 12/27", "card <card>/27"},
		{"card=4111111111111111&cvv=123", "card=<card>&cvv=<secret>"},
		{"卡号4111111111111111失败", "卡号<card>失败"},
		{"uatp 135410014004955 ok", "uatp <card> ok"},
		{"card 4222 2222 2222 2 ok", "card <card> ok"},
		{"ref-4111-1111-1111-1111 failed", "ref-<card> failed"},
		{"/v1/cards/4111111111111111/charge", "/v1/cards/<card>/charge"},
		// phones
		{"sms to +44 20 7946 0958 failed", "sms to <phone> failed"},
		{"sms to +4915112345678 failed", "sms to <phone> failed"},
		{"call +1 (555) 123-4567 now", "call <phone> now"},
		{"call (555) 123-4567 now", "call <phone> now"},
		{"call 555-123-4567 now", "call <phone> now"},
		{"call 555.123.4567 now", "call <phone> now"},
		{"call 1-800-555-1234 now", "call <phone> now"},
		{"tel 030 1234 5678 busy", "tel <phone> busy"},
		{"tel 06 12 34 56 78 busy", "tel <phone> busy"},
		{"tel:+33612345678", "tel:<phone>"},
		// IP addresses
		{"from 203.0.113.7:443", "from <ip:*>:443"},
		{"peer 10.1.2.3 reset", "peer <ip:*> reset"},
		{"x-forwarded-for: 198.51.100.23, 10.0.0.1", "x-forwarded-for: <ip:*>, <ip:*>"},
		{"net 192.168.0.0/16 blocked", "net <ip:*>/16 blocked"},
		{"from 2001:db8::17 and [2001:db8:0:0:1::1]:443", "from <ip:*> and [<ip:*>]:443"},
		{"peer fe80::1%eth0 down", "peer <ip:*>%eth0 down"},
		{"mapped ::ffff:203.0.113.7 seen", "mapped <ip:*> seen"},
		{"zero-padded 010.001.002.003 seen", "zero-padded <ip:*> seen"},
		// credentials
		{"Authorization: Bearer abc.def-ghi", "Authorization: <token>"},
		{"authorization=Basic dXNlcjpwYXNzd29yZA==", "authorization=<token>"},
		{"sent Bearer eyJraWQiOiJrMSJ9 upstream", "sent Bearer <token> upstream"},
		{"sent Basic dXNlcjpwYXNzd29yZA== upstream", "sent Basic <token> upstream"},
		{"stripe key sk_live_51H8xYzAbCdEfGhIjKlMnOp rejected", "stripe key <token> rejected"},
		{"pk_test_TYooMQauvdEDq54NiTphI7jx in config", "<token> in config"},
		{"aws AKIAIOSFODNN7EXAMPLE denied", "aws <token> denied"},
		{"gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 revoked", "gh <token> revoked"},
		{"slack xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", "slack <token>"},
		{"GET /x?token=abc123&password=hunter2&page=2", "GET /x?token=<token>&password=<secret>&page=2"},
		{"login user=bob password=hunter2 ok", "login user=bob password=<secret> ok"},
		{"db password: letmein", "db password: <secret>"},
		{`{"password": "hunter 2", "user":"x"}`, `{"password": "<secret>", "user":"x"}`},
		{"X-Api-Key: 3f9a2b7c", "X-Api-Key: <token>"},
		{"apiKey=abc&accessToken=def", "apiKey=<token>&accessToken=<token>"},
		{"client_secret=s3cr3t; session_id=abc", "client_secret=<secret>; session_id=<token>"},
		{"DB_PASSWORD='p@ss w0rd!' set", "DB_PASSWORD='<secret>' set"},
		// URL userinfo
		{"dial postgres://billing:S3cr3t@db-3.cell-2:5432/billing failed", "dial postgres://billing:<secret>@db-3.cell-2:5432/billing failed"},
		{"clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/org/repo", "clone https://<token>@github.com/org/repo"},
		{"amqp://guest:p@ss@rabbit:5672/ down", "amqp://guest:<secret>@rabbit:5672/ down"},
		{"fetch https://hooks.example.net/u/bob@example.com failed", "fetch https://hooks.example.net/u/<email:*> failed"},
		// IBAN
		{"IBAN DE89 3704 0044 0532 0130 00 rejected", "IBAN <iban> rejected"},
		{"iban=GB82WEST12345698765432&x=1", "iban=<iban>&x=1"},
		{"to GB82WEST12345698765432 failed", "to <iban> failed"},
		{"to NO9386011117947.", "to <iban>."},
		// personal-data keys
		{"first_name=Jane last_name=Doe plan=pro", "first_name=<pii> last_name=<pii> plan=pro"},
		{`{"customerName":"Jane Doe","zip":"10115"}`, `{"customerName":"<pii>","zip":"<pii>"}`},
		{"username: jdoe", "username: <pii>"},
		// JWT and secrets
		{"jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U done", "jwt <jwt> done"},
		{"unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. seen", "unsigned <jwt> seen"},
		{"see eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl.", "see <jwt>."},
		{"secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here", "secret <secret> here"},
		{"cursor c2VjcmV0LXRva2VuLXZhbHVlLTEyMzQ1Njc4OTA= expired", "cursor <secret> expired"},
		{"/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/pay", "/v1/invoices/in_<secret>/pay"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := masked(g.ScrubText(tt.in)); got != tt.want {
				t.Errorf("\n  in: %q\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestReportCounts(t *testing.T) {
	g := newTestGuard(t)
	var r Report
	out := g.scrub("a@example.com b@example.com 10.0.0.1 card 4111111111111111 password=x", 1024, &r)
	want := map[Kind]int{KindEmail: 2, KindIP: 1, KindCard: 1, KindSecret: 1}
	for _, k := range Kinds {
		if r.Count(k) != want[k] {
			t.Errorf("%s: %d, want %d (out %q)", k, r.Count(k), want[k], out)
		}
	}
	if r.Total() != 5 || r.Truncated() != 0 {
		t.Errorf("total %d truncated %d", r.Total(), r.Truncated())
	}
}

func TestCleanTextIsNotCopied(t *testing.T) {
	g := newTestGuard(t)
	in := strings.Repeat("upstream timed out after 30s; ", 10)
	allocs := testing.AllocsPerRun(100, func() { _ = g.ScrubText(in) })
	if allocs != 0 {
		t.Fatalf("%v allocations scrubbing clean text", allocs)
	}
}

// Found by the end-to-end canary test (ingest/e2e): values hidden in a
// route's path behind percent-encoding or right after a slash.
func TestRoutePathValuesAreScrubbed(t *testing.T) {
	g, err := New(Config{PseudonymKey: "route-test-key-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ route, secret string }{
		{"/v1/customers/Bearer%20sk_live_CANARY51Hq8mZkT2xLr9PqW", "sk_live_CANARY"},
		{"/v1/customers/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlY2FuYXJ5", "eyJhbGciOiJIUzI1NiJ9"},
		{"/v1/users/jane%40example.org/invoices", "jane"},
	}
	for _, tt := range tests {
		e := event.Event{Route: tt.route}
		g.ScrubEvent(&e)
		if strings.Contains(e.Route, tt.secret) || !strings.HasPrefix(e.Route, "/v1/") {
			t.Errorf("route %q scrubbed to %q", tt.route, e.Route)
		}
	}
}

// Markers must be inert: the ingester scrubs what the emitter scrubbed.
func TestMarkersAreInert(t *testing.T) {
	g := newTestGuard(t)
	for _, in := range []string{
		"password=<secret> token=<token>&api_key=<token>",
		`{"password":"<secret>","last_name":"<pii>"}`,
		"Authorization: <token>",
		"Bearer <token> and Basic <token>",
		"from <ip:0123abcd>:443 to [<ip:9876fedc>]:80",
		"to <email:deadbeef>, cc <email:01234567>",
		"card <card> phone <phone> iban <iban> jwt <jwt>",
		"postgres://svc:<secret>@db-3:5432/x",
		"<ip:12345678> 555 1234 <card> 4567",
		fallbackText,
	} {
		if out := g.ScrubText(in); out != in {
			t.Errorf("marker text changed\n in: %q\nout: %q", in, out)
		}
	}
}

func TestIdempotentOnRealisticText(t *testing.T) {
	g := newTestGuard(t)
	var inputs []string
	for _, c := range canaries {
		for _, ctx := range canaryContexts {
			inputs = append(inputs, strings.ReplaceAll(ctx, "%s", c.value))
		}
	}
	for _, in := range inputs {
		once := g.ScrubText(in)
		if twice := g.ScrubText(once); twice != once {
			t.Errorf("not idempotent\n  in: %q\nonce: %q\ntwice: %q", in, once, twice)
		}
	}
}

func TestRouteDecodingIsIdempotent(t *testing.T) {
	g := newTestGuard(t)
	tests := []struct{ route, want string }{
		{"/v1/users/jane%2540example.org/x", "/v1/users/<email:*>/x"},   // encoded twice
		{"/v1/users/jane%40example.org/%zz", "/v1/users/<email:*>/%zz"}, // a stray escape shelters nothing
		{"/v1/x%2541", "/v1/xA"},
		{"/v1/%ff/x", "/v1/\uFFFD/x"},
		{"/v1/a%3Fq=secret", "/v1/a"}, // an encoded ? still ends the path
	}
	for _, tt := range tests {
		e := event.Event{Route: tt.route}
		g.ScrubEvent(&e)
		if got := masked(e.Route); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.route, got, tt.want)
		}
		once := e.Route
		g.ScrubEvent(&e)
		if e.Route != once {
			t.Errorf("%q: second scrub %q -> %q", tt.route, once, e.Route)
		}
	}
}
