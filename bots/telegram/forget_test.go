package telegram_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// named is a Telegram user with a username.
func named(id int64, firstName, username string) models.User {
	u := telegramtest.User(id, firstName)
	u.Username = username
	return u
}

// TestForgetMeOnTelegramLeavesNothingThatNamesThem: "kind" (called Ember,
// a piece of the JSON key "member") and "telegram" ask to be forgotten
// after they spoke, were warned, reported carol and took their data. A
// search of every column of every table then finds none of their ids,
// usernames or kind's export, and the export was not kept even before;
// carol's staff log and the note on her, which name them, are exactly as
// they were.
func TestForgetMeOnTelegramLeavesNothingThatNamesThem(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	if _, err := m.store.DB().Exec(`SELECT setval(pg_get_serial_sequence('members', 'id'), 900000000)`); err != nil {
		t.Fatal(err)
	}
	kind, tgUser, carol := named(5550001, "Ember", "kind"), named(5550007, "Telegram", "telegram"), named(5550003, "Carol", "carol_c")
	m.post(group, kind, "hello, I am kind")
	m.post(group, tgUser, "hello from telegram")
	said := m.post(group, carol, "you are all wrong")
	m.answer(said, kind, "/report rude")
	m.botSaid(modStaffChat, "Report #", "Reported by: Ember")
	m.post(modStaffChat, owner, "/warn @kind spam")
	m.post(modStaffChat, owner, "/warn @carol_c rude to kind and telegram")
	m.post(modStaffChat, owner, "/note @carol_c argued with @kind")
	m.botSaid(modStaffChat, "Noted on Carol")
	members := m.memberIDs(t, kind, tgUser)
	before, carols := m.carolsRecords(t)

	m.post(telegramtest.Private(kind), kind, "/mydata")
	m.tg.WaitCalls(t, "sendDocument", 1, 10*time.Second)
	export := m.tg.Documents(kind.ID)[0].Data
	m.waitCount(t, `SELECT count(*) FROM deliveries WHERE message ? 'file'`, 0)
	exportNeedle := storagetest.Needle{Label: "kind's export", Value: base64.StdEncoding.EncodeToString(export), Match: storagetest.Contains}
	if hits := storagetest.Search(t, m.store.DB(), exportNeedle); len(hits) > 0 {
		t.Errorf("the export is kept once sent: %v", hits)
	}
	for _, u := range []models.User{kind, tgUser} {
		m.post(telegramtest.Private(u), u, "/forgetme")
		m.press(m.botSaid(telegramtest.Private(u), "Erase everything I store"), u, "Erase everything")
		m.botSaid(telegramtest.Private(u), "everything I stored about you is erased")
		m.waitCount(t, `SELECT count(*) FROM deliveries WHERE target->>'chat' = $1 OR target->>'user' = $1`, 0, id(u))
	}

	needles := []storagetest.Needle{exportNeedle}
	for i, u := range []models.User{kind, tgUser} {
		needles = append(needles,
			storagetest.Needle{Label: u.Username + "'s id", Value: id(u), Match: storagetest.Word},
			storagetest.Needle{Label: u.Username + "'s member id", Value: fmt.Sprint(members[i]), Match: storagetest.Word},
			storagetest.Needle{Label: u.Username + "'s username", Value: u.Username, Match: storagetest.Exact},
			storagetest.Needle{Label: u.Username + "'s @username", Value: "@" + u.Username, Match: storagetest.Word})
	}
	var left []storagetest.Hit
	for _, h := range storagetest.Search(t, m.store.DB(), needles...) {
		// "telegram" is also the platform; carol's records name them in
		// their text and stay: they are hers.
		if h.Column != "platform" && h.Key != "platform" && !slices.Contains(carols, h.Value) {
			left = append(left, h)
		}
	}
	if len(left) > 0 {
		t.Errorf("%d values still name an erased member:\n%v", len(left), left)
	}
	if after, _ := m.carolsRecords(t); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("carol's records changed:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
}

// memberIDs returns the members of users, in order.
func (m *modTG) memberIDs(t *testing.T, users ...models.User) []int64 {
	t.Helper()
	out := make([]int64, len(users))
	for i, u := range users {
		if err := m.store.DB().Get(&out[i], `SELECT member_id FROM identities WHERE platform = 'telegram' AND platform_user_id = $1`, id(u)); err != nil {
			t.Fatalf("member of %s: %v", u.Username, err)
		}
	}
	return out
}

// carolsRecords returns carol's part of the staff log as rows (the audit
// entries the owner wrote about her, her report, the notes on her), and
// the texts in it.
func (m *modTG) carolsRecords(t *testing.T) (rows, texts []string) {
	t.Helper()
	if err := m.store.DB().Select(&rows, `
SELECT format('audit %s %s %s %s', a.id, a.action, a.reason, a.details) FROM audit_log a
JOIN identities c ON c.member_id = a.target_member_id AND c.platform_user_id = '5550003'
WHERE a.actor_member_id IN (SELECT member_id FROM identities WHERE platform_user_id = '1')
UNION ALL SELECT format('note %s %s', n.id, n.text) FROM moderation_notes n JOIN identities c ON c.member_id = n.member_id AND c.platform_user_id = '5550003'
UNION ALL SELECT format('report %s %s %s', r.id, r.message_text, r.reason) FROM reports r JOIN identities c ON c.member_id = r.reported_id AND c.platform_user_id = '5550003'
ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if err := m.store.DB().Select(&texts, `
SELECT n.text FROM moderation_notes n JOIN identities c ON c.member_id = n.member_id AND c.platform_user_id = '5550003'
UNION ALL SELECT a.reason FROM audit_log a JOIN identities c ON c.member_id = a.target_member_id AND c.platform_user_id = '5550003'`); err != nil {
		t.Fatal(err)
	}
	return rows, texts
}
