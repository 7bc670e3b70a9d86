package discord_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestForgetMeOnDiscordLeavesNothingThatNamesThem: "kind" (shown as
// Ember, a piece of the JSON key "member") and "telegram" join, are
// welcomed, speak, report carol, are warned and take their data, then
// ask to be forgotten in their DMs. A search of every column of every
// table then finds none of their ids, usernames, DM channels or kind's
// export, and the export was not kept even before; carol's staff log and
// the note on her, which name them, are exactly as they were.
func TestForgetMeOnDiscordLeavesNothingThatNamesThem(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	db := m.store.DB()
	if _, err := db.Exec(`SELECT setval(pg_get_serial_sequence('members', 'id'), 900000000)`); err != nil {
		t.Fatal(err)
	}
	kind, tgUser, carol := discordtest.NewUser("kind"), discordtest.NewUser("telegram"), discordtest.NewUser("carol")
	kind.GlobalName = "Ember"
	for _, u := range []discordgo.User{kind, tgUser, carol} {
		m.dc.Dispatch(t, "GUILD_MEMBER_ADD", m.dc.GuildMemberAdd(m.guild, u))
		m.waitCount(t, 1, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND strpos(message->>'text', '(user:' || $1 || ')') > 0`, u.ID)
	}
	m.say(kind, "hello, I am kind")
	m.say(tgUser, "hello from telegram")
	said := m.say(carol, "you are all wrong")
	m.run(m.general, kind, "report", discordtest.Arg("message", m.link(said)), discordtest.Arg("reason", "rude"))
	m.run(m.staff, m.owner, "warn", discordtest.UserArg("member", kind.ID), discordtest.Arg("reason", "spam"))
	m.run(m.staff, m.owner, "warn", discordtest.UserArg("member", carol.ID), discordtest.Arg("reason", "rude to kind and telegram"))
	m.run(m.staff, m.owner, "note", discordtest.UserArg("member", carol.ID), discordtest.Arg("text", "argued with @kind"))
	members := make([]int64, 2)
	for i, u := range []discordgo.User{kind, tgUser} {
		if err := db.Get(&members[i], `SELECT member_id FROM identities WHERE platform = 'discord' AND platform_user_id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	before, carols := carolsRecords(t, m, carol)

	exportNeedle := m.exportIsNotKept(t, kind)
	for _, u := range []discordgo.User{kind, tgUser} {
		m.forget(u)
	}

	needles := m.erasedUserNeedles(exportNeedle, members, kind, tgUser)
	var left []storagetest.Hit
	for _, h := range storagetest.Search(t, db, needles...) {
		// Carol's records name them in their text and stay: they are hers.
		if !slices.Contains(carols, h.Value) {
			left = append(left, h)
		}
	}
	if len(left) > 0 {
		t.Errorf("%d values still name an erased member:\n%v", len(left), left)
	}
	if after, _ := carolsRecords(t, m, carol); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("carol's records changed:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
}

// exportIsNotKept has u ask for their data by /mydata in a DM, checks it
// comes as one file that the database does not keep once sent, and
// returns a needle that finds the export.
func (m *modDC) exportIsNotKept(t *testing.T, u discordgo.User) storagetest.Needle {
	t.Helper()
	data := m.dc.SlashCommand("", m.dc.DMChannel(u), u, "mydata")
	m.dc.Dispatch(t, "INTERACTION_CREATE", data)
	upload := m.dc.WaitRequests(t, "POST", "/interactions/"+data.ID, 1, 10*time.Second)[0]
	files, err := upload.Files()
	if err != nil || len(files) != 1 {
		t.Fatalf("the export was uploaded as %v (%v)", files, err)
	}
	m.waitCount(t, 0, `SELECT count(*) FROM deliveries WHERE message ? 'file'`)
	exportNeedle := storagetest.Needle{Label: "kind's export", Value: base64.StdEncoding.EncodeToString(files[0].Data), Match: storagetest.Contains}
	if hits := storagetest.Search(t, m.store.DB(), exportNeedle); len(hits) > 0 {
		t.Errorf("the export is kept once sent: %v", hits)
	}
	return exportNeedle
}

// erasedUserNeedles is every way the database could still name users,
// whose member ids are members, or hold the export.
func (m *modDC) erasedUserNeedles(export storagetest.Needle, members []int64, users ...discordgo.User) []storagetest.Needle {
	needles := []storagetest.Needle{export}
	for i, u := range users {
		needles = append(needles,
			storagetest.Needle{Label: u.Username + "'s id", Value: u.ID, Match: storagetest.Word},
			storagetest.Needle{Label: u.Username + "'s member id", Value: fmt.Sprint(members[i]), Match: storagetest.Word},
			storagetest.Needle{Label: u.Username + "'s DM channel", Value: m.dc.DMChannel(u), Match: storagetest.Word},
			storagetest.Needle{Label: u.Username + "'s username", Value: u.Username, Match: storagetest.Exact},
			storagetest.Needle{Label: u.Username + "'s @username", Value: "@" + u.Username, Match: storagetest.Word})
	}
	return needles
}

// forget runs /forgetme in u's DM, presses Erase everything, and waits
// until the last answer is sent and forgotten.
func (m *modDC) forget(u discordgo.User) {
	m.t.Helper()
	ask := m.dc.SlashCommand("", m.dc.DMChannel(u), u, "forgetme")
	m.dc.Dispatch(m.t, "INTERACTION_CREATE", ask)
	r := m.dc.WaitInteractionReply(m.t, ask.ID, 10*time.Second)
	if r.Original == nil {
		m.t.Fatalf("/forgetme answered %+v, want a message with buttons", r.Data)
	}
	press := m.dc.ButtonPress(m.t, r.Original, u, "forgetme:erase")
	m.dc.Dispatch(m.t, "INTERACTION_CREATE", press)
	if done := m.dc.WaitInteractionReply(m.t, press.ID, 10*time.Second); done.Original == nil ||
		!strings.Contains(done.Original.Content, "everything I stored about you is erased") {
		m.t.Fatalf("the erasure answered %+v", done.Original)
	}
	m.waitCount(m.t, 0, `SELECT count(*) FROM deliveries WHERE target->>'chat' = $1 OR target->>'user' = $2`, m.dc.DMChannel(u), u.ID)
}

// carolsRecords returns carol's part of the staff log as rows (the audit
// entries the owner wrote about her, the report of her, the notes on her)
// and the texts in it.
func carolsRecords(t *testing.T, m *modDC, carol discordgo.User) (rows, texts []string) {
	t.Helper()
	db := m.store.DB()
	if err := db.Select(&rows, `
SELECT format('audit %s %s %s %s', a.id, a.action, a.reason, a.details) FROM audit_log a
JOIN identities c ON c.member_id = a.target_member_id AND c.platform_user_id = $1
WHERE a.actor_member_id IN (SELECT member_id FROM identities WHERE platform_user_id = $2)
UNION ALL SELECT format('note %s %s', n.id, n.text) FROM moderation_notes n JOIN identities c ON c.member_id = n.member_id AND c.platform_user_id = $1
UNION ALL SELECT format('report %s %s %s', r.id, r.message_text, r.reason) FROM reports r JOIN identities c ON c.member_id = r.reported_id AND c.platform_user_id = $1
ORDER BY 1`, carol.ID, m.owner.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Select(&texts, `
SELECT n.text FROM moderation_notes n JOIN identities c ON c.member_id = n.member_id AND c.platform_user_id = $1
UNION ALL SELECT a.reason FROM audit_log a JOIN identities c ON c.member_id = a.target_member_id AND c.platform_user_id = $1`, carol.ID); err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3 {
		t.Fatalf("fixture: carol's records are %v", rows)
	}
	return rows, texts
}
