package intake

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"math"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// principal is an authenticated token: what it may write and how fast.
type principal struct {
	name    string
	tenants map[string]bool // nil: any tenant
	limiter *rate.Limiter
}

func (p *principal) allows(tenant string) bool { return p.tenants == nil || p.tenants[tenant] }

// allow takes n events from the token's rate budget, or reports how long
// until they would fit. n == 0 only checks that one event would fit.
func (p *principal) allow(now time.Time, n int) (bool, time.Duration) {
	if p.limiter.Limit() == rate.Inf {
		return true, 0
	}
	if n == 0 {
		if p.limiter.TokensAt(now) >= 1 {
			return true, 0
		}
		n = 1
	} else if p.limiter.AllowN(now, n) {
		return true, 0
	}
	missing := float64(n) - p.limiter.TokensAt(now)
	return false, time.Duration(missing / float64(p.limiter.Limit()) * float64(time.Second))
}

// authenticator matches bearer tokens. Secrets are compared as SHA-256
// digests in constant time, so neither a secret's bytes nor its length
// leak through timing, and every configured token is compared on every
// request.
type authenticator struct {
	digests    [][sha256.Size]byte
	principals []*principal
}

func newAuthenticator(tokens []Token, perSecond float64, burst int) (*authenticator, error) {
	a := &authenticator{}
	seen := map[[sha256.Size]byte]string{}
	for _, t := range tokens {
		secret, err := t.secret()
		if err != nil {
			return nil, err
		}
		d := sha256.Sum256([]byte(secret))
		if other, dup := seen[d]; dup {
			return nil, fmt.Errorf("tokens %q and %q have the same secret", other, t.Name)
		}
		seen[d] = t.Name
		p := &principal{name: t.Name, limiter: rate.NewLimiter(rate.Inf, 0)}
		if perSecond >= 0 {
			p.limiter = rate.NewLimiter(rate.Limit(perSecond), burst)
		}
		if len(t.Tenants) > 0 {
			p.tenants = make(map[string]bool, len(t.Tenants))
			for _, tenant := range t.Tenants {
				p.tenants[tenant] = true
			}
		}
		a.digests = append(a.digests, d)
		a.principals = append(a.principals, p)
	}
	return a, nil
}

// authenticate returns the principal of an "Authorization: Bearer <token>"
// header value, or nil.
func (a *authenticator) authenticate(header string) *principal {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	d := sha256.Sum256([]byte(strings.TrimSpace(token)))
	match := -1
	for i := range a.digests {
		if subtle.ConstantTimeCompare(d[:], a.digests[i][:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return nil
	}
	return a.principals[match]
}

// retryAfterSeconds renders a Retry-After value: whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) string {
	return fmt.Sprint(max(1, int64(math.Ceil(d.Seconds()))))
}
