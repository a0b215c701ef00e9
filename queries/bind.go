package queries

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Arg is one named argument.
type Arg = driver.NamedValue

// Named makes an argument.
func Named(name string, value any) Arg { return clickhouse.Named(name, value) }

// Bind checks args against the declaration (every parameter given once, of a
// Go type that fits its ClickHouse type) and returns them as query args.
func (q *Query) Bind(args ...Arg) ([]any, error) {
	given := map[string]Arg{}
	for _, a := range args {
		if _, dup := given[a.Name]; dup {
			return nil, fmt.Errorf("query %s: argument %s given twice", q.Name, a.Name)
		}
		given[a.Name] = a
	}
	out := make([]any, 0, len(q.Params))
	for _, p := range q.Params {
		a, ok := given[p.Name]
		if !ok {
			return nil, fmt.Errorf("query %s: missing argument %s (%s)", q.Name, p.Name, p.Type)
		}
		if !fits(p.Type, a.Value) {
			return nil, fmt.Errorf("query %s: argument %s is %T, declared %s", q.Name, p.Name, a.Value, p.Type)
		}
		delete(given, p.Name)
		out = append(out, a)
	}
	for name := range given {
		return nil, fmt.Errorf("query %s: unknown argument %s", q.Name, name)
	}
	return out, nil
}

// MustBind is Bind for arguments fixed at compile time.
func (q *Query) MustBind(args ...Arg) []any {
	out, err := q.Bind(args...)
	if err != nil {
		panic(err)
	}
	return out
}

func fits(chType string, v any) bool {
	rv := reflect.ValueOf(v)
	switch {
	case chType == "String":
		return rv.Kind() == reflect.String
	case strings.HasPrefix(chType, "UInt"):
		return rv.Kind() >= reflect.Uint && rv.Kind() <= reflect.Uint64
	case strings.HasPrefix(chType, "Int"):
		return rv.Kind() >= reflect.Int && rv.Kind() <= reflect.Int64
	case strings.HasPrefix(chType, "Float"):
		return rv.Kind() == reflect.Float32 || rv.Kind() == reflect.Float64
	case chType == "DateTime", chType == "Date":
		_, ok := v.(time.Time)
		return ok
	case chType == "Array(String)":
		_, ok := v.([]string)
		return ok
	case chType == "Array(UInt64)":
		_, ok := v.([]uint64)
		return ok
	}
	return false
}
