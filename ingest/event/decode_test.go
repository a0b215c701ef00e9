package event

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	goccy "github.com/goccy/go-json"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const validDoc = `{"v":1,"id":"e-1","ts":"2026-11-22T11:59:00.123Z","tenant":"t-1","service":"billing","cell":"c1","kind":"job_state","job_id":"j-1","job_type":"invoice.render","state":"failed","attempt":2,"duration_ms":12.5,"queue_ms":3,"error_class":"Timeout","error_message":"upstream timed out after 30s","attrs":{"priority":"high"}}`

func TestDecodeValid(t *testing.T) {
	e, rej := Decode([]byte(validDoc), testNow, DefaultLimits)
	if rej != nil {
		t.Fatalf("unexpected rejection: %v", rej)
	}
	if e.Tenant != "t-1" || e.State != StateFailed || e.Attempt != 2 || e.Attrs["priority"] != "high" {
		t.Fatalf("decoded wrong: %+v", e)
	}
	if !e.IsError() {
		t.Fatal("failed job should count as error")
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	e, rej := Decode([]byte(validDoc), testNow, DefaultLimits)
	if rej != nil {
		t.Fatal(rej)
	}
	b, err := Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	e2, rej := Decode(b, testNow, DefaultLimits)
	if rej != nil {
		t.Fatalf("re-decode: %v", rej)
	}
	if !e2.Time.Equal(e.Time) || e2.ID != e.ID || e2.ErrorMessage != e.ErrorMessage {
		t.Fatalf("round trip changed event: %+v vs %+v", e, e2)
	}
}

func TestDecodeRejections(t *testing.T) {
	repl := func(old, new string) string { return strings.Replace(validDoc, old, new, 1) }
	tests := []struct {
		name string
		doc  string
		want Reason
	}{
		{"malformed", `{"v":1,"id":`, ReasonMalformedJSON},
		{"not an object", `[1,2]`, ReasonWrongType},
		{"trailing", validDoc + `{}`, ReasonMalformedJSON},
		{"wrong type", repl(`"attempt":2`, `"attempt":"two"`), ReasonWrongType},
		{"unknown field", repl(`"v":1,`, `"v":1,"customer_email":"x",`), ReasonUnknownField},
		{"oversized", repl(`"e-1"`, `"`+strings.Repeat("a", 70000)+`"`), ReasonTooLarge},
		{"invalid utf8", repl(`upstream`, "up\xffstream"), ReasonInvalidUTF8},
		{"future", repl(`2026-11-22T11:59:00.123Z`, `2026-11-23T11:59:00Z`), ReasonFutureTimestamp},
		{"ancient", repl(`2026-11-22T11:59:00.123Z`, `2020-01-01T00:00:00Z`), ReasonAncientTimestamp},
		{"bad ts", repl(`2026-11-22T11:59:00.123Z`, `yesterday`), ReasonInvalidField},
		{"missing tenant", repl(`"tenant":"t-1",`, ``), ReasonMissingTenant},
		{"missing id", repl(`"id":"e-1",`, ``), ReasonMissingID},
		{"missing ts", repl(`"ts":"2026-11-22T11:59:00.123Z",`, ``), ReasonMissingTimestamp},
		{"version", repl(`"v":1`, `"v":2`), ReasonUnsupportedVersion},
		{"kind", repl(`"job_state"`, `"gossip"`), ReasonInvalidKind},
		{"state", repl(`"failed"`, `"exploded"`), ReasonInvalidState},
		{"identifier with space", repl(`"t-1"`, `"acme corp"`), ReasonInvalidField},
		{"identifier with email", repl(`"t-1"`, `"bob@example.com"`), ReasonInvalidField},
		{"negative duration", repl(`12.5`, `-1`), ReasonInvalidNumber},
		{"unknown attr", repl(`"priority"`, `"customer_name"`), ReasonUnknownAttribute},
		{"null doc", `null`, ReasonUnsupportedVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rej := Decode([]byte(tt.doc), testNow, DefaultLimits)
			if rej == nil {
				t.Fatalf("accepted, want %s", tt.want)
			}
			if rej.Reason != tt.want {
				t.Fatalf("reason %s (%s), want %s", rej.Reason, rej.Detail, tt.want)
			}
			if _, shared := DecodeShared([]byte(tt.doc), testNow, DefaultLimits); shared == nil || *shared != *rej {
				t.Fatalf("DecodeShared rejected with %v, Decode with %v", shared, rej)
			}
		})
	}
}

func TestTruncatesLongMessage(t *testing.T) {
	doc := strings.Replace(validDoc, "upstream timed out after 30s", strings.Repeat("é", 2000), 1)
	e, rej := Decode([]byte(doc), testNow, DefaultLimits)
	if rej != nil {
		t.Fatal(rej)
	}
	if len(e.ErrorMessage) > MaxErrorMessageLen {
		t.Fatalf("message %d bytes", len(e.ErrorMessage))
	}
}

// DecodeShared decodes what Decode does, escaped strings included, and its
// strings stay views of the input.
func TestDecodeSharedMatchesDecode(t *testing.T) {
	docs := []string{
		validDoc,
		strings.Replace(validDoc, "upstream timed out after 30s", `quote \" tab \t unicode \u00e9 done`, 1),
		strings.Replace(validDoc, `"t-1"`, `"t-\u0031"`, 1),
	}
	for _, doc := range docs {
		want, rej := Decode([]byte(doc), testNow, DefaultLimits)
		if rej != nil {
			t.Fatalf("%s: %v", doc, rej)
		}
		got, rej := DecodeShared([]byte(doc), testNow, DefaultLimits)
		if rej != nil {
			t.Fatalf("%s: DecodeShared: %v", doc, rej)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeShared = %+v\nDecode = %+v", got, want)
		}
	}
	doc := []byte(validDoc)
	if allocs := testing.AllocsPerRun(100, func() { DecodeShared(doc, testNow, DefaultLimits) }); allocs > 4 {
		t.Errorf("DecodeShared allocates %.0f times per event, want at most 4 (the attrs map and its strings)", allocs)
	}
}

// FuzzDecode holds the decoder to the easyjson decoder it replaced: on
// well-formed JSON both reach the same verdict, reason and event; anything
// else the decoder must reject (the reference lets some malformed documents
// through, trailing commas for one).
func FuzzDecode(f *testing.F) {
	for _, doc := range []string{
		validDoc, `{"v":1}`, `{"attrs":{"a":1}}`, "\xff", `null`, `{"v":1,}`, `{"v":01}`,
		`{"attrs":{}}`, `{"attrs":{"plan":null}}`, `{"error_message":"\ud800\u0041"}`,
		`{"ts":null,"customer":null}`, `{"attempt":70000}`, `{"bytes":-0}`, `{"duration_ms":1e400}`,
		`{"\u0076":1,"v":2,"v":1}`, " {\n\t\"v\" : 1 , \"attrs\" : { \"plan\" : \"a\\\"b\" } }\r\n",
		strings.Replace(validDoc, `"e-1"`, `"e-\ud83d\ude00"`, 1), `[]`, `"x"`, `{"attrs":{"plan":"x","plan":"y"}}`,
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, rej := Decode(b, testNow, DefaultLimits)
		shared, sharedRej := DecodeShared(b, testNow, DefaultLimits)
		if (rej == nil) != (sharedRej == nil) || (rej == nil && !reflect.DeepEqual(e, shared)) {
			t.Fatalf("Decode = %+v, %v; DecodeShared = %+v, %v", e, rej, shared, sharedRej)
		}
		if rej != nil && rej.Reason == "" {
			t.Fatal("rejection without reason")
		}
		if json.Valid(b) || len(b) > DefaultLimits.MaxBytes {
			ref, refRej := decodeReference(b, testNow, DefaultLimits)
			if (rej == nil) != (refRej == nil) || (rej != nil && rej.Reason != refRej.Reason) || !reflect.DeepEqual(e, ref) {
				t.Fatalf("Decode = %+v, %v; reference = %+v, %v", e, rej, ref, refRej)
			}
		} else if rej == nil {
			t.Fatalf("accepted malformed JSON: %+v", e)
		}
		if rej != nil {
			return
		}
		// Whatever is accepted must re-encode and re-decode to the same verdict.
		out, err := Marshal(&e)
		if err != nil {
			t.Fatalf("marshal accepted event: %v", err)
		}
		if _, rej := Decode(out, testNow, DefaultLimits); rej != nil {
			t.Fatalf("accepted event re-encodes to a rejected one: %v", rej)
		}
	})
}

// Every field the contract names is one the decoder knows, also when null.
func TestKnownFieldsMatchContract(t *testing.T) {
	ty := reflect.TypeOf(Event{})
	for i := range ty.NumField() {
		name, _, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ",")
		if !knownField([]byte(name)) {
			t.Errorf("field %s (json %q) is not in knownField", ty.Field(i).Name, name)
		}
		doc := `{"v":1,` + strconv.Quote(name) + `:null}`
		if _, rej := Decode([]byte(doc), testNow, DefaultLimits); rej != nil && rej.Reason == ReasonUnknownField {
			t.Errorf("%s: %v", doc, rej)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	doc := []byte(validDoc)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, rej := Decode(doc, testNow, DefaultLimits); rej != nil {
			b.Fatal(rej)
		}
	}
}

// BenchmarkReferenceEasyjson is the generated decoder scanEvent replaced.
func BenchmarkReferenceEasyjson(b *testing.B) {
	doc := []byte(validDoc)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, rej := decodeReference(doc, testNow, DefaultLimits); rej != nil {
			b.Fatal(rej)
		}
	}
}

// BenchmarkReferenceGoccyStrict is the reflection-based strict decoder the
// generated one replaced, kept to measure the two side by side.
func BenchmarkReferenceGoccyStrict(b *testing.B) {
	doc := []byte(validDoc)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		var e Event
		dec := goccy.NewDecoder(bytes.NewReader(doc))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeShared is the ingester's decode: strings stay views.
func BenchmarkDecodeShared(b *testing.B) {
	doc := []byte(validDoc)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, rej := DecodeShared(doc, testNow, DefaultLimits); rej != nil {
			b.Fatal(rej)
		}
	}
}
