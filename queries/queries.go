// Package queries is opswarehouse's library of named SQL queries, shared by
// the ingester, the aggregator's detectors, runbook pages and the Grafana
// plugin. Each query is an embedded .sql file whose header declares its
// parameters and their ClickHouse types:
//
//	-- name: ingest_high_water
//	-- description: highest Kafka offset stored per partition
//	-- param: topic String
//	SELECT ... WHERE topic = @topic
//
// Values are always bound (clickhouse.Named), never formatted into SQL, and
// Bind refuses arguments that do not match the declaration.
package queries

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"
)

//go:embed */*.sql
var files embed.FS

// Param is a declared query parameter.
type Param struct {
	Name string
	Type string // ClickHouse type, e.g. String, UInt64, DateTime, Array(String)
	Doc  string
}

// Query is one named query.
type Query struct {
	Name        string
	Path        string
	Description string
	Params      []Param
	SQL         string
}

var (
	loadOnce sync.Once
	byName   map[string]*Query
	loadErr  error
)

// Get returns the named query; it panics if the library is malformed, which
// tests catch at build time.
func Get(name string) *Query {
	q, err := Lookup(name)
	if err != nil {
		panic(err)
	}
	return q
}

// Lookup returns the named query.
func Lookup(name string) (*Query, error) {
	loadOnce.Do(func() { byName, loadErr = load() })
	if loadErr != nil {
		return nil, loadErr
	}
	q, ok := byName[name]
	if !ok {
		return nil, fmt.Errorf("no query named %q", name)
	}
	return q, nil
}

// All returns every query, sorted by name.
func All() ([]*Query, error) {
	loadOnce.Do(func() { byName, loadErr = load() })
	if loadErr != nil {
		return nil, loadErr
	}
	out := make([]*Query, 0, len(byName))
	for _, q := range byName {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func load() (map[string]*Query, error) {
	out := map[string]*Query{}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		body, err := files.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		q, err := Parse(path, string(body))
		if err != nil {
			return err
		}
		if prev, dup := out[q.Name]; dup {
			return fmt.Errorf("query name %q used by %s and %s", q.Name, prev.Path, path)
		}
		out[q.Name] = q
		return nil
	})
	return out, err
}

var (
	paramDecl  = regexp.MustCompile(`^([a-z][a-z0-9_]*)\s+([A-Za-z][A-Za-z0-9()., ]*?)(?:\s+--\s*(.*))?$`)
	paramUse   = regexp.MustCompile(`@([a-z][a-z0-9_]*)`)
	validTypes = regexp.MustCompile(`^(String|UInt(8|16|32|64)|Int(8|16|32|64)|Float(32|64)|DateTime|Date|Array\(String\)|Array\(UInt64\))$`)
)

// Parse reads one query file.
func Parse(path, body string) (*Query, error) {
	q := &Query{Path: path}
	var sql strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "-- name:"):
			q.Name = strings.TrimSpace(strings.TrimPrefix(t, "-- name:"))
		case strings.HasPrefix(t, "-- description:"):
			q.Description = strings.TrimSpace(strings.TrimPrefix(t, "-- description:"))
		case strings.HasPrefix(t, "-- param:"):
			m := paramDecl.FindStringSubmatch(strings.TrimSpace(strings.TrimPrefix(t, "-- param:")))
			if m == nil || !validTypes.MatchString(m[2]) {
				return nil, fmt.Errorf("%s: bad parameter declaration %q", path, t)
			}
			q.Params = append(q.Params, Param{Name: m[1], Type: m[2], Doc: m[3]})
		default:
			sql.WriteString(line)
			sql.WriteByte('\n')
		}
	}
	q.SQL = strings.TrimSuffix(strings.TrimSpace(sql.String()), ";")
	if q.Name == "" {
		return nil, fmt.Errorf("%s: missing -- name: header", path)
	}
	return q, q.checkParamsUsed()
}

// checkParamsUsed makes the declaration and the SQL agree both ways.
func (q *Query) checkParamsUsed() error {
	declared := map[string]bool{}
	for _, p := range q.Params {
		if declared[p.Name] {
			return fmt.Errorf("%s: parameter %s declared twice", q.Path, p.Name)
		}
		declared[p.Name] = true
	}
	used := map[string]bool{}
	for _, m := range paramUse.FindAllStringSubmatch(stripStrings(q.SQL), -1) {
		used[m[1]] = true
		if !declared[m[1]] {
			return fmt.Errorf("%s: @%s used but not declared", q.Path, m[1])
		}
	}
	for name := range declared {
		if !used[name] {
			return fmt.Errorf("%s: parameter %s declared but not used", q.Path, name)
		}
	}
	return nil
}

// stripStrings blanks out quoted literals so an @ inside one is not a parameter.
func stripStrings(sql string) string {
	b := []byte(sql)
	in := false
	for i := range b {
		if b[i] == '\'' && (i == 0 || b[i-1] != '\\') {
			in = !in
			continue
		}
		if in {
			b[i] = ' '
		}
	}
	return string(b)
}
