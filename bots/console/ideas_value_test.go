package console_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestIdeasValueOnlyWhereNoMemberReads: a member's /ideas value is
// refused; the owner's in the group is refused too (the group would read
// what the voters are worth) and shown in the staff room; both refusals
// are audited.
func TestIdeasValueOnlyWhereNoMemberReads(t *testing.T) {
	store := storage.New(storagetest.New(t))
	_, out := scripted(t, bots.ServiceOptions{Store: store, Now: recordedClock(), Community: utcCommunity()}, `/as owner
/staffchat
/setstaff
/as alice
/group
/idea Rare pu-erh cakes
/ideas value
/as owner
/group
/ideas value
/staffchat
/ideas value
/quit
`, "")
	got := out.String()
	wantInOrder(t, got,
		"alice> /ideas value\nbot (only you see this)> Sorry, /ideas value is for the community's staff.",
		"owner> /ideas value\nbot (only you see this)> /ideas value works only here: ",
		"owner> /ideas value\nbot> ")
	if last := got[strings.LastIndex(got, "owner> /ideas value"):]; !strings.Contains(last, "#1") || !strings.Contains(last, "Rare pu-erh cakes") {
		t.Errorf("the staff room's /ideas value does not list #1:\n%s", last)
	}
	for _, action := range []string{"command.refused", "command.wrong_place"} {
		storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM audit_log WHERE action = $1 AND details->>'command' = 'ideas value'`, action)
	}
}
