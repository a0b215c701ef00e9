package guard

import "strings"

// findColons visits every colon once for the three detectors that start
// at one: URL userinfo ("://"), IPv6 addresses and key: value pairs.
func (g *Guard) findColons(s string, sp []span) []span {
	v6End, kvEnd := 0, 0 // colons before these were read as part of an address or a value
	for off := 0; off < len(s); {
		i := strings.IndexByte(s[off:], ':')
		if i < 0 {
			break
		}
		i += off
		off = i + 1
		if i+2 < len(s) && s[i+1] == '/' && s[i+2] == '/' {
			if x, ok := urlPasswordAt(s, i+3); ok {
				sp = append(sp, x)
			}
		}
		if i >= v6End {
			x, end, ok := g.ipv6Around(s, i)
			if ok {
				sp = append(sp, x)
			}
			v6End = end
		}
		if i < kvEnd || off < len(s) && s[off] == ':' || i > 0 && s[i-1] == ':' {
			continue // inside a value, or a::b
		}
		if x, ok := keyValueAt(s, i); ok {
			sp = append(sp, x)
			kvEnd = x.end
		}
	}
	return sp
}
