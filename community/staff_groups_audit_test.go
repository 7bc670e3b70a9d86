package community

import (
	"reflect"
	"testing"
	"time"
)

// TestStaffAndGroupChangesAreAuditedWithWhatHappened: each change's audit
// entry names who did what to whom, where and how.
func TestStaffAndGroupChangesAreAuditedWithWhatHappened(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	staff := StaffChange{By: 1, Member: 2, At: at}.AuditEntry(AuditStaffAdd)
	if want := (AuditEntry{At: at, Actor: 1, Action: AuditStaffAdd, Target: 2}); !reflect.DeepEqual(staff, want) {
		t.Errorf("staff entry = %+v, want %+v", staff, want)
	}
	moved := StaffChatChange{By: 1, Chat: Chat{ID: 9, Platform: Telegram, Title: "Staff"}, At: at}
	if got := moved.AuditEntry(7).Details; !reflect.DeepEqual(got, map[string]any{"platform": "telegram", "title": "Staff", "previous_chat": int64(7)}) {
		t.Errorf("staff chat details = %v", got)
	}
	if got := moved.AuditEntry(0).Details.(map[string]any); got["previous_chat"] != nil {
		t.Errorf("a first staff chat names a previous one: %v", got)
	}
	g := GroupChange{Group: Group{Platform: Discord, ID: "g1"}, Title: "Tea", By: 1, ByAccount: Account{Platform: Discord, UserID: "u1"}, Via: ConnectVia("command"), At: at}
	entry := g.AuditEntry(AuditGroupConnect, 5)
	want := AuditEntry{At: at, Actor: 1, Action: AuditGroupConnect, Chat: 5,
		Details: map[string]any{"platform": "discord", "group": "g1", "title": "Tea", "via": "command", "by": "discord:u1"}}
	if !reflect.DeepEqual(entry, want) {
		t.Errorf("group entry = %+v, want %+v", entry, want)
	}
	g.ByAccount = Account{}
	if got := g.AuditEntry(AuditGroupDisconnect, 5).Details.(map[string]any); got["by"] != nil {
		t.Errorf("the configuration's change names an account: %v", got)
	}
}

// TestLinkLanguageAndMoveAudits: linking, a chat's language and a moved
// group are audited with what changed.
func TestLinkLanguageAndMoveAudits(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ got, want AuditEntry }{
		{LinkedAudit(4, "c9"), AuditEntry{Actor: 4, Action: AuditMemberLinked, Target: 4, Details: map[string]any{"customer": "c9", "via": "token"}}},
		{ChatLanguageAudit(7, "el", 3, 1, at), AuditEntry{At: at, Actor: 1, Action: AuditChatLanguageSet, Chat: 7, Details: map[string]any{"language": "el", "chats": 3}}},
		{GroupMovedAudit(Telegram, "-5", "-1005", 7, at), AuditEntry{At: at, Action: AuditGroupMoved, Chat: 7,
			Details: map[string]any{"platform": "telegram", "from": "-5", "to": "-1005"}}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("entry = %+v, want %+v", c.got, c.want)
		}
	}
}
