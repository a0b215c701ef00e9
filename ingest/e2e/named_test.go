package e2e

import "github.com/opswarehouse/opswarehouse/queries"

func namedNeedle(s string) queries.Arg { return queries.Named("needle", s) }
