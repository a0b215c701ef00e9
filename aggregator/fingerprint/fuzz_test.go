package fingerprint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzFingerprint(f *testing.F) {
	seeds, err := os.ReadFile(filepath.Join("testdata", "messages.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range strings.Split(string(seeds), "\n") {
		f.Add(s)
	}
	for _, s := range []string{"", "\xff", `"unclosed`, `a "b c" d`, "user", "for x from", "=", "a=", "-", "0:0:", "::1", "C:\\", "\\\\", "x://"} {
		f.Add(s)
	}
	fp := New(Config{})
	f.Fuzz(func(t *testing.T, msg string) {
		id, template := fp.Fingerprint(msg)
		if !utf8.ValidString(template) {
			t.Fatalf("template %q is not valid UTF-8", template)
		}
		if strings.ContainsAny(template, "\t\n\r") {
			t.Fatalf("template %q contains a tab or line break", template)
		}
		if id != ID(template) {
			t.Fatalf("id %d != ID(template) %d", id, ID(template))
		}
		if len(template) > 4*MaxMessageBytes {
			t.Fatalf("template of %d bytes", len(template))
		}
		if strings.Contains(template, "  ") || strings.HasPrefix(template, " ") || strings.HasSuffix(template, " ") {
			t.Fatalf("template %q has a leading, trailing or double space", template)
		}
		// The template depends on the tokens only, not on the spacing, as
		// long as neither spelling is cut at MaxMessageBytes (a long run of
		// separators in msg moves its cut; respacing removes the run).
		if respaced := respace(msg); len(msg) <= MaxMessageBytes && len(respaced) <= MaxMessageBytes {
			if _, t2 := fp.Fingerprint(respaced); t2 != template {
				t.Fatalf("respaced message %q gives %q, not %q", respaced, t2, template)
			}
		}
		id2, template2 := fp.Fingerprint(msg)
		if id2 != id || template2 != template {
			t.Fatalf("not deterministic: %q then %q", template, template2)
		}
		// Re-fingerprinting a template must not panic either.
		fp.Fingerprint(template)
	})
}

// respace joins the tokens of msg with tabs and doubled spaces.
func respace(msg string) string {
	toks, _ := splitTokens(nil, msg)
	var sb strings.Builder
	sb.WriteString("\t ")
	for _, t := range toks {
		sb.WriteString(msg[t.start:t.end])
		sb.WriteString(" \t\r ")
	}
	return sb.String()
}

// FuzzAliases feeds pairs of messages through Fingerprint and Aliases: the
// alias is always a template seen before (or the message's own), its id is
// ID of that template, and asking again gives the same answer.
func FuzzAliases(f *testing.F) {
	f.Add("session opened for user 0x1f", "session opened for user root")
	f.Add("blocks 1 2 3 deleted", "blocks 1, 2 deleted")
	f.Add("", "(")
	fp := New(Config{})
	f.Fuzz(func(t *testing.T, first, second string) {
		a := NewAliases()
		seen := map[string]bool{}
		for _, msg := range []string{first, second, first} {
			id, template := fp.Fingerprint(msg)
			seen[template] = true
			aid, alias := a.Resolve(id, template)
			if aid != ID(alias) || !seen[alias] {
				t.Fatalf("Resolve(%q) = %d %q: not a seen template with its id", template, aid, alias)
			}
			if aid2, alias2 := a.Resolve(id, template); aid2 != aid || alias2 != alias {
				t.Fatalf("Resolve(%q) changed without new input: %q then %q", template, alias, alias2)
			}
		}
	})
}
