package guard

import "strings"

// maxKeyLen bounds the key looked at before '=' or ':'; only its tail
// decides whether the key names a credential.
const maxKeyLen = 48

// maxQuotedValue bounds how far a quoted value is followed.
const maxQuotedValue = 512

type keyClass uint8

const (
	keyPlain  keyClass = iota
	keyToken           // value replaced by <token>
	keySecret          // value replaced by <secret>
	keyAuth            // an Authorization header: scheme and credentials
	keyPII             // value replaced by <pii>: it is personal data by name
)

// Key names that mark their value as a credential, matched against the end
// of the lower-cased key: api_key, X-Api-Key, accessToken, db.password.
// Key names are matched at the end of the key, ignoring case and the
// separators _ and -, so that api_key, X-Api-Key, apiKey and APIKEY are one
// name.
var (
	// suffixes that are distinctive on their own
	secretSuffixes = []string{"password", "passwd", "passphrase", "secret", "credential", "credentials", "pwd"}
	tokenSuffixes  = []string{"token", "api_key", "signature", "session_id", "cookie", "private_key",
		"access_key", "jwt", "bearer", "otp"}
	// words that are credentials only as a whole name component: key, not monkey
	tokenWords = []string{"key", "auth", "sig", "pin", "session"}
	// card verification codes: secrets of their own
	secretWords = []string{"cvv", "cvc", "cvv2", "cvc2", "csc"}
	// Keys whose value is personal data, whatever it looks like. Only
	// unambiguous names: "name" alone is too often a job's or a queue's.
	piiSuffixes = []string{"first_name", "last_name", "full_name", "given_name", "family_name", "surname",
		"customer_name", "card_holder", "user_name", "display_name", "phone_number", "msisdn",
		"street_address", "billing_address", "shipping_address", "home_address", "postal_address",
		"post_code", "postal_code", "zip_code", "date_of_birth", "birth_date", "ssn",
		"social_security_number", "tax_id", "national_id", "passport_number", "iban",
		"account_number", "card_number"}
	piiWords = []string{"phone", "dob", "zip"}
	authKeys = []string{"authorization", "proxy_authorization"}
	// Authorization header schemes, lower case
	authSchemes = []string{"bearer", "basic", "digest", "token", "negotiate", "ntlm", "bot", "apikey",
		"dpop", "hoba", "mutual", "aws4-hmac-sha256"}
)

func isKeyByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// isValueEnd ends an unquoted value: white space, the separators of query
// strings and key=value lists, and closing brackets and quotes.
func isValueEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '&', ',', ';', '"', '\'', ')', ']', '}':
		return true
	}
	return false
}

// findKeyValues replaces the values of credential-named keys in key=value
// forms: query strings, logfmt. The key: value forms (headers, JSON) are
// handled by findColons, which visits every colon once for all detectors.
func findKeyValues(s string, sp []span) []span {
	for off := 0; off < len(s); {
		i := strings.IndexByte(s[off:], '=')
		if i < 0 {
			break
		}
		i += off
		off = i + 1
		if x, ok := keyValueAt(s, i); ok {
			sp = append(sp, x)
			off = x.end
		}
	}
	return sp
}

// keyValueAt finds a credential value after the delimiter at i ('=' or
// ':') when the key before it names a credential or personal data.
func keyValueAt(s string, i int) (span, bool) {
	class, ok := classifyKey(s, i)
	if !ok {
		return span{}, false
	}
	start, end, ok := credentialValue(s, i+1, class, s[i])
	if !ok {
		return span{}, false
	}
	kind := KindToken
	switch class {
	case keySecret:
		kind = KindSecret
	case keyPII:
		kind = KindPII
	}
	return span{start: start, end: end, kind: kind}, true
}

// classifyKey looks at the key that ends just before the delimiter at i,
// allowing a closing quote and spaces in between.
func classifyKey(s string, i int) (keyClass, bool) {
	k := i
	for k > 0 && k > i-2 && s[k-1] == ' ' {
		k--
	}
	if k > 0 && (s[k-1] == '"' || s[k-1] == '\'') {
		k--
	}
	start := k
	for start > 0 && k-start < maxKeyLen && isKeyByte(s[start-1]) {
		start--
	}
	if start == k {
		return keyPlain, false
	}
	c := keyClassOf(s[start:k])
	return c, c != keyPlain
}

// keyRule matches the end of a key name.
type keyRule struct {
	word  string
	class keyClass
	match uint8
}

const (
	matchSuffix    uint8 = iota // the key ends with word
	matchComponent              // the key's last name component is word
	matchWhole                  // the key is word
)

// keyRules indexes the rules by a hash of the word's last two letters:
// most keys share them with no rule and are dismissed with one lookup.
var keyRules = func() (t [keyRuleBuckets][]keyRule) {
	add := func(words []string, class keyClass, match uint8) {
		for _, w := range words {
			h := keyRuleHash(w[len(w)-2], w[len(w)-1])
			t[h] = append(t[h], keyRule{w, class, match})
		}
	}
	add(authKeys, keyAuth, matchWhole)
	add(secretSuffixes, keySecret, matchSuffix)
	add(tokenSuffixes, keyToken, matchSuffix)
	add(tokenWords, keyToken, matchComponent)
	add(secretWords, keySecret, matchComponent)
	add(piiSuffixes, keyPII, matchSuffix)
	add(piiWords, keyPII, matchComponent)
	return t
}()

func keyClassOf(key string) keyClass {
	for len(key) > 0 && isKeySep(key[len(key)-1]) {
		key = key[:len(key)-1]
	}
	if key == "" {
		return keyPlain
	}
	if len(key) < 2 {
		return keyPlain
	}
	for _, r := range keyRules[keyRuleHash(key[len(key)-2], key[len(key)-1])] {
		start, ok := looseSuffix(key, r.word)
		switch {
		case !ok:
		case r.match == matchWhole && start != 0:
		case r.match == matchComponent && !isComponentStart(key, start):
		default:
			return r.class
		}
	}
	return keyPlain
}

const keyRuleBuckets = 512

// keyRuleHash hashes a word's last two bytes, ignoring case. Rule words
// end in two letters or digits, so a key whose last two bytes straddle a
// separator (cvv_2) is not matched: a gap accepted for one lookup.
func keyRuleHash(a, b byte) int { return (int(lower(a))*31 + int(lower(b))) % keyRuleBuckets }

// isKeySep: separators inside one name. A dot separates namespaces
// (user.name is a Java property, not a user_name), so it is not skipped.
func isKeySep(c byte) bool { return c == '_' || c == '-' }

// looseSuffix reports whether key ends with word, ignoring ASCII case and
// separators, and where in key the match starts.
func looseSuffix(key, word string) (int, bool) {
	k, w := len(key)-1, len(word)-1
	for w >= 0 {
		for w >= 0 && isKeySep(word[w]) {
			w--
		}
		for k >= 0 && isKeySep(key[k]) {
			k--
		}
		if w < 0 {
			break
		}
		if k < 0 || lower(key[k]) != word[w] {
			return 0, false
		}
		k, w = k-1, w-1
	}
	return k + 1, true
}

// isComponentStart reports whether key[i:] is a whole name component:
// after a separator (api_key, x-auth) or a camel-case hump (apiKey).
func isComponentStart(key string, i int) bool {
	if i == 0 {
		return true
	}
	p, c := key[i-1], key[i]
	return p == '_' || p == '-' || p == '.' || c >= 'A' && c <= 'Z' && (p >= 'a' && p <= 'z' || isDigit(p))
}

// credentialValue finds the value after a delimiter. A value that already
// is a marker is left alone, so scrubbing twice changes nothing.
func credentialValue(s string, v int, class keyClass, delim byte) (int, int, bool) {
	spaced := false
	for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
		v++
		spaced = true
	}
	if v >= len(s) {
		return 0, 0, false
	}
	var end int
	if q := s[v]; q == '"' || q == '\'' {
		v++
		end = v
		for end < len(s) && end-v < maxQuotedValue && s[end] != q {
			end++
		}
	} else {
		end = tokenEnd(s, v)
		if class == keyAuth && isAuthScheme(s[v:end]) && end+1 < len(s) && s[end] == ' ' {
			end = tokenEnd(s, end+1)
		}
	}
	value := s[v:end]
	if value == "" || markerLen(value) == len(value) || isNonValue(value) {
		return 0, 0, false
	}
	// A hex literal (sessionid: 0x14ede63a5a70002) is a number, not a
	// credential.
	if class == keyToken && len(value) > 2 && value[0] == '0' && lower(value[1]) == 'x' && onlyHexIDBytes(value[2:]) {
		return 0, 0, false
	}
	// "invalid token: signature mismatch" is prose, not a credential: with
	// ':' and a space, a plain word is kept. Passwords are replaced always.
	if delim == ':' && spaced && class == keyToken && !looksLikeCredential(value) {
		return 0, 0, false
	}
	return v, end, true
}

// isNonValue: a value that says there is none. "token=null" tells an
// operator the token was missing, and carries no secret.
func isNonValue(v string) bool {
	switch len(v) {
	case 3, 4, 5, 9:
		for _, w := range [...]string{"nil", "null", "none", "<nil>", "undefined"} {
			if len(v) == len(w) && hasPrefixFold(v, w) {
				return true
			}
		}
	}
	return false
}

func tokenEnd(s string, i int) int {
	for i < len(s) && !isValueEnd(s[i]) {
		i++
	}
	return i
}

func isAuthScheme(w string) bool {
	for _, sch := range authSchemes {
		if len(w) == len(sch) && strings.EqualFold(w, sch) {
			return true
		}
	}
	return false
}

// looksLikeCredential: a value with a digit or a symbol, with mixed case
// (beyond a capital first letter), or a long one. Words are prose.
func looksLikeCredential(v string) bool {
	if len(v) >= 16 {
		return true
	}
	upper := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= 'A' && c <= 'Z':
			upper++
		default:
			return true
		}
	}
	return upper > 1 || upper == 1 && !(v[0] >= 'A' && v[0] <= 'Z')
}
