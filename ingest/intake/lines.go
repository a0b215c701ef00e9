package intake

import (
	"bytes"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/event"
)

// Rejection is one line the intake did not take, and why.
type Rejection struct {
	Line   int    `json:"line"` // 1-based physical line number in the (decoded) body
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// ReasonTenantNotAllowed rejects a line whose tenant the token may not write.
const ReasonTenantNotAllowed = "tenant_not_allowed"

// lineEvent is a decoded, valid event and the line it came from.
type lineEvent struct {
	line int
	ev   event.Event
}

// batch is a request body split and decoded: every non-blank line is in
// exactly one of events and rejected.
type batch struct {
	events   []lineEvent
	rejected []Rejection
}

// forEachLine calls fn for every non-blank line of body with its 1-based
// line number. Lines end in \n; a trailing \r is dropped. Blank lines (only
// whitespace) are skipped, so a trailing newline or an empty body has none.
func forEachLine(body []byte, fn func(n int, line []byte)) {
	for n := 1; len(body) > 0; n++ {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		fn(n, line)
	}
}

// countLines returns the number of lines forEachLine would visit.
func countLines(body []byte) int {
	n := 0
	forEachLine(body, func(int, []byte) { n++ })
	return n
}

// decodeLines decodes every line with the event contract's strict decoder.
func decodeLines(body []byte, now time.Time, lim event.Limits) batch {
	var b batch
	forEachLine(body, func(n int, line []byte) {
		ev, rej := event.Decode(line, now, lim)
		if rej != nil {
			b.rejected = append(b.rejected, Rejection{Line: n, Reason: string(rej.Reason), Detail: rej.Detail})
			return
		}
		b.events = append(b.events, lineEvent{line: n, ev: ev})
	})
	return b
}
