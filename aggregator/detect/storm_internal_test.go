package detect

import (
	"fmt"
	"testing"
)

// A storm's first seconds in the window fail the tenant's deliveries before
// its retries reach the storm's ratio: half the ratio marks a suspect (its
// endpoint waits a tick), only the full ratio is looked at as a storm. The
// detector returns before any query when no tenant is rising fully.
func TestStormSuspectsAtHalfTheRatio(t *testing.T) {
	cfg := DefaultConfig()
	// Ten established tenants retry 5 times a window each: a cold
	// tenant's prior is 5, so a storm needs 25 retries and a suspect 13.
	rows := make([]tenantActivity, 0, 12)
	for i := range 10 {
		rows = append(rows, tenantActivity{Cell: "cell-1", Tenant: fmt.Sprintf("t-%d", i), RetriesNow: 5, RetriesBase: 100})
	}
	rows = append(rows,
		tenantActivity{Cell: "cell-1", Tenant: "starting", RetriesNow: 21, RetriesBase: 19},
		tenantActivity{Cell: "cell-1", Tenant: "doubling", RetriesNow: 10, RetriesBase: 19})
	e := &env{cfg: &cfg, tr: traffic{MinutesBase: 60, EventsBase: 1000}, activity: rows}
	cs, err := retryStorms(e)
	if err != nil || cs != nil {
		t.Fatalf("no tenant rises fully, got %v, %v", cs, err)
	}
	for tenant, want := range map[string]bool{"starting": true, "doubling": false, "t-0": false} {
		if got := e.stormSuspects[tenant]; got != want {
			t.Errorf("%s: storm suspect %v, want %v", tenant, got, want)
		}
	}
}
