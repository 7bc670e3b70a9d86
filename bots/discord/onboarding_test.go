package discord_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// newcomers is a server where Hearth moderates with a role of its own and
// posts to the #welcome system channel; #staff is the staff chat.
type newcomers struct {
	*world
	later                   atomic.Int64 // nanoseconds Hearth's clock runs ahead
	guild                   string
	welcome, general, staff string
	owner                   discordgo.User
}

func startNewcomers(t *testing.T, ob bots.OnboardingOptions) *newcomers {
	t.Helper()
	n := &newcomers{owner: discordtest.NewUser("olga"), guild: discordtest.NewID(),
		welcome: discordtest.NewID(), general: discordtest.NewID(), staff: discordtest.NewID()}
	role := &discordgo.Role{ID: discordtest.NewID(), Name: "Hearth", Position: 1, Permissions: moderationPermissions}
	n.world = startScene(t, scene{owner: n.owner.ID,
		prepare: func(dc *discordtest.Server) {
			bot := dc.BotUser()
			dc.AddGuild(&discordgo.Guild{ID: n.guild, Name: "Tea Lovers", OwnerID: n.owner.ID, SystemChannelID: n.welcome,
				Roles: []*discordgo.Role{role}, Members: []*discordgo.Member{{User: &n.owner}, {User: &bot, Roles: []string{role.ID}}},
				Channels: []*discordgo.Channel{
					{ID: n.welcome, Name: "welcome", Type: discordgo.ChannelTypeGuildText, Position: 2},
					{ID: n.general, Name: "general", Type: discordgo.ChannelTypeGuildText, Position: 0},
					{ID: n.staff, Name: "staff", Type: discordgo.ChannelTypeGuildText, Position: 1}}})
		},
		service: func(so *bots.ServiceOptions) {
			so.Community = bots.DefaultCommunityOptions()
			so.Community.Onboarding = ob
			so.Now = func() time.Time { return time.Now().Add(time.Duration(n.later.Load())) }
		}, tokens: linkTokens(t)})
	n.waitGuild(t, n.guild)
	if r := n.slash(t, n.guild, n.staff, n.owner, "setstaff"); !strings.Contains(r.Data.Content, "staff chat") {
		t.Fatalf("/setstaff = %q", r.Data.Content)
	}
	return n
}

// join has u join the server and waits until Hearth has recorded it.
func (n *newcomers) join(t *testing.T, u discordgo.User) {
	t.Helper()
	n.dc.Dispatch(t, "GUILD_MEMBER_ADD", n.dc.GuildMemberAdd(n.guild, u))
	n.waitCount(t, 1, `SELECT count(*) FROM onboarding_joins WHERE user_id = $1`, u.ID)
}

// posted waits until channel holds want messages Hearth posted there (not
// answers to interactions) and returns them.
func (n *newcomers) posted(t *testing.T, channel string, want int) []*discordgo.Message {
	t.Helper()
	var msgs []*discordgo.Message
	storagetest.Eventually(t, fmt.Sprintf("%d posts in channel %s", want, channel), func() bool {
		msgs = slices.DeleteFunc(n.dc.Messages(channel), func(m *discordgo.Message) bool { return m.InteractionMetadata != nil })
		return len(msgs) == want
	})
	return msgs
}

// press presses a button and returns Hearth's answer.
func (n *newcomers) press(t *testing.T, m *discordgo.Message, u discordgo.User, customID string) (*discordgo.Interaction, discordtest.InteractionReply) {
	t.Helper()
	i := n.dc.ButtonPress(t, m, u, customID)
	n.dc.Dispatch(t, "INTERACTION_CREATE", i)
	return i, n.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
}

// sentWelcomes waits until want welcome and captcha messages are sent.
func (n *newcomers) sentWelcomes(t *testing.T, want int) {
	t.Helper()
	n.waitCount(t, want, `SELECT count(*) FROM deliveries d JOIN onboarding_joins j ON d.event_id IN (j.welcome_event, j.captcha_event)
		WHERE d.status = 'sent'`)
}

func (n *newcomers) runJob(t *testing.T, name string) {
	t.Helper()
	i := slices.IndexFunc(n.svc.Jobs(), func(j bots.Job) bool { return j.Name == name })
	if i < 0 {
		t.Fatalf("no job %s", name)
	}
	if err := n.svc.Jobs()[i].Run(context.Background()); err != nil {
		t.Fatalf("job %s: %v", name, err)
	}
}

// TestWelcomeOnDiscord: a member joining the server is welcomed in its
// system channel, in the server's language, with Rules, Link and Ask
// buttons; the next welcome replaces it. Joins in a burst leave several
// welcomes until the onboarding job deletes all but the newest. Staff's
// own Greek text is used once set.
func TestWelcomeOnDiscord(t *testing.T) {
	t.Parallel()
	n := startNewcomers(t, bots.OnboardingOptions{Welcome: true, Rules: "Be kind."})
	if _, err := n.store.DB().Exec(`UPDATE chats SET language = 'el' WHERE platform_chat_id = $1`, n.guild); err != nil {
		t.Fatal(err)
	}
	alice, bob := discordtest.NewUser("alice"), discordtest.NewUser("bob")
	n.join(t, alice)
	first := n.posted(t, n.welcome, 1)[0]
	if !strings.Contains(first.Content, "Καλώς ήρθατε στο **Tea Lovers**, <@"+alice.ID+">") {
		t.Errorf("welcome = %q; want Greek, mentioning alice", first.Content)
	}
	if got := customIDs(first); !slices.Equal(got, []string{"rules:show", "guide:link", "guide:ask"}) {
		t.Errorf("welcome buttons = %v", got)
	}
	n.sentWelcomes(t, 1)

	n.join(t, bob)
	n.sentWelcomes(t, 2)
	if msgs := n.posted(t, n.welcome, 1); !strings.Contains(msgs[0].Content, "<@"+bob.ID+">") {
		t.Errorf("#welcome holds %q; want bob's welcome only", msgs[0].Content)
	}

	for _, name := range []string{"carol", "dave", "erin"} {
		n.dc.Dispatch(t, "GUILD_MEMBER_ADD", n.dc.GuildMemberAdd(n.guild, discordtest.NewUser(name)))
	}
	n.sentWelcomes(t, 5)
	n.runJob(t, "onboarding.captcha")
	n.posted(t, n.welcome, 1)

	set := n.dc.SlashCommand(n.guild, n.staff, n.owner, "welcome", stringOption("action", "set"), stringOption("language", "el"),
		stringOption("text", "Γεια σου, {name}! Καλώς ήρθες στο _{group}_."))
	n.dc.Dispatch(t, "INTERACTION_CREATE", set)
	if r := n.dc.WaitInteractionReply(t, set.ID, 10*time.Second); !strings.Contains(r.Data.Content, "Γεια σου, <@"+n.owner.ID+">") {
		t.Errorf("/welcome set = %q; want a preview of the new text", r.Data.Content)
	}
	frank := discordtest.NewUser("frank")
	n.join(t, frank)
	n.sentWelcomes(t, 6)
	if msgs := n.posted(t, n.welcome, 1); msgs[0].Content != "Γεια σου, <@"+frank.ID+">! Καλώς ήρθες στο _Tea Lovers_." {
		t.Errorf("welcome with staff's text = %q", msgs[0].Content)
	}
	if c := n.count(t, `SELECT count(*) FROM audit_log WHERE action = 'onboarding.welcomed'`); c != 6 {
		t.Errorf("%d welcomes audited, want 6", c)
	}
}

func (n *newcomers) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var c int
	if err := n.store.DB().Get(&c, query, args...); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRulesAndAskOnDiscord: the Rules button answers with the rules only
// for the member; Ask a question opens a modal whose question reaches the
// staff chat with the member's tier and priority, and the member is
// thanked; staff mark it answered from there. With no staff chat for the
// platform, the member is told so.
func TestRulesAndAskOnDiscord(t *testing.T) {
	t.Parallel()
	n := startNewcomers(t, bots.OnboardingOptions{Welcome: true, Rules: "Be *kind*. No spam."})
	alice := discordtest.NewUser("alice")
	n.join(t, alice)
	welcome := n.posted(t, n.welcome, 1)[0]

	_, rules := n.press(t, welcome, alice, "rules:show")
	if !rules.Ephemeral() || !strings.Contains(rules.Data.Content, "Be **kind**. No spam.") {
		t.Errorf("rules = %q (ephemeral %t)", rules.Data.Content, rules.Ephemeral())
	}
	_, link := n.press(t, welcome, alice, "guide:link")
	if !link.Ephemeral() || !strings.Contains(link.Data.Content, "/link") {
		t.Errorf("how to link = %q; want /link explained, only to alice", link.Data.Content)
	}

	shown, modal := n.press(t, welcome, alice, "guide:ask")
	if modal.Type != discordgo.InteractionResponseModal {
		t.Fatalf("Ask a question answered with type %d, want a modal", modal.Type)
	}
	submit := n.dc.ModalSubmit(t, shown, map[string]string{"question": "Is the oolong back in stock?"})
	n.dc.Dispatch(t, "INTERACTION_CREATE", submit)
	if r := n.dc.WaitInteractionReply(t, submit.ID, 10*time.Second); !r.Ephemeral() || !strings.Contains(r.Data.Content, "Thank you, alice") {
		t.Errorf("after the question: %q (ephemeral %t)", r.Data.Content, r.Ephemeral())
	}
	storagetest.WaitCount(t, n.store.DB(), 1, `SELECT count(*) FROM ticket_threads`)
	var thread string
	if err := n.store.DB().Get(&thread, `SELECT thread_id FROM ticket_threads`); err != nil {
		t.Fatal(err)
	}
	alert := n.posted(t, thread, 1)[0] // in the ticket's private thread in the staff channel
	for _, want := range []string{"Question #1 from alice", "Discord", "Tier: Newcomer", "priority 0 of 100", "Is the oolong back in stock?"} {
		if !strings.Contains(alert.Content, want) {
			t.Errorf("question in the staff chat = %q; want %q", alert.Content, want)
		}
	}
	if _, r := n.press(t, alert, n.owner, "tickets:answered:1"); r.Original == nil || !strings.Contains(r.Original.Content, "Answered (marked by olga)") ||
		len(r.Original.Components) != 0 {
		t.Errorf("the question once answered = %+v", r.Original)
	}

	if _, err := n.store.DB().Exec(`UPDATE chats SET is_staff = false`); err != nil {
		t.Fatal(err)
	}
	shown, _ = n.press(t, welcome, alice, "guide:ask")
	submit = n.dc.ModalSubmit(t, shown, map[string]string{"question": "Anyone there?"})
	n.dc.Dispatch(t, "INTERACTION_CREATE", submit)
	if r := n.dc.WaitInteractionReply(t, submit.ID, 10*time.Second); !strings.Contains(r.Data.Content, "no team chat") {
		t.Errorf("a question with no staff chat: %q", r.Data.Content)
	}
}

// minuteCaptcha asks newcomers to prove they are human within a minute.
var minuteCaptcha = bots.OnboardingOptions{Welcome: true, Captcha: true, CaptchaTimeout: time.Minute}

// TestCaptchaOnDiscord: a newcomer is timed out with an "I'm human"
// button that answers anyone else that it is not theirs; pressed by the
// newcomer, the timeout ends, the captcha goes and the welcome comes. A
// newcomer who never presses is removed once the clock passes the
// deadline, and staff hear of it.
func TestCaptchaOnDiscord(t *testing.T) {
	t.Parallel()
	n := startNewcomers(t, minuteCaptcha)
	alice, bob, carol := discordtest.NewUser("alice"), discordtest.NewUser("bob"), discordtest.NewUser("carol")
	n.join(t, alice)
	captcha := n.posted(t, n.welcome, 1)[0]
	ids := customIDs(captcha)
	if len(ids) != 1 || !strings.HasPrefix(ids[0], "guide:human:") || !strings.Contains(captcha.Content, "within 1 minute ") {
		t.Fatalf("captcha = %q with %v", captcha.Content, ids)
	}
	if m, _ := n.dc.Member(n.guild, alice.ID); m.CommunicationDisabledUntil == nil || time.Until(*m.CommunicationDisabledUntil) < time.Minute {
		t.Fatalf("alice after joining: timed out until %v; want past the deadline", m.CommunicationDisabledUntil)
	}

	if _, r := n.press(t, captcha, bob, ids[0]); !r.Ephemeral() || r.Data.Content != "This button is for alice." {
		t.Errorf("bob pressing alice's button: %q (ephemeral %t)", r.Data.Content, r.Ephemeral())
	}
	if _, r := n.press(t, captcha, alice, ids[0]); !r.Ephemeral() || !strings.Contains(r.Data.Content, "You can write") {
		t.Errorf("alice pressing her button: %q", r.Data.Content)
	}
	if m, _ := n.dc.Member(n.guild, alice.ID); m.CommunicationDisabledUntil != nil {
		t.Errorf("alice is still timed out until %v", m.CommunicationDisabledUntil)
	}
	if msgs := n.posted(t, n.welcome, 1); !strings.Contains(msgs[0].Content, "Welcome to **Tea Lovers**, <@"+alice.ID+">") {
		t.Errorf("#welcome after the captcha: %q; want alice's welcome only", msgs[0].Content)
	}

	n.join(t, carol)
	n.sentWelcomes(t, 3)
	n.later.Add(int64(2 * time.Minute))
	n.runJob(t, "onboarding.captcha")
	if _, in := n.dc.Member(n.guild, carol.ID); in {
		t.Error("carol is still in the server after her captcha ran out")
	}
	if notice := n.posted(t, n.staff, 1)[0].Content; !strings.Contains(notice, "carol did not show they are a person in time and was removed from Tea Lovers (Discord)") {
		t.Errorf("staff notice = %q", notice)
	}
	n.posted(t, n.welcome, 1)
}

// TestVerifiedBuyerSkipsTheCaptchaOnDiscord: a buyer who linked with the
// code from their order e-mail is welcomed at once, never timed out.
func TestVerifiedBuyerSkipsTheCaptchaOnDiscord(t *testing.T) {
	t.Parallel()
	n := startNewcomers(t, minuteCaptcha)
	dave := discordtest.NewUser("dave")
	code, _, err := linkTokens(t).Issue("cust-5")
	if err != nil {
		t.Fatal(err)
	}
	link := n.dc.SlashCommand("", n.dc.DMChannel(dave), dave, "link", stringOption("code", code))
	n.dc.Dispatch(t, "INTERACTION_CREATE", link)
	n.dc.WaitInteractionReply(t, link.ID, 10*time.Second)
	if _, err := n.store.DB().Exec(`INSERT INTO orders (id, customer_id, ordered_at, amount, status, source)
		VALUES ('o-5', 'cust-5', now() - interval '1 day', 40, 'paid', 'api')`); err != nil {
		t.Fatal(err)
	}
	n.join(t, dave)
	n.sentWelcomes(t, 1)
	if m, _ := n.dc.Member(n.guild, dave.ID); m.CommunicationDisabledUntil != nil {
		t.Errorf("a verified buyer was timed out")
	}
	if msgs := n.posted(t, n.welcome, 1); !strings.Contains(msgs[0].Content, "Welcome to **Tea Lovers**, <@"+dave.ID+">") {
		t.Errorf("#welcome after a verified buyer joined: %q; want his welcome only", msgs[0].Content)
	}
}

// TestStartTourOnDiscord: /start in a direct message greets the member
// with the tour's first page; Next replaces it with the second, which
// explains /link.
func TestStartTourOnDiscord(t *testing.T) {
	t.Parallel()
	n := startNewcomers(t, bots.OnboardingOptions{Welcome: true})
	alice := discordtest.NewUser("alice")
	start := n.dc.SlashCommand("", n.dc.DMChannel(alice), alice, "start")
	n.dc.Dispatch(t, "INTERACTION_CREATE", start)
	r := n.dc.WaitInteractionReply(t, start.ID, 10*time.Second)
	if r.Original == nil || !strings.Contains(r.Original.Content, "Getting started, 1 of 4") || !slices.Equal(customIDs(r.Original), []string{"guide:step:2"}) {
		t.Fatalf("/start = %+v", r.Original)
	}
	_, next := n.press(t, r.Original, alice, "guide:step:2")
	if next.Type != discordgo.InteractionResponseUpdateMessage || !strings.Contains(next.Data.Content, "2 of 4") || !strings.Contains(next.Data.Content, "/link") {
		t.Errorf("Next = type %d, %q; want page 2 in place", next.Type, next.Data.Content)
	}
}
