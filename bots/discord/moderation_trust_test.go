package discord_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestStaffDurationsAreBoundedOnDiscord: /mute for longer than five
// years is refused with the limit, a negative duration is refused, and
// bob is not timed out.
func TestStaffDurationsAreBoundedOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	m.say(m.bob, "hello")
	for duration, want := range map[string]string{
		"100000w": "“100000w” is too long: the longest is 5 years.",
		"15251w":  "“15251w” is too long: the longest is 5 years.",
		"-5m":     "“-5m” will not do: a duration must be more than zero",
	} {
		got := m.run(m.general, m.owner, "mute", discordtest.UserArg("member", m.bob.ID), discordtest.Arg("duration", duration),
			discordtest.Arg("reason", "spam"))
		if !strings.Contains(got, want) {
			t.Errorf("/mute %s = %q, want %q", duration, got, want)
		}
	}
	if d := m.timedOut(m.bob); d != 0 {
		t.Errorf("bob is timed out for %v after refused durations", d)
	}
	storagetest.WaitSettled(t, m.store.DB())
	if n := len(m.dc.Requests("PATCH", "/api/v9/guilds/"+m.guild+"/members/")); n != 0 {
		t.Errorf("%d member edits, want none", n)
	}
}

// TestLiftingWhatIsNotThereOnDiscord: /unmute and /unban of bob, who is
// neither timed out nor banned, say so and log nothing; a timeout a
// moderator gave by hand in Discord is ended and logged.
func TestLiftingWhatIsNotThereOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	m.say(m.bob, "hello")
	if got := m.run(m.general, m.owner, "unmute", discordtest.UserArg("member", m.bob.ID)); !strings.Contains(got, "bob is not muted: there is nothing to lift.") {
		t.Errorf("/unmute = %q", got)
	}
	if got := m.run(m.general, m.owner, "unban", discordtest.UserArg("member", m.bob.ID)); !strings.Contains(got, "bob is not banned: there is nothing to lift.") {
		t.Errorf("/unban = %q", got)
	}
	storagetest.WaitSettled(t, m.store.DB())
	if n := len(m.dc.Requests("DELETE", "/api/v9/guilds/"+m.guild+"/bans/")); n != 0 {
		t.Errorf("%d unbans sent for nothing", n)
	}
	var lifts int
	if err := m.store.DB().Get(&lifts, `SELECT count(*) FROM audit_log WHERE action IN ('moderation.unmute', 'moderation.unban')`); err != nil || lifts != 0 {
		t.Errorf("%d lifts audited (%v), want none", lifts, err)
	}

	session, err := discordgo.New("Bot " + token) // a moderator's own timeout, given in Discord
	if err != nil {
		t.Fatal(err)
	}
	session.Client = m.dc.HTTPClient()
	until := time.Now().Add(time.Hour)
	if err := session.GuildMemberTimeout(m.guild, m.bob.ID, &until); err != nil {
		t.Fatal(err)
	}
	if got := m.run(m.general, m.owner, "unmute", discordtest.UserArg("member", m.bob.ID)); !strings.Contains(got, "bob can write again.") {
		t.Errorf("/unmute of a timeout given by hand = %q", got)
	}
	if d := m.timedOut(m.bob); d > 0 {
		t.Errorf("bob is still timed out for %v", d)
	}
	m.posted(m.staff, "**Mute lifted** · bob", "By: olga")
}

// TestFloodEarnsNoPlaceOnTopOnDiscord: bob floods and is timed out; alice
// wrote twice. After the recomputation /top, ranked by the engagement
// score it shows, has alice first and no bob, and says when it was
// computed; bob's /me counts no point for the removed messages.
func TestFloodEarnsNoPlaceOnTopOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, func(o *bots.ModerationOptions) { o.Automod.FloodMessages, o.Automod.FloodWindow = 3, time.Minute })
	m.say(m.alice, "good morning")
	m.say(m.alice, "any oolong news?")
	for i := range 3 {
		m.say(m.bob, fmt.Sprintf("BUY NOW %d", i))
	}
	if d := m.timedOut(m.bob); d < 59*time.Minute {
		t.Fatalf("bob flooded and is timed out for %v", d)
	}
	runJob(t, m.svc, "standings.recompute")
	var computed time.Time
	if err := m.store.DB().Get(&computed, `SELECT max(computed_at) FROM member_standings`); err != nil {
		t.Fatal(err)
	}
	top := m.run(m.general, m.alice, "top")
	if !strings.Contains(top, "1. alice: 2 · ") || !strings.Contains(top, "Ranked by engagement score") || strings.Contains(top, "bob") ||
		!strings.Contains(top, asOf(computed, m.loc)) {
		t.Errorf("/top = %q; want alice first, no bob, and %q", top, asOf(computed, m.loc))
	}
	want := "As " + strings.TrimPrefix(asOf(computed, m.loc), "as ")
	if me := m.run(m.general, m.bob, "me"); !strings.Contains(me, "Points: 0") || !strings.Contains(me, want) {
		t.Errorf("bob's /me = %q; want no points and %q", me, want)
	}
}

// TestDefaultWelcomeNamesOnlyItsButtonsOnDiscord: with no rules written
// the welcome has no Rules button and does not speak of rules.
func TestDefaultWelcomeNamesOnlyItsButtonsOnDiscord(t *testing.T) {
	t.Parallel()
	n := startNewcomers(t, bots.OnboardingOptions{Welcome: true})
	alice := discordtest.NewUser("alice")
	n.join(t, alice)
	first := n.posted(t, n.welcome, 1)[0]
	if !strings.Contains(first.Content, "The buttons below link your shop account and let you ask us a question.") ||
		strings.Contains(first.Content, "rules") {
		t.Errorf("welcome = %q; want the Link and Ask buttons described, and no rules", first.Content)
	}
	if got := customIDs(first); !slices.Equal(got, []string{"guide:link", "guide:ask"}) {
		t.Errorf("welcome buttons = %v", got)
	}
}
