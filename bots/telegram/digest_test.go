package telegram_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// midweek is a clock ahead of the wall clock by under a week, so that it
// reads a Wednesday afternoon (UTC): the digest's week and the job's due
// week are then the same whatever day the test runs.
func midweek() func() time.Time {
	now := time.Now().UTC()
	days := (int(time.Wednesday) - int(now.Weekday()) + 7) % 7
	wed := time.Date(now.Year(), now.Month(), now.Day()+days, 14, 0, 0, 0, time.UTC)
	if wed.Before(now) {
		wed = wed.AddDate(0, 0, 7)
	}
	ahead := wed.Sub(now)
	return func() time.Time { return time.Now().Add(ahead) }
}

// startDigest is Hearth on Telegram in UTC on a midweek clock, with
// teaStaff as the staff chat.
func startDigest(t *testing.T) (*hearth, func() time.Time) {
	t.Helper()
	clock := midweek()
	h := startCustom(t, custom{service: func(so *bots.ServiceOptions) {
		so.Community = bots.DefaultCommunityOptions()
		so.Community.Location = time.UTC
		so.Now = clock
	}})
	h.sayHandled(t, teaStaff, owner, "/setstaff")
	return h, clock
}

// TestDigestOnTelegram: a member's /digest is refused and audited; staff's
// /digest shows last week's digest made on the spot, with Alice's message
// of that week counted, and its charts as 1080×720 PNG photos; the weekly
// job, run twice for the same week (a second replica, a restart), stores
// one digest and posts it once to the staff chat, with its charts; /digest
// of that week then reads the stored one; a week that does not exist is
// explained.
func TestDigestOnTelegram(t *testing.T) {
	t.Parallel()
	h, clock := startDigest(t)
	h.sayHandled(t, group, alice, "hello")
	lastWeek := digest.WeekOf(clock(), time.UTC).Prev()
	if _, err := h.store.DB().Exec(`INSERT INTO activities (member_id, chat_id, kind, at)
		SELECT member_id, chat_id, 'message', $1 FROM activities WHERE kind = 'message' LIMIT 1`,
		lastWeek.Start(time.UTC).Add(50*time.Hour)); err != nil {
		t.Fatal(err)
	}

	h.sayHandled(t, telegramtest.Private(alice), alice, "/digest")
	h.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'digest'`, 1)

	photos := len(h.tg.Calls("sendPhoto"))
	h.sayHandled(t, teaStaff, owner, "/digest")
	text := h.waitSent(t, "-1002", "Weekly digest "+lastWeek.String())
	for _, part := range []string{"Made just now", "Active: <b>1</b>", "Messages: <b>1</b>", "Tea Lovers (telegram): 1 messages, 0 the week before",
		"1. Alice · Newcomer · 1.0 points · 1 messages"} {
		if !strings.Contains(text, part) {
			t.Errorf("the digest lacks %q:\n%s", part, text)
		}
	}
	h.tg.WaitCalls(t, "sendPhoto", photos+2, 10*time.Second)
	for _, c := range h.tg.Calls("sendPhoto")[photos:] {
		img, err := png.Decode(bytes.NewReader(c.Files["photo"]))
		if err != nil || c.Params["chat_id"] != "-1002" || img.Bounds().Dx() != 1080 || img.Bounds().Dy() != 720 {
			t.Errorf("chart to %s: %v, %v; want a 1080×720 PNG to the staff chat", c.Params["chat_id"], err, img)
		}
	}

	botstest.RunJob(t, h.svc, "digest.weekly")
	botstest.RunJob(t, h.svc, "digest.weekly")
	h.waitCount(t, `SELECT count(*) FROM digests`, 1)
	h.waitCount(t, `SELECT count(*) FROM outbox_events WHERE kind = 'digest.ready'`, 1)
	var stored string
	if err := h.store.DB().Get(&stored, `SELECT week FROM digests`); err != nil {
		t.Fatal(err)
	}
	h.svc.Dispatcher.Wake()
	storagetest.WaitSettled(t, h.store.DB())
	posted := 0
	for _, c := range h.tg.Calls("sendMessage") {
		if c.Params["chat_id"] == "-1002" && strings.Contains(c.Params["text"], "Weekly digest "+stored) && !strings.Contains(c.Params["text"], "Made just now") {
			posted++
		}
	}
	if posted != 1 {
		t.Errorf("the digest of %s was posted %d times; want once", stored, posted)
	}

	h.sayHandled(t, teaStaff, owner, "/digest "+stored)
	storagetest.WaitSettled(t, h.store.DB())
	if n := h.countSent("-1002", "Weekly digest "+stored) - h.countSent("-1002", "Made just now"); n != 2 {
		t.Errorf("%d stored digests of %s in the staff chat; want the post and the stored one shown again", n, stored)
	}
	h.sayHandled(t, teaStaff, owner, "/digest 2026-W60")
	h.waitSent(t, "-1002", "2026-W60 is not a week")
}

// countSent counts the messages to chat containing part.
func (h *hearth) countSent(chat, part string) int {
	n := 0
	for _, c := range h.tg.Calls("sendMessage") {
		if c.Params["chat_id"] == chat && strings.Contains(c.Params["text"], part) {
			n++
		}
	}
	return n
}

// TestWeeklyHighlightOnTelegram: staff turn the highlight on in the group
// (a member may not); the week's digest then tells the group of its
// newcomers, naming Alice, only counting Bob, who hid from /top, and
// leaving out Cleo, banned since; staff turn it off, audited both times.
func TestWeeklyHighlightOnTelegram(t *testing.T) {
	t.Parallel()
	h, clock := startDigest(t)
	h.sayHandled(t, group, alice, "/highlights on")
	h.waitSent(t, "-1001", "is for the community's staff")
	h.sayHandled(t, group, owner, "/highlights on")
	h.waitSent(t, "-1001", "this group will get a highlight")
	h.sayHandled(t, group, bob, "/top hide")
	h.sayHandled(t, group, cleo, "hello")
	week := digest.WeekOf(clock(), time.UTC).Prev() // due since Monday 09:00
	joined := week.Start(time.UTC).Add(30 * time.Hour)
	for _, q := range []string{ // Alice, Bob and Cleo joined the group that week; Cleo was banned since
		`INSERT INTO onboarding_joins (platform, update_key, group_id, chat_id, member_id, user_id, name, joined_at)
		 SELECT 'telegram', 'join-' || i.platform_user_id, '-1001', c.id, i.member_id, i.platform_user_id, i.display_name, $1
		 FROM identities i, chats c WHERE i.platform_user_id IN ('100', '200', '300') AND c.platform_chat_id = '-1001'`,
		`INSERT INTO sanctions (member_id, kind, groups, at) SELECT member_id, 'ban', '{telegram:-1001}', $1::timestamptz + interval '1 hour'
		 FROM identities WHERE platform_user_id = '300'`,
	} {
		if _, err := h.store.DB().Exec(q, joined); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	botstest.RunJob(t, h.svc, "digest.weekly")
	h.svc.Dispatcher.Wake()
	text := h.waitSent(t, "-1001", "This week at")
	if !strings.Contains(text, "Welcome to Alice and 1 more newcomer!") || strings.Contains(text, "Bob") || strings.Contains(text, "Cleo") {
		t.Errorf("highlight %q; want Alice welcomed by name, Bob counted, Cleo (banned) left out", text)
	}
	h.sayHandled(t, group, owner, "/highlights off")
	h.waitSent(t, "-1001", "no longer get the weekly highlight")
	h.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'digest.highlights'`, 2)
	h.waitCount(t, `SELECT count(*) FROM highlight_places`, 0)
}
