package testenv

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a ClickHouse server version, "18.16.1" or "26.9.2.1".
type Version struct {
	Raw   string
	Major int
	Minor int
	Patch int
}

// ParseVersion parses the dotted numeric version that SELECT version()
// returns; at least major and minor must be present.
func ParseVersion(s string) (Version, error) {
	raw := strings.TrimSpace(s)
	parts := strings.Split(raw, ".")
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("parsing ClickHouse version %q: want major.minor[.patch...]", s)
	}
	nums := make([]int, 3)
	for i := 0; i < len(parts) && i < 3; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 {
			return Version{}, fmt.Errorf("parsing ClickHouse version %q: component %q is not a number", s, parts[i])
		}
		nums[i] = n
	}
	return Version{Raw: raw, Major: nums[0], Minor: nums[1], Patch: nums[2]}, nil
}

// AtLeast reports whether v is major.minor or newer.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

func (v Version) String() string { return v.Raw }
