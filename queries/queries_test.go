package queries_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opswarehouse/opswarehouse/ingest/schema"
	"github.com/opswarehouse/opswarehouse/ingest/testenv"
	"github.com/opswarehouse/opswarehouse/queries"
)

func TestLibraryParses(t *testing.T) {
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no queries")
	}
	for _, q := range all {
		if q.Description == "" {
			t.Errorf("%s: no description", q.Name)
		}
	}
}

func TestParseRejectsMismatchedParameters(t *testing.T) {
	tests := []struct{ name, body string }{
		{"undeclared", "-- name: a\nSELECT @x"},
		{"unused", "-- name: a\n-- param: x String\nSELECT 1"},
		{"bad type", "-- name: a\n-- param: x Map(String)\nSELECT @x"},
		{"no name", "SELECT 1"},
	}
	for _, tt := range tests {
		if _, err := queries.Parse(tt.name+".sql", tt.body); err == nil {
			t.Errorf("%s: parsed, want an error", tt.name)
		}
	}
	if _, err := queries.Parse("ok.sql", "-- name: ok\n-- param: x String\nSELECT 'user@example.com', @x"); err != nil {
		t.Errorf("an @ inside a string literal is not a parameter: %v", err)
	}
}

func TestBindChecksArguments(t *testing.T) {
	q := queries.Get("ingest_landed_by_tenant")
	since := queries.Named("since", time.Now())
	tests := []struct {
		name string
		args []queries.Arg
		ok   bool
	}{
		{"complete", []queries.Arg{since, queries.Named("limit", uint32(5))}, true},
		{"missing", []queries.Arg{since}, false},
		{"wrong type", []queries.Arg{since, queries.Named("limit", "5")}, false},
		{"unknown", []queries.Arg{since, queries.Named("limit", uint32(5)), queries.Named("x", 1)}, false},
		{"twice", []queries.Arg{since, since, queries.Named("limit", uint32(5))}, false},
	}
	for _, tt := range tests {
		if _, err := q.Bind(tt.args...); (err == nil) != tt.ok {
			t.Errorf("%s: Bind error %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// sample returns a Go value and a SQL literal for a declared type.
func sample(chType string) (any, string) {
	switch chType {
	case "String":
		return "x", "'x'"
	case "UInt8", "UInt16", "UInt32", "UInt64":
		v := map[string]any{"UInt8": uint8(1), "UInt16": uint16(1), "UInt32": uint32(1), "UInt64": uint64(1)}[chType]
		return v, "1"
	case "Int8", "Int16", "Int32", "Int64":
		v := map[string]any{"Int8": int8(1), "Int16": int16(1), "Int32": int32(1), "Int64": int64(1)}[chType]
		return v, "1"
	case "Float32":
		return float32(1), "1.0"
	case "Float64":
		return 1.0, "1.0"
	case "DateTime", "Date":
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "toDateTime('2026-01-01 00:00:00')"
	case "Array(String)":
		return []string{"x"}, "['x']"
	case "Array(UInt64)":
		return []uint64{1}, "[1]"
	}
	panic("no sample for " + chType)
}

var paramRef = regexp.MustCompile(`@([a-z][a-z0-9_]*)`)

func TestEveryQueryRunsOnClickHouse1816AndCurrent(t *testing.T) {
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	ch := testenv.ClickHouse(t)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := schema.Migrate(ctx, ch.Conn, schema.DefaultConfig(), logger); err != nil {
		t.Fatal(err)
	}
	db := testenv.Chdb(t)
	current, err := schema.ParseServerVersion(db.Version.String())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := schema.Migrations(schema.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	setup := []string{"CREATE DATABASE IF NOT EXISTS w", "USE w"}
	for _, m := range ms {
		setup = append(setup, m.For(current)...)
	}
	for _, s := range setup {
		if _, err := db.Exec(t, s); err != nil {
			t.Fatalf("chdb setup: %v", err)
		}
	}
	for _, q := range all {
		t.Run(q.Name, func(t *testing.T) {
			var args []queries.Arg
			literals := map[string]string{}
			for _, p := range q.Params {
				v, lit := sample(p.Type)
				args = append(args, queries.Named(p.Name, v))
				literals[p.Name] = lit
			}
			bound, err := q.Bind(args...)
			if err != nil {
				t.Fatal(err)
			}
			if err := runOn1816(ctx, ch, q.SQL, bound); err != nil {
				t.Fatalf("ClickHouse %s: %v", ch.Version, err)
			}
			// chdb has no client-side binding; the test substitutes literals.
			sql := paramRef.ReplaceAllStringFunc(q.SQL, func(m string) string { return literals[strings.TrimPrefix(m, "@")] })
			if _, err := db.Exec(t, sql); err != nil {
				t.Fatalf("ClickHouse %s: %v\n%s", db.Version, err, sql)
			}
		})
	}
}

// runOn1816 runs a query, or a statement such as KILL QUERY (which 18.16
// answers without a result header when nothing matched), on the server.
func runOn1816(ctx context.Context, ch *testenv.CH, sql string, args []any) error {
	if !statement.MatchString(sql) {
		rows, err := ch.Conn.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		return rows.Close()
	}
	return ch.Conn.Exec(ctx, sql, args...)
}

// statement matches a KILL statement (the only non-query in the library),
// after its comment header.
var statement = regexp.MustCompile(`(?m)\A(?:\s*--[^\n]*\n)*\s*(?i:KILL)\b`)
