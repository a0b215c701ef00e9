package guard

import "strings"

const (
	// minLongRun gates the long-token detectors: no API key, JWT or secret
	// this package recognises is shorter.
	minLongRun = 16
	// minSecretLen is the shortest run judged by its shape alone.
	minSecretLen = 24
)

// tokenPrefix is a vendor credential format: a fixed prefix and a tail of
// at least minTail characters from the given alphabet.
type tokenPrefix struct {
	prefix  string
	minTail int
	extra   string // tail characters allowed beyond [A-Za-z0-9]
}

// tokenPrefixes: vendor formats recognised whatever their entropy.
var tokenPrefixes = []tokenPrefix{
	{"sk_live_", 10, ""}, {"sk_test_", 10, ""}, {"rk_live_", 10, ""}, {"rk_test_", 10, ""},
	{"pk_live_", 10, ""}, {"pk_test_", 10, ""}, {"whsec_", 16, ""}, // Stripe
	{"sk_", 20, ""}, {"pk_", 20, ""}, // other sk_/pk_ keys; pk_invoices_tenant (an index) has '_' and is kept
	{"sk-", 20, "_-"},                  // OpenAI, Anthropic (sk-proj-…, sk-ant-…)
	{"AKIA", 16, ""}, {"ASIA", 16, ""}, // AWS access key ids
	{"ghp_", 30, ""}, {"gho_", 30, ""}, {"ghu_", 30, ""}, {"ghs_", 30, ""}, {"ghr_", 30, ""},
	{"github_pat_", 30, "_"},
	{"glpat-", 20, "_-"},
	{"xoxa-", 10, "-"}, {"xoxb-", 10, "-"}, {"xoxp-", 10, "-"}, {"xoxr-", 10, "-"}, {"xoxs-", 10, "-"},
	{"xapp-", 10, "-"}, // Slack
	{"AIza", 30, "_-"}, // Google API keys
	{"npm_", 30, ""},
	{"hf_", 30, ""},
	{"shpat_", 32, ""}, {"shpss_", 32, ""}, // Shopify
}

func isRunByte(c byte) bool { return classTab[c]&cRun != 0 }

// classifyRun looks for random-looking secrets in a run of the base64
// alphabet long enough to be one.
func classifyRun(s string, i, j int, sp []span) []span {
	run := s[i:j]
	if len(run) < minSecretLen {
		return sp
	}
	if !hasWordSegment(run) {
		if isSecretLike(run) {
			sp = append(sp, span{start: i, end: j, kind: KindSecret})
		}
		return sp
	}
	// A path or a hyphenated name (/v1/invoices/…, billing-worker-7f9c8d):
	// judge each segment, so only the random one goes.
	for a := 0; a < len(run); {
		b := a
		for b < len(run) && !isSegmentSep(run[b]) {
			b++
		}
		if b-a >= minSecretLen && isSecretLike(run[a:b]) {
			sp = append(sp, span{start: i + a, end: i + b, kind: KindSecret})
		}
		a = b + 1
	}
	return sp
}

// prefixesByFirstByte indexes tokenPrefixes, so most runs skip the table.
var prefixesByFirstByte = func() (t [256][]tokenPrefix) {
	for _, p := range tokenPrefixes {
		t[p.prefix[0]] = append(t[p.prefix[0]], p)
	}
	return t
}()

// minPrefixedLen is the shortest vendor key.
var minPrefixedLen = func() int {
	n := 1 << 30
	for _, p := range tokenPrefixes {
		n = min(n, len(p.prefix)+p.minTail)
	}
	return n
}()

// prefixedTokenLen returns the length of the vendor key that starts run,
// or 0.
func prefixedTokenLen(run string) int {
	if len(run) < minPrefixedLen {
		return 0
	}
	for _, p := range prefixesByFirstByte[run[0]] {
		if !strings.HasPrefix(run, p.prefix) {
			continue
		}
		n := len(p.prefix)
		for n < len(run) && (isAlnum(run[n]) || strings.IndexByte(p.extra, run[n]) >= 0) {
			n++
		}
		if n-len(p.prefix) >= p.minTail {
			return n
		}
	}
	return 0
}

func isSegmentSep(c byte) bool { return c == '/' || c == '-' || c == '_' }

// hasWordSegment reports whether a run split on / - _ has a segment that is
// a plain word (invoices, var, Billing): then it is a path or a name.
func hasWordSegment(run string) bool {
	for a := 0; a < len(run); {
		b := a
		for b < len(run) && !isSegmentSep(run[b]) {
			b++
		}
		if b-a >= 3 && isPlainWord(run[a:b]) {
			return true
		}
		a = b + 1
	}
	return false
}

func isPlainWord(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'a' && c <= 'z' || i == 0 && c >= 'A' && c <= 'Z' {
			continue
		}
		return false
	}
	return true
}

// isSecretLike judges a run by its shape. Hex ids (hashes, trace ids,
// UUIDs, prefixed hex SIDs) are operational and kept. Otherwise a secret looks random: it switches
// often between upper case, lower case and digits, and has few runs of
// four or more lower-case letters, which identifiers are made of
// (ProcessInvoiceBatchV2Factory: rocess, nvoice, atch, actory).
//   - mixed case with a digit or symbol: switch ratio ≥ 0.3;
//   - mixed case letters only: ≥ 32 long, switch ratio ≥ 0.4;
//   - one case with digits (base32, [a-z0-9] keys): ≥ 32 long, ≥ 20 %
//     digits, switch ratio ≥ 0.3. ULIDs (26) are kept.
//
// and in every case under 30 % of the letters in lower-case words.
func isSecretLike(r string) bool {
	if isHexID(r) {
		return false
	}
	var cls, prev uint16
	switches, alnum, digits, wordy, lowerRun := 0, 0, 0, 0, 0
	for i := 0; i < len(r); i++ {
		c := classTab[r[i]]
		cls |= c
		k := c & (cUpper | cLower | cDigit)
		if k != cLower {
			if lowerRun >= 4 {
				wordy += lowerRun
			}
			lowerRun = 0
		}
		if k == 0 {
			continue
		}
		alnum++
		if k == cLower {
			lowerRun++
		}
		if k == cDigit {
			digits++
		}
		if prev != 0 && k != prev {
			switches++
		}
		prev = k
	}
	if lowerRun >= 4 {
		wordy += lowerRun
	}
	if alnum < 2 || wordy*10 >= alnum*3 {
		return false
	}
	ratio := float64(switches) / float64(alnum-1)
	mixed := cls&cUpper != 0 && cls&cLower != 0
	symbol := len(r) > alnum
	switch {
	case mixed && (digits > 0 || symbol):
		return ratio >= 0.3
	case mixed:
		return len(r) >= 32 && ratio >= 0.4
	default:
		return digits > 0 && len(r) >= 32 && digits*5 >= alnum && ratio >= 0.3
	}
}

// isHexID reports whether a run is hex digits joined by - / _ (UUIDs,
// digests, object keys such as 60c544b4/45b8100f-2798-…), optionally after a
// short letter prefix (Twilio SIDs RQbd74c3…, jid-9f2c…): ids, not secrets.
func isHexID(r string) bool {
	p := 0
	for p < len(r) && p < 4 && isAlpha(r[p]) {
		p++
	}
	if p < len(r) && isSegmentSep(r[p]) {
		p++
	}
	if len(r)-p < 16 || !onlyHexIDBytes(r[p:]) {
		return onlyHexIDBytes(r)
	}
	return true
}

func onlyHexIDBytes(r string) bool {
	for i := 0; i < len(r); i++ {
		if c := r[i]; !isHex(c) && !isSegmentSep(c) {
			return false
		}
	}
	return true
}
