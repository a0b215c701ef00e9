package guard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
)

// Pseudonym domains keep an IP address and an e-mail domain that happen to
// share bytes from sharing a pseudonym.
const (
	domainIP    byte = 'i'
	domainEmail byte = 'e'
)

// maxPseudonymInput bounds the bytes hashed for one pseudonym; longer inputs
// (253 bytes is the longest DNS name) are cut, which only merges pseudonyms.
const maxPseudonymInput = 256

// pseudonymiser turns a value into a stable 32-bit keyed hash. HMAC, not a
// plain hash: without the key nobody can test guesses against a pseudonym.
type pseudonymiser struct {
	pool sync.Pool // of *hasher
}

type hasher struct {
	mac hash.Hash
	in  [1 + maxPseudonymInput]byte
	sum [sha256.Size]byte
}

func newPseudonymiser(key []byte) *pseudonymiser {
	k := append([]byte(nil), key...)
	p := &pseudonymiser{}
	p.pool.New = func() any { return &hasher{mac: hmac.New(sha256.New, k)} }
	return p
}

// of returns the pseudonym of value within domain. With fold set, ASCII
// letters are lower-cased first, so case variants share a pseudonym.
func (p *pseudonymiser) of(domain byte, value string, fold bool) uint32 {
	h := p.pool.Get().(*hasher)
	h.in[0] = domain
	n := copy(h.in[1:], value)
	if fold {
		for i := 1; i <= n; i++ {
			if c := h.in[i]; c >= 'A' && c <= 'Z' {
				h.in[i] = c + 'a' - 'A'
			}
		}
	}
	h.mac.Reset()
	h.mac.Write(h.in[:1+n])
	sum := h.mac.Sum(h.sum[:0])
	v := binary.BigEndian.Uint32(sum)
	p.pool.Put(h)
	return v
}
