package discord_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestShowcaseWithdrawalTakesDownAReshareInFlightOnDiscord: alice
// withdraws her permission while the reshare is on its way to Discord
// (its guard passed); Discord then takes it. The reshare must not stay:
// it is deleted, and staff are told it was: the withdrawal waits for a
// reshare being sent (storage.Reshares reports it Sending).
func TestShowcaseWithdrawalTakesDownAReshareInFlightOnDiscord(t *testing.T) {
	t.Parallel()
	g := &gate{}
	sw := startGatedShowcaseWorld(t, g)
	sw.withdrawWhileResharing(t, g)
	close(g.open)

	storagetest.WaitSettled(t, sw.store.DB())
	told := waitChannelMessage(t, sw.dc, sw.staff, "The author withdrew their permission for post #1 (consent #1).")
	if n := len(messagesWith(sw.dc, sw.showcase, "Shared by")); n != 0 {
		t.Errorf("#showcase holds %d reshares after the withdrawal; staff were told %q", n, told.Content)
	}
	if !strings.Contains(told.Content, "I deleted 1 reshare.") {
		t.Errorf("staff were told %q, want that 1 reshare was deleted", told.Content)
	}
}
