package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
)

// TestStaffDurationsAreBoundedOnTelegram: /mute for longer than five
// years is refused with the limit (100000w once muted for 163 years), a
// negative duration is refused rather than read as the reason of a mute
// for good, and Bob stays free; a duration shown to a Russian-speaking
// owner is written in Russian.
func TestStaffDurationsAreBoundedOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	m.post(group, bob, "hello")
	m.post(group, owner, "/mute 200 100000w spam")
	m.botSaid(group, "“100000w” is too long: the longest is 5 years.")
	m.post(group, owner, "/ban 200 15251w")
	m.botSaid(group, "“15251w” is too long: the longest is 5 years.")
	m.post(group, owner, "/mute 200 -5m")
	m.botSaid(group, "“-5m” will not do: a duration must be more than zero")
	if st := m.tg.ChatMember(group.ID, bob.ID); st.Type != models.ChatMemberTypeMember {
		t.Errorf("bob is %s after refused durations, want a plain member", st.Type)
	}
	if n := len(m.tg.Calls("restrictChatMember")) + len(m.tg.Calls("banChatMember")); n != 0 {
		t.Errorf("%d restrict or ban calls, want none", n)
	}

	russian := owner
	russian.LanguageCode = "ru"
	m.post(group, russian, "/mute 200 2h")
	m.botSaid(group, "Bob в муте на 2 часа.")
	m.mutedFor(bob, 2*time.Hour)
}

// TestLiftingWhatIsNotThereOnTelegram: /unmute and /unban of Bob, who is
// neither muted nor banned, say so and log nothing; a mute an
// administrator gave by hand in Telegram is lifted and logged.
func TestLiftingWhatIsNotThereOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	m.post(group, bob, "hello")
	m.post(group, owner, "/unmute 200")
	m.botSaid(group, "Bob is not muted: there is nothing to lift.")
	m.post(group, owner, "/unban 200")
	m.botSaid(group, "Bob is not banned: there is nothing to lift.")
	if n := len(m.tg.Calls("restrictChatMember")) + len(m.tg.Calls("unbanChatMember")); n != 0 {
		t.Errorf("%d unrestrict or unban calls for nothing", n)
	}
	if n := m.count(t, `SELECT count(*) FROM audit_log WHERE action IN ('moderation.unmute', 'moderation.unban')`); n != 0 {
		t.Errorf("%d lifts audited, want none", n)
	}

	m.tg.SetChatMember(group.ID, models.ChatMember{Type: models.ChatMemberTypeRestricted,
		Restricted: &models.ChatMemberRestricted{User: &bob, IsMember: true}}) // muted by hand
	m.post(group, owner, "/unmute 200")
	m.botSaid(group, "Bob can write again.")
	if st := m.tg.ChatMember(group.ID, bob.ID); st.Type != models.ChatMemberTypeMember {
		t.Errorf("bob after /unmute: %s, want a plain member", st.Type)
	}
	m.botSaid(modStaffChat, "Mute lifted · Bob", "By: Olga")
	if n := m.count(t, `SELECT count(*) FROM audit_log WHERE action = 'moderation.unmute'`); n != 1 {
		t.Errorf("%d unmutes audited, want the one real", n)
	}
}

// TestFloodEarnsNoPlaceOnTopOnTelegram: Bob floods and is muted; Alice
// wrote twice. After the recomputation /top, ranked by the engagement
// score it shows, has Alice first and no Bob, and says when it was
// computed; Bob's /me counts no point for the removed messages.
func TestFloodEarnsNoPlaceOnTopOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, automodOptions())
	m.post(group, alice, "good morning")
	m.post(group, alice, "any oolong news?")
	for _, text := range []string{"BUY", "BUY NOW", "BUY NOW!!!"} {
		m.post(group, bob, text)
	}
	m.mutedFor(bob, time.Hour)
	m.recompute(m.t)
	m.post(group, alice, "/top")
	var computed time.Time
	if err := m.store.DB().Get(&computed, `SELECT max(computed_at) FROM member_standings`); err != nil {
		t.Fatal(err)
	}
	top := m.botSaid(group, "Most engaged in Tea Lovers", "1. Alice: 2 · ", "Ranked by engagement score")
	if strings.Contains(top.Text, "Bob") || !strings.Contains(top.Text, asOf(computed, m.loc)) {
		t.Errorf("/top = %q; want no Bob, and %q", top.Text, asOf(computed, m.loc))
	}
	m.post(group, bob, "/me")
	me := m.botSaid(group, "Bob in Tea Lovers", "Points: 0")
	if want := "As " + strings.TrimPrefix(asOf(computed, m.loc), "as "); !strings.Contains(me.Text, want) {
		t.Errorf("/me = %q; want %q", me.Text, want)
	}
}

// TestDefaultWelcomeNamesOnlyItsButtonsOnTelegram: with no rules written
// the welcome has no Rules button and does not speak of rules.
func TestDefaultWelcomeNamesOnlyItsButtonsOnTelegram(t *testing.T) {
	t.Parallel()
	w := startOnboarding(t, bots.OnboardingOptions{Welcome: true})
	w.push(t, w.tg.BotAddedUpdate(group, owner))
	w.join(t, group, alice)
	first := w.sentTo(t, group, 1)
	text := sent(t, first)
	if !strings.Contains(text, "The buttons below link your shop account and let you ask us a question.") || strings.Contains(text, "rules") {
		t.Errorf("welcome = %q; want the Link and Ask buttons described, and no rules", text)
	}
	if got := callbackData(buttons(t, first)); strings.Join(got, " ") != "guide:link guide:ask" {
		t.Errorf("welcome buttons = %v", got)
	}
}
