// Package schema owns the warehouse's ClickHouse schema: versioned,
// idempotent migrations embedded from migrations/*.sql, applied in order and
// recorded in schema_migrations, with statements gated on the server version
// so one set of files serves ClickHouse 18.16 and current releases.
package schema

import (
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Config holds the schema's tunables.
type Config struct {
	RawRetentionDays    int `yaml:"raw_retention_days"`
	RollupRetentionDays int `yaml:"rollup_retention_days"`
}

// RegisterFlags registers the schema flags.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.RawRetentionDays, "schema.raw-retention-days", 30, "days raw events are kept")
	fs.IntVar(&c.RollupRetentionDays, "schema.rollup-retention-days", 400, "days per-minute rollups are kept")
}

// DefaultConfig returns the defaults RegisterFlags would set.
func DefaultConfig() Config { return Config{RawRetentionDays: 30, RollupRetentionDays: 400} }

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.RawRetentionDays < 1 || c.RawRetentionDays > 3650 {
		return fmt.Errorf("schema.raw-retention-days %d outside [1, 3650]", c.RawRetentionDays)
	}
	if c.RollupRetentionDays < c.RawRetentionDays || c.RollupRetentionDays > 3650 {
		return fmt.Errorf("schema.rollup-retention-days %d outside [raw retention, 3650]", c.RollupRetentionDays)
	}
	return nil
}

// ServerVersion is a ClickHouse release's major.minor.
type ServerVersion struct{ Major, Minor int }

// ParseServerVersion parses the output of SELECT version().
func ParseServerVersion(s string) (ServerVersion, error) {
	parts := strings.SplitN(strings.TrimSpace(s), ".", 3)
	if len(parts) < 2 {
		return ServerVersion{}, fmt.Errorf("parsing server version %q: want major.minor", s)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err := errors.Join(err1, err2); err != nil {
		return ServerVersion{}, fmt.Errorf("parsing server version %q: %w", s, err)
	}
	return ServerVersion{major, minor}, nil
}

// AtLeast reports whether v is o or newer.
func (v ServerVersion) AtLeast(o ServerVersion) bool {
	return v.Major > o.Major || (v.Major == o.Major && v.Minor >= o.Minor)
}

func (v ServerVersion) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// SupportsTTL reports whether the server has table TTLs (and MODIFY TTL).
func (v ServerVersion) SupportsTTL() bool { return v.AtLeast(ServerVersion{20, 1}) }

// Statement is one DDL statement of a migration.
type Statement struct {
	SQL      string
	Requires ServerVersion // zero: every supported server
}

// Migration is one versioned file of statements.
type Migration struct {
	Version    int
	Name       string
	Statements []Statement
}

var fileName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migrations returns every embedded migration in version order, with
// {{placeholders}} filled from cfg.
func Migrations(cfg Config) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("reading embedded migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q does not match NNNN_name.sql", e.Name())
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", e.Name(), err)
		}
		stmts, err := parseStatements(fillPlaceholders(string(body), cfg))
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", e.Name(), err)
		}
		version, _ := strconv.Atoi(m[1])
		out = append(out, Migration{Version: version, Name: m[2], Statements: stmts})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations with version %d", out[i].Version)
		}
	}
	return out, nil
}

// fillPlaceholders substitutes validated integers from cfg; DDL clauses such
// as TTL cannot take query parameters.
func fillPlaceholders(sql string, cfg Config) string {
	return strings.NewReplacer(
		"{{raw_retention_days}}", strconv.Itoa(cfg.RawRetentionDays),
		"{{rollup_retention_days}}", strconv.Itoa(cfg.RollupRetentionDays),
	).Replace(sql)
}

// parseStatements splits a file on semicolons at line ends and reads each
// statement's "-- @requires MAJOR.MINOR" directive.
func parseStatements(body string) ([]Statement, error) {
	var out []Statement
	var cur strings.Builder
	var req ServerVersion
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(trimmed, "-- @requires "); ok {
			sv, err := ParseServerVersion(v)
			if err != nil {
				return nil, err
			}
			req = sv
			continue
		}
		if strings.HasPrefix(trimmed, "--") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			sql := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			out = append(out, Statement{SQL: sql, Requires: req})
			cur.Reset()
			req = ServerVersion{}
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		return nil, fmt.Errorf("statement without terminating semicolon: %.60q", cur.String())
	}
	return out, nil
}

// For returns the statements of m that apply to a server of version v.
func (m Migration) For(v ServerVersion) []string {
	var out []string
	for _, s := range m.Statements {
		if v.AtLeast(s.Requires) {
			out = append(out, s.SQL)
		}
	}
	return out
}
