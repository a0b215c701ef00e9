package intake

import (
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/emitter"
	"github.com/opswarehouse/opswarehouse/ingest/emitter/emittertest"
	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// mixedBody holds good lines and one bad line per rejection reason; want
// is the per-line verdict the intake must give.
func mixedBody() (body []byte, goodIDs []string, want []Rejection) {
	good := goodLine("e-1", "t-1")
	lines := []string{
		good,           // 1
		`{"v":1,"id":`, // 2
		strings.Replace(goodLine("e-unknown", "t-1"), `"v":1,`, `"v":1,"customer_name":"Jane",`, 1), // 3
		"",                         // 4: blank, skipped
		goodLine("e-notenant", ""), // 5
		strings.Replace(goodLine("e-utf8", "t-1"), "timeout", "time\xffout", 1),             // 6
		strings.Replace(goodLine("e-big", "t-1"), "timeout", strings.Repeat("x", 70000), 1), // 7
		lineAt("e-future", "t-1", time.Now().Add(time.Hour)),                                // 8
		goodLine("e-2", "t-1") + "\r",                                                       // 9: CRLF
		"   ",                                                                               // 10: blank
		goodLine("e-3", "t-2"),                                                              // 11
	}
	want = []Rejection{
		{Line: 2, Reason: string(event.ReasonMalformedJSON)},
		{Line: 3, Reason: string(event.ReasonUnknownField)},
		{Line: 5, Reason: string(event.ReasonMissingTenant)},
		{Line: 6, Reason: string(event.ReasonInvalidUTF8)},
		{Line: 7, Reason: string(event.ReasonTooLarge)},
		{Line: 8, Reason: string(event.ReasonFutureTimestamp)},
	}
	return ndjson(lines...), []string{"e-1", "e-2", "e-3"}, want
}

// TestGoodLinesLandExactly posts a mixed body, plain and gzipped: the good
// lines (and only they) reach Kafka, scrubbed; every bad line gets its
// line number and reason.
func TestGoodLinesLandExactly(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run("gzip="+strconv.FormatBool(gz), func(t *testing.T) {
			h := newHarness(t, Config{}, emitter.Config{})
			body, goodIDs, want := mixedBody()
			var header []string
			if gz {
				body, header = gzipped(t, body), []string{"Content-Encoding", "gzip"}
			}
			res, out := h.post(t, secretAll, body, header...)
			if res.StatusCode != http.StatusAccepted {
				t.Fatalf("status %d: %+v", res.StatusCode, out)
			}
			if out.Accepted != len(goodIDs) || len(out.NotTaken) != 0 {
				t.Fatalf("accepted %d, not taken %v; want %d, none", out.Accepted, out.NotTaken, len(goodIDs))
			}
			if got := withoutDetail(out.Rejected); !reflect.DeepEqual(got, want) {
				t.Fatalf("rejected\n got %+v\nwant %+v", got, want)
			}
			for _, r := range out.Rejected {
				if r.Detail == "" {
					t.Errorf("line %d: no detail", r.Line)
				}
			}
			h.closeEmitter(t)
			msgs := emittertest.ReadTopic(t, h.brokers, h.topic)
			var ids []string
			for _, m := range msgs {
				if strings.Contains(string(m.Value), clientEmail) {
					t.Fatalf("client data reached Kafka: %s", m.Value)
				}
				ev, rej := event.Decode(m.Value, time.Now(), event.DefaultLimits)
				if rej != nil {
					t.Fatalf("record is not contract JSON: %v", rej)
				}
				ids = append(ids, ev.ID)
			}
			if !sameSet(ids, goodIDs) {
				t.Fatalf("Kafka holds %v, want %v", ids, goodIDs)
			}
		})
	}
}

func TestAllLinesRejected(t *testing.T) {
	h := newHarness(t, Config{}, emitter.Config{})
	res, out := h.post(t, secretAll, ndjson(`not json`, `{"v":2}`))
	if res.StatusCode != http.StatusBadRequest || out.Accepted != 0 || len(out.Rejected) != 2 {
		t.Fatalf("status %d, %+v", res.StatusCode, out)
	}
	res, out = h.post(t, secretAll, []byte("\n\n"))
	if res.StatusCode != http.StatusBadRequest || out.Error == "" {
		t.Fatalf("empty body: status %d, %+v", res.StatusCode, out)
	}
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t, Config{}, emitter.Config{})
	body := ndjson(goodLine("e-1", "t-1"))
	for _, tc := range []struct {
		name   string
		header []string
	}{
		{"no header", nil},
		{"unknown token", []string{"Authorization", "Bearer " + secretAll + "x"}},
		{"token prefix", []string{"Authorization", "Bearer " + secretAll[:10]}},
		{"basic scheme", []string{"Authorization", "Basic " + secretAll}},
		{"bare token", []string{"Authorization", secretAll}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, out := h.post(t, "", body, tc.header...)
			if res.StatusCode != http.StatusUnauthorized || out.Error == "" {
				t.Fatalf("status %d, %+v", res.StatusCode, out)
			}
			if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate = %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	res, _ := h.post(t, "", body, "Authorization", "bearer "+secretT1)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("lower-case scheme: status %d", res.StatusCode)
	}
}

// TestWrongTenant: a token limited to t-1 cannot write t-2's events; the
// whole request is refused and nothing reaches Kafka.
func TestWrongTenant(t *testing.T) {
	h := newHarness(t, Config{}, emitter.Config{})
	res, out := h.post(t, secretT1, ndjson(goodLine("e-1", "t-1"), goodLine("e-2", "t-2"), `bad`))
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, %+v", res.StatusCode, out)
	}
	want := []Rejection{{Line: 2, Reason: ReasonTenantNotAllowed}, {Line: 3, Reason: string(event.ReasonMalformedJSON)}}
	if got := withoutDetail(out.Rejected); out.Accepted != 0 || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(out.NotTaken, []int{1}) {
		t.Fatalf("answer %+v", out)
	}
	res, _ = h.post(t, secretT1, ndjson(goodLine("e-3", "t-1")))
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("own tenant: status %d", res.StatusCode)
	}
	h.closeEmitter(t)
	if msgs := emittertest.ReadTopic(t, h.brokers, h.topic); len(msgs) != 1 || string(msgs[0].Key) != "e-3" {
		t.Fatalf("Kafka holds %d records, want only e-3", len(msgs))
	}
}

func TestRequestLimits(t *testing.T) {
	h := newHarness(t, Config{MaxBodyBytes: 4096, MaxLines: 5, RateBurst: 100}, emitter.Config{})
	line := goodLine("e-1", "t-1")
	big := ndjson(strings.Repeat(line+"\n", 4096/len(line)+1))
	bomb := gzipped(t, []byte(strings.Repeat("\n", 1<<20)))
	tests := []struct {
		name   string
		body   []byte
		header []string
		want   int
	}{
		{"body over limit", big, nil, http.StatusRequestEntityTooLarge},
		{"gzip over limit after decoding", bomb, []string{"Content-Encoding", "gzip"}, http.StatusRequestEntityTooLarge},
		{"too many lines", ndjson(line, line, line, line, line, line), nil, http.StatusRequestEntityTooLarge},
		{"unknown encoding", ndjson(line), []string{"Content-Encoding", "br"}, http.StatusUnsupportedMediaType},
		{"broken gzip", []byte("not gzip"), []string{"Content-Encoding", "gzip"}, http.StatusBadRequest},
		{"at the line limit", ndjson(line, line, line, line, line), nil, http.StatusAccepted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, out := h.post(t, secretAll, tc.body, tc.header...)
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %+v", res.StatusCode, tc.want, out)
			}
		})
	}
}

// TestRateLimit: each token has its own budget of events per second.
func TestRateLimit(t *testing.T) {
	h := newHarness(t, Config{RatePerToken: 5, RateBurst: 10, MaxLines: 10}, emitter.Config{})
	lines := make([]string, 10)
	for i := range lines {
		lines[i] = goodLine("e-"+strconv.Itoa(i), "t-1")
	}
	if res, out := h.post(t, secretAll, ndjson(lines...)); res.StatusCode != http.StatusAccepted {
		t.Fatalf("within burst: status %d %+v", res.StatusCode, out)
	}
	res, out := h.post(t, secretAll, ndjson(lines[:3]...))
	if res.StatusCode != http.StatusTooManyRequests || out.Error == "" {
		t.Fatalf("over budget: status %d %+v", res.StatusCode, out)
	}
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Fatalf("Retry-After = %q", res.Header.Get("Retry-After"))
	}
	if res, _ := h.post(t, secretT1, ndjson(lines[:3]...)); res.StatusCode != http.StatusAccepted {
		t.Fatalf("another token: status %d", res.StatusCode)
	}
}

// TestBufferFull: when the emitter's buffer stays full past EmitTimeout,
// the answer is 503 with Retry-After and names the lines not taken.
func TestBufferFull(t *testing.T) {
	h := newHarness(t, Config{EmitTimeout: 50 * time.Millisecond},
		emitter.Config{Brokers: []string{deadBroker(t)}, Topic: "never", BufferSize: 2, WriteTimeout: time.Second, MaxAttempts: 1})
	body := ndjson(goodLine("e-1", "t-1"), goodLine("e-2", "t-1"), `bad`, goodLine("e-4", "t-1"), goodLine("e-5", "t-1"))
	res, out := h.post(t, secretAll, body)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if out.Accepted != 2 || !reflect.DeepEqual(out.NotTaken, []int{4, 5}) || len(out.Rejected) != 1 {
		t.Fatalf("answer %+v", out)
	}
}

func TestProbesAndMetrics(t *testing.T) {
	h := newHarness(t, Config{}, emitter.Config{})
	h.post(t, secretAll, ndjson(goodLine("e-1", "t-1"), "nope"))
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": `opswarehouse_intake_lines_total{result="accepted"} 1`} {
		res, err := http.Get(h.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("%s: %d %q, want %q", path, res.StatusCode, body, want)
		}
	}
	res, err := http.Get(h.url + "/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /v1/events: %d", res.StatusCode)
	}

	dead := newHarness(t, Config{}, emitter.Config{Brokers: []string{deadBroker(t)}, Topic: "never", WriteTimeout: 200 * time.Millisecond})
	res, err = http.Get(dead.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with a dead broker: %d", res.StatusCode)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{Tokens: testTokens()}).WithDefaults().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"no tokens", func(c *Config) { c.Tokens = nil }, "tokens"},
		{"short secret", func(c *Config) { c.Tokens[0].Secret = "short" }, "shorter"},
		{"secret and env", func(c *Config) { c.Tokens[0].SecretEnv = "X" }, "exactly one"},
		{"duplicate name", func(c *Config) { c.Tokens[1].Name = c.Tokens[0].Name }, "duplicate"},
		{"bad tenant", func(c *Config) { c.Tokens[1].Tenants = []string{"a b"} }, "tenant"},
		{"burst below lines", func(c *Config) { c.RateBurst = 10; c.MaxLines = 11 }, "rate_burst"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{Tokens: testTokens()}.WithDefaults()
			tc.mutate(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error about %s", err, tc.want)
			}
		})
	}
}

func withoutDetail(rs []Rejection) []Rejection {
	out := make([]Rejection, len(rs))
	for i, r := range rs {
		out[i] = Rejection{Line: r.Line, Reason: r.Reason}
	}
	return out
}

func sameSet(a, b []string) bool {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func readAll(tb testing.TB, res *http.Response) string {
	tb.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
