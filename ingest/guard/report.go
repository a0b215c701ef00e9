package guard

// Kind is a kind of finding. Its String is a metric label and, for most
// kinds, the marker's name.
type Kind uint8

const (
	KindEmail  Kind = iota // e-mail address: <email:hhhhhhhh>, keyed on the domain
	KindCard               // payment card number: <card>
	KindPhone              // phone number: <phone>
	KindIP                 // IPv4 or IPv6 address: <ip:hhhhhhhh>
	KindJWT                // JSON web token: <jwt>
	KindToken              // bearer token, API key, credential value: <token>
	KindSecret             // password value or high-entropy blob: <secret>
	KindIBAN               // international bank account number: <iban>
	KindPII                // value of a personal-data key (name=, address=): <pii>
	KindQuery              // query string removed from a route
	numKinds
)

// Kinds lists every kind, so metrics can be pre-declared.
var Kinds = []Kind{KindEmail, KindCard, KindPhone, KindIP, KindJWT, KindToken, KindSecret, KindIBAN, KindPII, KindQuery}

var kindNames = [numKinds]string{"email", "card", "phone", "ip", "jwt", "token", "secret", "iban", "pii", "query"}

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "unknown"
}

// Report counts what a scrub replaced.
type Report struct {
	counts    [numKinds]int
	truncated int
}

func (r *Report) add(k Kind) { r.counts[k]++ }

// Count is the number of replacements of kind k.
func (r Report) Count(k Kind) int {
	if k < numKinds {
		return r.counts[k]
	}
	return 0
}

// Total is the number of replacements of every kind.
func (r Report) Total() int {
	n := 0
	for _, c := range r.counts {
		n += c
	}
	return n
}

// Truncated is the number of fields cut to their contract limit.
func (r Report) Truncated() int { return r.truncated }

// Add accumulates another report into r.
func (r *Report) Add(o Report) {
	for i, c := range o.counts {
		r.counts[i] += c
	}
	r.truncated += o.truncated
}
