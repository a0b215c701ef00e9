package store

// SetSharing turns zero-copy column sharing on or off and returns whether it
// was on.
func SetSharing(on bool) (was bool) {
	was, canShare = canShare, on
	return was
}

// RandomRows are rows in arrival order (see randomRows).
var RandomRows = randomRows
