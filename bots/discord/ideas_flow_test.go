package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// ideasWorld is the Tea Shop of the announce world (#general, #staff as
// the staff chat; olga owns it, alice, bob and carol are members) with
// Hearth run as a process the test may stop and start again on the same
// database, its community clock ahead of the wall clock by ahead.
type ideasWorld struct {
	*announceWorld
	ahead atomic.Int64
	stop  func() // stops the running process
}

// startIdeasWorld starts Hearth, reaching Discord through the client
// through returns (nil: the fake's own), and makes #staff the staff chat.
func startIdeasWorld(t *testing.T, through func(*ideasWorld) *http.Client) *ideasWorld {
	t.Helper()
	iw := &ideasWorld{announceWorld: &announceWorld{owner: discordtest.NewUser("olga"), alice: discordtest.NewUser("alice"),
		bob: discordtest.NewUser("bob"), carol: discordtest.NewUser("carol"), general: discordtest.NewID(), staff: discordtest.NewID()}}
	shop := &discordgo.Guild{ID: discordtest.NewID(), Name: "Tea Shop", OwnerID: iw.owner.ID,
		Members: []*discordgo.Member{{User: &iw.owner}, {User: &iw.alice}, {User: &iw.bob}, {User: &iw.carol}},
		Channels: []*discordgo.Channel{{ID: iw.general, Name: "general", Type: discordgo.ChannelTypeGuildText, Position: 0},
			{ID: iw.staff, Name: "staff", Type: discordgo.ChannelTypeGuildText, Position: 1}}}
	iw.shop = shop.ID
	iw.world = &world{store: storage.New(storagetest.New(t)), dc: discordtest.New(t, token)}
	storagetest.EveryGroupConnected(t, iw.store.DB())
	iw.dc.AddGuild(shop)
	var client *http.Client
	if through != nil {
		client = through(iw)
	}
	iw.run(t, client)
	iw.waitGuild(t, shop.ID)
	iw.slash(t, shop.ID, iw.staff, iw.owner, "setstaff")
	return iw
}

// run starts a Hearth process over the world's database, reaching the
// fake Discord through client, and waits until it has identified and
// registered its commands. iw.stop stops it; the test's end does too.
func (iw *ideasWorld) run(t *testing.T, client *http.Client) {
	t.Helper()
	if client == nil {
		client = iw.dc.HTTPClient()
	}
	so := bots.ServiceOptions{Store: iw.store, CommunityName: "Tea Lovers", DefaultLanguage: "en",
		Wakeups: storagetest.OutboxWakeups(t, iw.store.DB()), Community: bots.DefaultCommunityOptions(),
		Now: func() time.Time { return time.Now().Add(time.Duration(iw.ahead.Load())) }}
	so.Community.Location = time.UTC
	so.Community.Announce = bots.AnnounceOptions{WeeklyCap: 2} // no quiet hours
	svc, err := botstest.NewService(so, botstest.Setup{Owners: []community.Account{{Platform: community.Discord, UserID: iw.owner.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := discord.New(discord.Options{Token: token, HTTPClient: client, Catalog: svc.Catalog})
	if err != nil {
		t.Fatal(err)
	}
	svc.Add(a)
	svc.Start()
	iw.svc = svc
	registered := len(iw.dc.Requests("PUT", "/api/v9/applications/"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var once sync.Once
	iw.stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(iw.stop)
	iw.dc.WaitIdentify(t, 10*time.Second)
	iw.dc.WaitRequests(t, "PUT", "/api/v9/applications/", registered+1, 10*time.Second)
}

// command runs /name with options as user in a channel of Tea Shop (a DM
// when channelID is a DM channel) and returns Hearth's answer.
func (iw *ideasWorld) command(t *testing.T, channelID string, user discordgo.User, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.InteractionReply {
	t.Helper()
	i := iw.dc.SlashCommand(iw.shop, channelID, user, name, opts...)
	if n := iw.dc.Dispatch(t, "INTERACTION_CREATE", i); n != 1 {
		t.Fatalf("/%s reached %d gateway connections, want 1", name, n)
	}
	return iw.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
}

// press presses the button labelled label on m as user and returns
// Hearth's answer.
func (iw *ideasWorld) press(t *testing.T, m *discordgo.Message, user discordgo.User, label string) discordtest.InteractionReply {
	t.Helper()
	p := iw.dc.ButtonPress(t, m, user, buttonID(t, m, label))
	iw.dc.Dispatch(t, "INTERACTION_CREATE", p)
	return iw.dc.WaitInteractionReply(t, p.ID, 10*time.Second)
}

// text is the content of an answer's message as it is now, "" if none.
func text(r discordtest.InteractionReply) string {
	if r.Original == nil {
		return ""
	}
	return r.Original.Content
}

// messageButton is a button as a message carries it.
type messageButton struct {
	Label string `json:"label"`
	ID    string `json:"custom_id"`
}

// buttonsOf lists a message's buttons, row by row.
func buttonsOf(t *testing.T, m *discordgo.Message) []messageButton {
	t.Helper()
	if m == nil {
		t.Fatal("no message to find buttons on")
	}
	raw, err := json.Marshal(m.Components)
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Components []messageButton `json:"components"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	var out []messageButton
	for _, r := range rows {
		out = append(out, r.Components...)
	}
	return out
}

// buttonID is the custom id of m's button whose label contains label.
func buttonID(t *testing.T, m *discordgo.Message, label string) string {
	t.Helper()
	bs := buttonsOf(t, m)
	for _, b := range bs {
		if strings.Contains(b.Label, label) {
			return b.ID
		}
	}
	t.Fatalf("message %q has no button %q; it has %+v", m.Content, label, bs)
	return ""
}

// labels are the labels of m's buttons.
func labels(t *testing.T, m *discordgo.Message) []string {
	t.Helper()
	var out []string
	for _, b := range buttonsOf(t, m) {
		out = append(out, b.Label)
	}
	return out
}

// waitVotesShown waits until the item's post shows n votes on its button.
func (iw *ideasWorld) waitVotesShown(t *testing.T, post *discordgo.Message, n int) {
	t.Helper()
	want := fmt.Sprintf("👍 Vote · %d", n)
	storagetest.Eventually(t, fmt.Sprintf("post %s showing %q", post.ID, want), func() bool {
		for _, m := range iw.dc.Messages(post.ChannelID) {
			if m.ID == post.ID {
				got := labels(t, m)
				return len(got) == 1 && got[0] == want
			}
		}
		return false
	})
}

// TestIdeaLookAlikesOnDiscord: with alice's idea posted, bob's /idea
// with words like it is answered with the look-alike, to vote for
// instead or to post his anyway. Voting for #1 instead counts his vote
// and posts nothing; in another run, Post mine anyway posts his as #2.
func TestIdeaLookAlikesOnDiscord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		press       string
		answer      string
		items, vote int
	}{
		{press: "Vote for #1 instead", answer: "Your vote for #1 counts (1 in all).", items: 1, vote: 1},
		{press: "Post mine anyway", answer: "Your idea is posted as #2: “dark mode in the app please”", items: 2, vote: 0},
	} {
		t.Run(tc.press, func(t *testing.T) {
			t.Parallel()
			iw := startIdeasWorld(t, nil)
			iw.command(t, iw.general, iw.alice, "idea", discordtest.Arg("text", "Dark mode for the mobile app"))
			post := waitChannelMessage(t, iw.dc, iw.staff, "Dark mode for the mobile app")

			offer := iw.command(t, iw.general, iw.bob, "idea", discordtest.Arg("text", "dark mode in the app please"))
			if offer.Original == nil || !strings.Contains(offer.Original.Content, "Before you post “dark mode in the app please”: these look alike.") ||
				!strings.Contains(offer.Original.Content, "#1** Dark mode for the mobile app") || !offer.Ephemeral() {
				t.Fatalf("bob's look-alike idea answered %q", text(offer))
			}
			if got := labels(t, offer.Original); len(got) != 2 || got[0] != "👍 Vote for #1 instead" || got[1] != "✍️ Post mine anyway" {
				t.Fatalf("offer buttons %q", got)
			}
			done := iw.press(t, offer.Original, iw.bob, tc.press)
			if done.Original == nil || !strings.Contains(done.Original.Content, tc.answer) {
				t.Fatalf("after %s: %q", tc.press, text(done))
			}
			iw.waitCount(t, tc.vote, `SELECT votes FROM feedback_items WHERE id = 1`)
			iw.waitCount(t, tc.items, `SELECT count(*) FROM feedback_items`)
			iw.waitCount(t, tc.vote, `SELECT count(*) FROM feedback_votes`)
			iw.waitCount(t, 0, `SELECT count(*) FROM feedback_drafts`)
			iw.waitVotesShown(t, post, tc.vote)
		})
	}
}

// TestIdeaFeedbackKindsOnDiscord: /feedback whose text starts with a kind
// posts a bug report at once, titled without the kind word; without one,
// the four kinds are offered and pressing Bug posts it; the kind alone
// opens the modal for a bug report.
func TestIdeaFeedbackKindsOnDiscord(t *testing.T) {
	t.Parallel()
	iw := startIdeasWorld(t, nil)
	r := iw.command(t, iw.general, iw.alice, "feedback", discordtest.Arg("text", "bug The checkout page is slow"))
	if r.Original == nil || !strings.Contains(r.Original.Content, "Your bug report is posted as #1: “The checkout page is slow”") {
		t.Fatalf("/feedback bug ... answered %q", text(r))
	}
	if got := labels(t, r.Original); len(got) != 0 {
		t.Errorf("a kind was asked although the text named it: %q", got)
	}
	post := waitChannelMessage(t, iw.dc, iw.staff, "The checkout page is slow")
	if !strings.Contains(post.Content, "bug report by alice") || strings.Contains(post.Content, "bug The") {
		t.Errorf("post %q", post.Content)
	}

	ask := iw.command(t, iw.general, iw.bob, "feedback", discordtest.Arg("text", "The tea tin lid sticks\nIt takes two hands to open."))
	if ask.Original == nil || !strings.Contains(ask.Original.Content, "What is “The tea tin lid sticks”?") {
		t.Fatalf("/feedback without a kind answered %q", text(ask))
	}
	if got := labels(t, ask.Original); strings.Join(got, "|") != "💡 Idea|🐞 Bug|💛 Praise|❓ Question" {
		t.Fatalf("kind buttons %q", got)
	}
	done := iw.press(t, ask.Original, iw.bob, "Bug")
	if done.Original == nil || !strings.Contains(done.Original.Content, "Your bug report is posted as #2: “The tea tin lid sticks”") {
		t.Fatalf("after Bug: %q", text(done))
	}
	waitChannelMessage(t, iw.dc, iw.staff, "The tea tin lid sticks")

	form := iw.dc.SlashCommand(iw.shop, iw.general, iw.carol, "feedback", discordtest.Arg("text", "bug"))
	iw.dc.Dispatch(t, "INTERACTION_CREATE", form)
	if r := iw.dc.WaitInteractionReply(t, form.ID, 10*time.Second); r.Type != discordgo.InteractionResponseModal || r.Data.Title != "Report a bug" {
		t.Fatalf("/feedback bug without text answered with type %d, want the modal Report a bug", r.Type)
	}
	submit := iw.dc.ModalSubmit(t, form, map[string]string{"text": "The kettle whistles too early"})
	iw.dc.Dispatch(t, "INTERACTION_CREATE", submit)
	if r := iw.dc.WaitInteractionReply(t, submit.ID, 10*time.Second); !strings.Contains(text(r), "Your bug report is posted as #3") {
		t.Fatalf("after the modal: %q", text(r))
	}
	iw.waitCount(t, 3, `SELECT count(*) FROM feedback_items WHERE kind = 'bug'`)
	iw.waitCount(t, 1, `SELECT count(*) FROM feedback_items WHERE title = 'The checkout page is slow' AND body = ''`)
	iw.waitCount(t, 1, `SELECT count(*) FROM feedback_items WHERE title = 'The tea tin lid sticks' AND body = 'It takes two hands to open.'`)
}

// startThread opens a public thread under #general, as alice, and waits
// until Hearth has taken it in.
func (iw *ideasWorld) startThread(t *testing.T, name string) string {
	t.Helper()
	id := discordtest.NewID()
	iw.dc.Dispatch(t, "THREAD_CREATE", map[string]any{"id": id, "guild_id": iw.shop, "parent_id": iw.general, "owner_id": iw.alice.ID,
		"name": name, "type": discordgo.ChannelTypeGuildPublicThread, "thread_metadata": &discordgo.ThreadMetadata{}, "newly_created": true})
	iw.waitCount(t, 1, `SELECT count(*) FROM inbound_updates WHERE platform = 'discord' AND update_key = $1 AND handled_at IS NOT NULL`, "thread:"+id)
	return id
}

// TestSetIdeasInAThreadOnDiscord: the owner's /setideas in a thread makes
// it the ideas place, and the next item is posted there, not in the staff
// channel; a member's /setideas (in #general) is refused, audited and
// changes nothing.
func TestSetIdeasInAThreadOnDiscord(t *testing.T) {
	t.Parallel()
	iw := startIdeasWorld(t, nil)
	thread := iw.startThread(t, "Ideas board")
	if r := iw.command(t, thread, iw.owner, "setideas"); !strings.Contains(text(r), "New ideas and feedback from now on are posted here") {
		t.Fatalf("the owner's /setideas: %q", text(r))
	}
	place := `SELECT count(*) FROM feedback_places p JOIN chats c ON c.id = p.chat_id WHERE p.platform = 'discord' AND c.platform_chat_id = $1`
	iw.waitCount(t, 1, place, thread)

	r := iw.command(t, iw.general, iw.bob, "setideas")
	if !strings.Contains(text(r), "Sorry, /setideas is for the community's owners.") {
		t.Fatalf("bob's /setideas: %q", text(r))
	}
	iw.waitCount(t, 1, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'setideas'`)
	iw.waitCount(t, 1, place, thread)
	iw.waitCount(t, 1, `SELECT count(*) FROM feedback_places WHERE set_by = $1`, memberIDs(t, iw.world, iw.owner)[0])

	iw.command(t, iw.general, iw.alice, "idea", discordtest.Arg("text", "Oolong tasting evenings"))
	post := waitChannelMessage(t, iw.dc, thread, "Oolong tasting evenings")
	if got := labels(t, post); len(got) != 1 || got[0] != "👍 Vote · 0" {
		t.Errorf("the post in the thread has buttons %q", got)
	}
	iw.press(t, post, iw.bob, "Vote")
	iw.waitVotesShown(t, post, 1)
	iw.waitCount(t, 0, `SELECT count(*) FROM deliveries WHERE status = 'pending'`)
	iw.waitCount(t, 1, `SELECT count(*) FROM deliveries d JOIN feedback_items i ON d.event_id = i.post_event WHERE i.id = 1`)
	if n := iw.countText(iw.staff, "Oolong tasting evenings"); n != 0 {
		t.Errorf("the item was posted in the staff channel too (%d times)", n)
	}
}

// TestIdeasPagesOnDiscord: with eleven items, /ideas shows the first ten
// with Next; pressing it turns the message to page 2, with the eleventh
// and Previous, which turns it back.
func TestIdeasPagesOnDiscord(t *testing.T) {
	t.Parallel()
	iw := startIdeasWorld(t, nil)
	iw.dc.Dispatch(t, "MESSAGE_CREATE", iw.dc.MessageCreate(iw.general, iw.alice, "hello"))
	iw.waitCount(t, 1, `SELECT count(*) FROM identities WHERE platform = 'discord' AND platform_user_id = $1`, iw.alice.ID)
	alice := community.MemberID(memberIDs(t, iw.world, iw.alice)[0])
	board := feedback.NewBoard(iw.store, time.Now).Unpaced()
	ctx := context.Background()
	for i := 1; i <= 11; i++ {
		d, err := board.Write(ctx, alice, feedback.KindIdea, fmt.Sprintf("Blend number %d", i), "en", community.Discord)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := board.Post(ctx, d.ID, alice); err != nil {
			t.Fatal(err)
		}
	}

	first := iw.command(t, iw.general, iw.bob, "ideas")
	if first.Original == nil || !strings.Contains(first.Original.Content, "Top ideas and feedback** (page 1)") {
		t.Fatalf("/ideas: %q", text(first))
	}
	if n := strings.Count(first.Original.Content, "• "); n != 10 || !strings.Contains(first.Original.Content, "• **#11** Blend number 11 ·") {
		t.Errorf("page 1 lists %d items, want 10:\n%s", n, first.Original.Content)
	}
	if got := labels(t, first.Original); len(got) != 1 || got[0] != "Next ▶️" {
		t.Fatalf("page 1 buttons %q", got)
	}
	second := iw.press(t, first.Original, iw.bob, "Next")
	if second.Type != discordgo.InteractionResponseUpdateMessage || second.Original == nil || second.Original.ID != first.Original.ID {
		t.Fatalf("Next answered with type %d, want the message updated: %q", second.Type, text(second))
	}
	page := second.Original.Content
	if !strings.Contains(page, "(page 2)") || strings.Count(page, "• ") != 1 || !strings.Contains(page, "• **#1** Blend number 1 · idea, open · 0 votes") {
		t.Errorf("page 2:\n%s", page)
	}
	if got := labels(t, second.Original); len(got) != 1 || got[0] != "◀️ Previous" {
		t.Fatalf("page 2 buttons %q", got)
	}
	back := iw.press(t, second.Original, iw.bob, "Previous")
	if !strings.Contains(text(back), "(page 1)") || strings.Count(text(back), "• ") != 10 {
		t.Errorf("back on page 1:\n%s", text(back))
	}
}

// TestIdeasValueIsForStaffEyesOnDiscord: the owner's /ideas value in
// #general, where members read, is refused with where it works, and
// answered in #staff; a member's is refused; both are audited.
func TestIdeasValueIsForStaffEyesOnDiscord(t *testing.T) {
	t.Parallel()
	iw := startIdeasWorld(t, nil)
	iw.command(t, iw.general, iw.alice, "idea", discordtest.Arg("text", "Dark mode for the mobile app"))
	waitChannelMessage(t, iw.dc, iw.staff, "Dark mode for the mobile app")

	// Alice's own list is hers alone: nobody else can turn its pages.
	if r := iw.command(t, iw.general, iw.alice, "ideas", discordtest.Arg("view", "mine")); !strings.Contains(text(r), "Dark mode") || !r.Ephemeral() {
		t.Errorf("alice's /ideas mine (ephemeral %t): %q", r.Ephemeral(), text(r))
	}
	r := iw.command(t, iw.general, iw.owner, "ideas", discordtest.Arg("view", "value"))
	if !strings.Contains(text(r), "/ideas value works only here:") || strings.Contains(text(r), "CLV") || !r.Ephemeral() {
		t.Errorf("the owner's /ideas value in #general (ephemeral %t): %q", r.Ephemeral(), text(r))
	}
	r = iw.command(t, iw.staff, iw.owner, "ideas", discordtest.Arg("view", "value"))
	if !strings.Contains(text(r), "voters' CLV 0") {
		t.Errorf("the owner's /ideas value in #staff: %q", text(r))
	}
	for _, m := range iw.dc.Messages(iw.general) {
		if strings.Contains(m.Content, "voters' CLV") {
			t.Errorf("the values were posted in #general: %q", m.Content)
		}
	}
	r = iw.command(t, iw.general, iw.bob, "ideas", discordtest.Arg("view", "value"))
	if !strings.Contains(text(r), "Sorry, /ideas value is for the community's staff.") || strings.Contains(text(r), "CLV") {
		t.Errorf("bob's /ideas value: %q", text(r))
	}
	for _, action := range []string{"command.refused", "command.wrong_place"} {
		iw.waitCount(t, 1, `SELECT count(*) FROM audit_log WHERE action = $1 AND details->>'command' = 'ideas value'`, action)
	}
}
