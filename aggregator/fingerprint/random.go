package fingerprint

// wordLikePrefix reports whether the letters p that precede the digits of a
// token read as a word ("storage" of "storage258", "tryToReload" of
// "tryToReload1514") rather than as the start of a random id ("fefe" of the
// hex "fefe7216", "oeqpZjShOmplS" of a base-62 id): only then is p kept.
func wordLikePrefix(p string) bool {
	hexOnly := true
	for i := 0; i < len(p); i++ {
		if !is(p[i], clsHex) {
			hexOnly = false
			break
		}
	}
	return !hexOnly && !looksRandom(p)
}

// looksRandom reports letters that no one would type: a run of five
// consonants inside one camel-case fragment ("Wzsln"), or a mixed-case
// string cut into mostly one- and two-letter fragments ("oeqpZjShOmplS").
// Upper-case runs are acronyms, not words, and are not checked for vowels.
func looksRandom(s string) bool {
	if !mixedCase(s) {
		return maxConsonantRun(s) >= 5
	}
	frags, tiny, start := 0, 0, 0
	for i := 1; i <= len(s); i++ {
		if i < len(s) && !fragmentStart(s, i) {
			continue
		}
		f := s[start:i]
		frags++
		if len(f) <= 2 {
			tiny++
		}
		if is(f[len(f)-1], clsLower) && maxConsonantRun(f) >= 5 {
			return true
		}
		start = i
	}
	return frags >= 4 && tiny*2 > frags
}

// fragmentStart reports a camel-case word boundary at i: "getTo|day",
// "HTTP|Server".
func fragmentStart(s string, i int) bool {
	if !is(s[i], clsUpper) {
		return false
	}
	return !is(s[i-1], clsUpper) || i+1 < len(s) && !is(s[i+1], clsUpper)
}

func maxConsonantRun(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] | 0x20 {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			run = 0
		default:
			run++
			longest = max(longest, run)
		}
	}
	return longest
}

func mixedCase(s string) bool {
	upper, lower := false, false
	for i := 0; i < len(s); i++ {
		upper = upper || is(s[i], clsUpper)
		lower = lower || is(s[i], clsLower)
	}
	return upper && lower
}

// randomLetters reports a mixed-case run of letters with no digit that reads
// as a base-62 id ("aODhJcNpEpqFnt"): mostly one- and two-letter camel-case
// fragments. Counting capitals first rejects ordinary camel case cheaply.
func randomLetters(s string) bool {
	capitals := 0
	for i := 0; i < len(s); i++ {
		if is(s[i], clsUpper) {
			capitals++
		}
	}
	if (capitals+1)*3 <= len(s) || capitals == len(s) || !mixedCase(s) {
		return false
	}
	frags, tiny, start := 0, 0, 0
	for i := 1; i <= len(s); i++ {
		if i < len(s) && !fragmentStart(s, i) {
			continue
		}
		frags++
		if i-start <= 2 {
			tiny++
		}
		start = i
	}
	return frags >= 4 && tiny*2 > frags
}

// hasRandomLetters reports a run of minRandomRun or more letters in t that
// randomLetters calls an id.
func hasRandomLetters(t string) bool {
	for i := 0; i < len(t); {
		j := i
		for j < len(t) && is(t[j], clsLower|clsUpper) {
			j++
		}
		if j-i >= minRandomRun && randomLetters(t[i:j]) {
			return true
		}
		i = j + 1
	}
	return false
}
