package sim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// filler is a kind of variable part in a message template.
type filler uint8

const (
	fillNone filler = iota
	fillN
	fillInt
	fillBig
	fillMs
	fillDur
	fillSec
	fillHost
	fillIP
	fillPubIP
	fillPort
	fillHex
	fillHex8
	fillUUID
	fillID
	fillReqID
	fillB62
	fillPath
	fillBytes
	fillPct
	fillLine
	fillTable
	fillCol
	fillWord
	fillQueue
	fillExt
	fillChar
	fillKey
	fillPartition
	fillTS
	fillVersion
	fillGID
	fillPID
	fillAddr
	fillJobID
)

var fillerNames = map[string]filler{
	"n": fillN, "int": fillInt, "big": fillBig, "ms": fillMs, "dur": fillDur, "sec": fillSec,
	"host": fillHost, "ip": fillIP, "pubip": fillPubIP, "port": fillPort, "hex": fillHex,
	"hex8": fillHex8, "uuid": fillUUID, "id": fillID, "reqid": fillReqID, "b62": fillB62,
	"path": fillPath, "bytes": fillBytes, "pct": fillPct, "line": fillLine, "table": fillTable,
	"col": fillCol, "word": fillWord, "queue": fillQueue, "ext": fillExt, "char": fillChar,
	"key": fillKey, "partition": fillPartition, "ts": fillTS, "version": fillVersion,
	"gid": fillGID, "pid": fillPID, "addr": fillAddr, "jobid": fillJobID,
}

type segment struct {
	lit  string
	fill filler // fillNone: lit only
}

// Template is a compiled error-message template.
type Template struct {
	ID     int
	Key    string // stable identity, e.g. "db.deadlock"
	Class  string // error_class of the messages it produces
	Text   string // the source text with {placeholders}
	Prefix string // literal text before the first placeholder
	segs   []segment
}

func compileTemplate(id int, d tmplDef) (*Template, error) {
	t := &Template{ID: id, Key: d.key, Class: d.class, Text: d.text}
	rest := d.text
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			t.segs = append(t.segs, segment{lit: rest})
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		name := ""
		if end > 0 {
			name = rest[open+1 : open+end]
		}
		f, ok := fillerNames[name]
		if !ok {
			return nil, fmt.Errorf("template %s: unknown placeholder %q", d.key, name)
		}
		t.segs = append(t.segs, segment{lit: rest[:open], fill: f})
		rest = rest[open+end+1:]
	}
	if len(t.segs) > 0 {
		t.Prefix = t.segs[0].lit
	}
	return t, nil
}

var (
	words      = []string{"orders", "billing", "accounts", "sync", "export", "notify", "ingest", "ledger", "search", "sessions", "uploads", "pricing", "quota", "reports", "audit", "webhooks", "contacts", "scheduler", "tokens", "inventory"}
	tables     = []string{"accounts", "users", "contacts", "invoices", "invoice_items", "payments", "jobs", "events", "webhooks", "deliveries", "subscriptions", "api_keys", "audit_log", "imports", "exports", "attachments", "settings", "sessions", "ledger_entries", "notes"}
	columns    = []string{"account_id", "user_id", "external_id", "status", "created_at", "updated_at", "amount_cents", "currency", "due_date", "owner_id", "locale", "timezone", "plan_id", "deleted_at", "sync_token"}
	queueNames = []string{"default", "mail", "webhooks", "billing", "exports", "sync", "media", "imports", "maintenance", "notify", "ml"}
	extensions = []string{"csv", "json", "pdf", "png", "jpg", "xlsx", "gz", "tmp"}
	badChars   = []string{"<", "\\x00", "}", "'", "N", "e", ","}
	pathRoots  = []string{"/var/lib/app/tmp/", "/srv/app/shared/uploads/", "/tmp/", "/data/cache/", "/var/spool/exports/"}
)

const hexDigits = "0123456789abcdef"
const b62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// messageFiller turns a template into a message, writing into an arena.
// hosts are the fleet's host names, so messages name real fleet hosts.
type messageFiller struct {
	arena arena
	hosts []string
}

func (m *messageFiller) fill(t *Template, r *rng, ts int64) string {
	b := m.arena.begin(len(t.Text) + 256)
	for i := range t.segs {
		s := &t.segs[i]
		b = append(b, s.lit...)
		if s.fill != fillNone {
			b = m.appendFill(b, s.fill, r, ts)
		}
	}
	if len(b)-len(m.arena.buf) > maxMessageLen {
		b = b[:len(m.arena.buf)+maxMessageLen]
	}
	return m.arena.finish(b)
}

const maxMessageLen = 1000

func (m *messageFiller) appendFill(b []byte, f filler, r *rng, ts int64) []byte {
	switch f {
	case fillN:
		return strconv.AppendInt(b, int64(1+r.Intn(9)), 10)
	case fillInt:
		return strconv.AppendInt(b, int64(r.LogNormal(40, 1.2))+1, 10)
	case fillBig:
		return strconv.AppendInt(b, int64(r.LogNormal(200000, 2))+1000, 10)
	case fillMs:
		return strconv.AppendInt(b, int64(r.LogNormal(900, 0.9))+1, 10)
	case fillDur:
		return appendDuration(b, r.LogNormal(1.5, 1.3))
	case fillSec:
		return strconv.AppendFloat(b, r.LogNormal(8, 0.8), 'f', 3, 64)
	case fillHost:
		return append(b, m.hosts[r.Intn(len(m.hosts))]...)
	case fillIP:
		return appendIP(b, 10, r)
	case fillPubIP:
		b = append(b, "203.0.113."...)
		return strconv.AppendInt(b, int64(1+r.Intn(254)), 10)
	case fillPort:
		return strconv.AppendInt(b, int64(32768+r.Intn(28232)), 10)
	case fillHex:
		return appendRandom(b, r, hexDigits, 24)
	case fillHex8:
		return appendRandom(b, r, hexDigits, 8)
	case fillUUID:
		return appendUUID(b, r)
	case fillID:
		return strconv.AppendInt(b, int64(100000+r.Intn(999900000)), 10)
	case fillReqID:
		return appendRandom(append(b, "req_"...), r, b62Digits, 14)
	case fillB62:
		return appendRandom(b, r, b62Digits, 14)
	case fillPath:
		return appendPath(b, r)
	case fillBytes:
		return appendBytes(b, r.LogNormal(2<<20, 2))
	case fillPct:
		return strconv.AppendFloat(b, 50+49.9*r.Float64(), 'f', 1, 64)
	case fillLine:
		return strconv.AppendInt(b, int64(1+r.Intn(1999)), 10)
	case fillTable:
		return append(b, tables[r.Intn(len(tables))]...)
	case fillCol:
		return append(b, columns[r.Intn(len(columns))]...)
	case fillWord:
		return append(b, words[r.Intn(len(words))]...)
	case fillQueue:
		return append(b, queueNames[r.Intn(len(queueNames))]...)
	case fillExt:
		return append(b, extensions[r.Intn(len(extensions))]...)
	case fillChar:
		return append(b, badChars[r.Intn(len(badChars))]...)
	case fillKey:
		b = append(b, "cache:v"...)
		b = strconv.AppendInt(b, int64(1+r.Intn(9)), 10)
		b = append(b, ':')
		b = append(b, words[r.Intn(len(words))]...)
		b = append(b, ':')
		return appendRandom(b, r, hexDigits, 8)
	case fillPartition:
		return strconv.AppendInt(b, int64(r.Intn(64)), 10)
	case fillTS:
		back := time.Duration(r.Exp(float64(20 * time.Minute)))
		return time.Unix(0, ts-int64(back)).UTC().AppendFormat(b, time.RFC3339)
	case fillVersion:
		b = append(b, "v3."...)
		b = strconv.AppendInt(b, int64(30+r.Intn(20)), 10)
		b = append(b, '.')
		return strconv.AppendInt(b, int64(r.Intn(6)), 10)
	case fillGID:
		return strconv.AppendInt(b, int64(1+r.Intn(200000)), 10)
	case fillPID:
		return strconv.AppendInt(b, int64(1000+r.Intn(64000)), 10)
	case fillAddr:
		return appendRandom(append(b, "0xc000"...), r, hexDigits, 6)
	case fillJobID:
		return appendRandom(append(b, "jid-"...), r, hexDigits, 24)
	}
	return b
}

func appendRandom(b []byte, r *rng, digits string, n int) []byte {
	u := r.Uint64()
	for i := 0; i < n; i++ {
		if i%10 == 9 {
			u = r.Uint64()
		}
		b = append(b, digits[(u&0x3f)%uint64(len(digits))])
		u >>= 6
	}
	return b
}

func appendUUID(b []byte, r *rng) []byte {
	for i, n := range [...]int{8, 4, 4, 4, 12} {
		if i > 0 {
			b = append(b, '-')
		}
		b = appendRandom(b, r, hexDigits, n)
	}
	return b
}

func appendIP(b []byte, first int, r *rng) []byte {
	b = strconv.AppendInt(b, int64(first), 10)
	for i := 0; i < 3; i++ {
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(r.Intn(256)), 10)
	}
	return b
}

func appendPath(b []byte, r *rng) []byte {
	b = append(b, pathRoots[r.Intn(len(pathRoots))]...)
	b = appendRandom(b, r, hexDigits, 2)
	b = append(b, '/')
	b = appendRandom(b, r, hexDigits, 8)
	b = append(b, '/')
	b = append(b, words[r.Intn(len(words))]...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(r.Intn(100000)), 10)
	b = append(b, '.')
	return append(b, extensions[r.Intn(len(extensions))]...)
}

// appendDuration formats seconds the way Go's time.Duration prints.
func appendDuration(b []byte, sec float64) []byte {
	switch {
	case sec < 1:
		b = strconv.AppendInt(b, int64(sec*1000)+1, 10)
		return append(b, "ms"...)
	case sec < 60:
		b = strconv.AppendFloat(b, sec, 'f', 3, 64)
		return append(b, 's')
	default:
		m := math.Floor(sec / 60)
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, 'm')
		b = strconv.AppendFloat(b, sec-60*m, 'f', 1, 64)
		return append(b, 's')
	}
}

func appendBytes(b []byte, n float64) []byte {
	units := [...]string{" B", " KB", " MB", " GB"}
	u := 0
	for n >= 1024 && u < len(units)-1 {
		n /= 1024
		u++
	}
	b = strconv.AppendFloat(b, n, 'f', 1, 64)
	return append(b, units[u]...)
}
