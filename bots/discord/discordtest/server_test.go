package discordtest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

const testToken = "test-token"

// wait bounds every wait in these tests; nothing should take near as long.
const wait = 5 * time.Second

// fixture is a fake Discord with one guild: #general, a Member role, the
// owner and alice.
type fixture struct {
	srv     *Server
	guildID string
	general string
	member  string // role id
	owner   discordgo.User
	alice   discordgo.User
}

func newFixture(t *testing.T, opts ...Option) fixture {
	t.Helper()
	f := fixture{srv: New(t, testToken, opts...), guildID: NewID(), general: NewID(), member: NewID(),
		owner: NewUser("owner"), alice: NewUser("alice")}
	f.srv.AddGuild(&discordgo.Guild{
		ID: f.guildID, Name: "Hearth Test", OwnerID: f.owner.ID, PreferredLocale: "fr",
		Channels: []*discordgo.Channel{{ID: f.general, Name: "general", Type: discordgo.ChannelTypeGuildText}},
		Roles:    []*discordgo.Role{{ID: f.member, Name: "Member", Position: 1}},
		Members: []*discordgo.Member{
			{User: &f.owner},
			{User: &f.alice, Roles: []string{f.member}},
		},
	})
	return f
}

// restSession is a discordgo session that talks to the fake's REST API
// only.
func restSession(t *testing.T, srv *Server) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + testToken)
	if err != nil {
		t.Fatalf("discordgo.New: %v", err)
	}
	dg.Client = srv.HTTPClient()
	dg.MaxRestRetries = 1
	return dg
}

// openSession connects a real discordgo session to the fake's gateway with
// handlers added before it opens; it is closed before the server.
func openSession(t *testing.T, srv *Server, intents discordgo.Intent, handlers ...any) *discordgo.Session {
	t.Helper()
	dg := restSession(t, srv)
	dg.Identify.Intents = intents
	dg.StateEnabled = true
	for _, h := range handlers {
		dg.AddHandler(h)
	}
	if err := dg.Open(); err != nil {
		t.Fatalf("open session: %v", err)
	}
	t.Cleanup(func() { dg.Close() })
	return dg
}

// recv returns the next value from ch, failing the test after wait.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("no %s within %v", what, wait)
		panic("unreachable")
	}
}

// restCode is the Discord JSON error code of a REST error, 0 otherwise.
func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

const intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent

func TestOpenSendsReadyThenGuildCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ready := make(chan *discordgo.Ready, 1)
	guilds := make(chan *discordgo.GuildCreate, 1)
	dg := openSession(t, f.srv, intents,
		func(_ *discordgo.Session, e *discordgo.Ready) { ready <- e },
		func(_ *discordgo.Session, e *discordgo.GuildCreate) { guilds <- e })

	id := f.srv.WaitIdentify(t, wait)
	if id.Token != "Bot "+testToken || id.Intents != intents || id.Shard != nil {
		t.Errorf("identify: token %q intents %d shard %v", id.Token, id.Intents, id.Shard)
	}
	r := recv(t, ready, "READY")
	if r.SessionID == "" || r.Application == nil || r.Application.ID != f.srv.ApplicationID() || r.User.ID != f.srv.BotUser().ID {
		t.Errorf("ready: %+v", r)
	}
	if len(r.Guilds) != 1 || r.Guilds[0].ID != f.guildID || !r.Guilds[0].Unavailable {
		t.Errorf("ready guilds: %+v", r.Guilds)
	}
	g := recv(t, guilds, "GUILD_CREATE")
	if g.Name != "Hearth Test" || len(g.Channels) != 1 || g.Unavailable {
		t.Errorf("guild create: name %q, %d channels, unavailable %v", g.Name, len(g.Channels), g.Unavailable)
	}
	if _, err := dg.State.Guild(f.guildID); err != nil {
		t.Errorf("state has no guild after GUILD_CREATE: %v", err)
	}
}

func TestIdentifyRecordsShard(t *testing.T) {
	t.Parallel()
	srv := New(t, testToken)
	dg := restSession(t, srv)
	dg.ShardID, dg.ShardCount = 1, 2
	if err := dg.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { dg.Close() })
	if got := srv.WaitIdentify(t, wait).Shard; got == nil || *got != [2]int{1, 2} {
		t.Errorf("shard: got %v, want [1 2]", got)
	}
}

func TestPrivilegedIntentsRefusedWith4014(t *testing.T) {
	t.Parallel()
	srv := New(t, testToken, WithPrivilegedIntents(discordgo.IntentsGuildMembers))
	dg := restSession(t, srv)
	dg.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsMessageContent
	err := dg.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4014 {
		t.Fatalf("open: got %v, want close 4014", err)
	}
	srv.WaitConnections(t, 0, wait)
}

func TestDispatchedMessageReachesHandler(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	got := make(chan *discordgo.MessageCreate, 1)
	openSession(t, f.srv, intents, func(_ *discordgo.Session, m *discordgo.MessageCreate) { got <- m })

	f.srv.Dispatch(t, "MESSAGE_CREATE", f.srv.MessageCreate(f.general, f.alice, "hello <@"+f.owner.ID+">"))
	m := recv(t, got, "MESSAGE_CREATE")
	if m.Content != "hello <@"+f.owner.ID+">" || m.GuildID != f.guildID || m.Author.ID != f.alice.ID {
		t.Errorf("message: content %q guild %q author %v", m.Content, m.GuildID, m.Author)
	}
	if m.Member == nil || len(m.Member.Roles) != 1 || len(m.Mentions) != 1 {
		t.Errorf("member %+v, mentions %v", m.Member, m.Mentions)
	}
	if n := len(f.srv.Messages(f.general)); n != 1 {
		t.Errorf("stored messages: got %d, want 1", n)
	}
}

func TestSlashCommandGetsEphemeralReply(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	errs := make(chan error, 1)
	openSession(t, f.srv, intents, func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		d := i.ApplicationCommandData()
		errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: d.Name + " " + d.Options[0].StringValue() + " " + string(i.Locale) + " " + i.Member.User.ID,
				Flags:   discordgo.MessageFlagsEphemeral,
			},
		})
	})

	in := f.srv.SlashCommand(f.guildID, f.general, f.alice, "idea", Arg("text", "more tea"))
	f.srv.Dispatch(t, "INTERACTION_CREATE", in)
	if err := recv(t, errs, "interaction response"); err != nil {
		t.Fatalf("respond: %v", err)
	}
	r := f.srv.WaitInteractionReply(t, in.ID, wait)
	want := "idea more tea en-US " + f.alice.ID
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || !r.Ephemeral() || r.Original == nil || r.Original.Content != want {
		t.Errorf("reply: type %d ephemeral %v original %+v, want content %q", r.Type, r.Ephemeral(), r.Original, want)
	}
	if got := f.srv.WaitRequests(t, "POST", "/interactions/"+in.ID+"/", 1, wait)[0].Status; got != 204 {
		t.Errorf("callback status: got %d, want 204", got)
	}
}

func TestButtonOnSentMessageUpdatesIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	errs := make(chan error, 1)
	dg := openSession(t, f.srv, intents, func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{Content: "voted " + i.MessageComponentData().CustomID,
				Components: []discordgo.MessageComponent{}},
		})
	})

	sent, err := dg.ChannelMessageSendComplex(f.general, &discordgo.MessageSend{
		Content: "Vote?",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Yes", Style: discordgo.PrimaryButton, CustomID: "vote:yes"},
			discordgo.Button{Label: "No", Style: discordgo.SecondaryButton, CustomID: "vote:no"},
		}}},
		AllowedMentions: &discordgo.MessageAllowedMentions{},
	})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var body struct {
		Components []struct {
			Components []map[string]any `json:"components"`
		} `json:"components"`
	}
	req := f.srv.Requests("POST", "/channels/"+f.general+"/messages")
	if len(req) != 1 || req[0].JSON(&body) != nil || len(body.Components) != 1 || len(body.Components[0].Components) != 2 {
		t.Fatalf("recorded request: %v, body %+v", req, body)
	}
	stored := f.srv.Messages(f.general)
	if len(stored) != 1 || len(stored[0].Components) != 1 {
		t.Fatalf("stored messages: %+v", stored)
	}

	press := f.srv.ButtonPress(t, sent, f.alice, "vote:yes")
	f.srv.Dispatch(t, "INTERACTION_CREATE", press)
	if err := recv(t, errs, "interaction response"); err != nil {
		t.Fatalf("respond: %v", err)
	}
	after := f.srv.Messages(f.general)[0]
	if after.ID != sent.ID || after.Content != "voted vote:yes" || len(after.Components) != 0 || after.EditedTimestamp == nil {
		t.Errorf("updated message: %+v", after)
	}
}

// modalFlow answers /idea with a modal, and its submission with a deferred
// ephemeral reply filled in by a follow-up.
func modalFlow(done chan<- error) func(*discordgo.Session, *discordgo.InteractionCreate) {
	return func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		if i.Type == discordgo.InteractionApplicationCommand {
			done <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseModal,
				Data: &discordgo.InteractionResponseData{CustomID: "idea", Title: "New idea",
					Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
						discordgo.TextInput{CustomID: "text", Label: "Your idea", Style: discordgo.TextInputParagraph, Required: true, MaxLength: 200},
					}}}},
			})
			return
		}
		row := i.ModalSubmitData().Components[0].(*discordgo.ActionsRow)
		text := row.Components[0].(*discordgo.TextInput).Value
		err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		})
		if err == nil {
			_, err = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "saved: " + text})
		}
		done <- err
	}
}

func TestModalSubmitDeferredThenFollowUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	done := make(chan error, 1)
	dg := openSession(t, f.srv, intents, modalFlow(done))

	in := f.srv.SlashCommand(f.guildID, f.general, f.alice, "idea")
	f.srv.Dispatch(t, "INTERACTION_CREATE", in)
	if err := recv(t, done, "modal"); err != nil {
		t.Fatalf("modal: %v", err)
	}
	submit := f.srv.ModalSubmit(t, in, map[string]string{"text": "more tea"})
	f.srv.Dispatch(t, "INTERACTION_CREATE", submit)
	if err := recv(t, done, "follow-up"); err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	r, _ := f.srv.InteractionReply(submit.ID)
	if r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || r.Original == nil ||
		r.Original.Content != "saved: more tea" || !r.Ephemeral() || r.Original.Flags&discordgo.MessageFlagsLoading != 0 || len(r.Followups) != 0 {
		t.Errorf("reply: %+v, original %+v", r, r.Original)
	}
	err := dg.InteractionRespond(submit, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	if code := restCode(err); code != 40060 {
		t.Errorf("second answer: got %v, want code 40060", err)
	}
	if _, err := dg.FollowupMessageCreate(submit, true, &discordgo.WebhookParams{Content: "one more"}); err != nil {
		t.Fatalf("second follow-up: %v", err)
	}
	if r, _ := f.srv.InteractionReply(submit.ID); len(r.Followups) != 1 || r.Followups[0].Content != "one more" {
		t.Errorf("follow-ups: %+v", r.Followups)
	}
}

func TestBulkOverwriteCommandsAndReadBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	app := f.srv.ApplicationID()
	fr := map[discordgo.Locale]string{discordgo.French: "idée"}
	cmds := []*discordgo.ApplicationCommand{{Name: "idea", Description: "Share an idea", NameLocalizations: &fr,
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "text", Description: "Your idea", Required: true},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "anonymous", Description: "Hide your name"},
		}}}
	created, err := dg.ApplicationCommandBulkOverwrite(app, "", cmds)
	if err != nil {
		t.Fatalf("overwrite global: %v", err)
	}
	if _, err := dg.ApplicationCommandBulkOverwrite(app, f.guildID, cmds[:1]); err != nil {
		t.Fatalf("overwrite guild: %v", err)
	}
	again, err := dg.ApplicationCommandBulkOverwrite(app, "", cmds)
	if err != nil || len(again) != 1 || again[0].ID != created[0].ID {
		t.Errorf("overwrite again: %v, id kept %v", err, len(again) == 1 && again[0].ID == created[0].ID)
	}
	listed, err := dg.ApplicationCommands(app, "")
	if err != nil || len(listed) != 1 || listed[0].Name != "idea" || len(listed[0].Options) != 2 {
		t.Fatalf("list: %v, %+v", err, listed)
	}
	if got := f.srv.Commands(f.guildID); len(got) != 1 || got[0].GuildID != f.guildID {
		t.Errorf("guild commands: %+v", got)
	}
	if in := f.srv.SlashCommand(f.guildID, f.general, f.alice, "idea"); in.ApplicationCommandData().ID != f.srv.Commands(f.guildID)[0].ID {
		t.Errorf("slash command does not carry the registered id")
	}
}

func TestInvalidCommandsRejected(t *testing.T) {
	t.Parallel()
	srv := New(t, testToken)
	dg := restSession(t, srv)
	badLocale := map[discordgo.Locale]string{"fr-FR": "idee"}
	for name, c := range map[string]*discordgo.ApplicationCommand{
		"uppercase name":       {Name: "Idea", Description: "x"},
		"empty description":    {Name: "idea"},
		"invalid locale":       {Name: "idea", Description: "x", NameLocalizations: &badLocale},
		"required after other": {Name: "idea", Description: "x", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "a", Description: "a"},
			{Type: discordgo.ApplicationCommandOptionString, Name: "b", Description: "b", Required: true},
		}},
	} {
		_, err := dg.ApplicationCommandBulkOverwrite(srv.ApplicationID(), "", []*discordgo.ApplicationCommand{c})
		if code := restCode(err); code != 50035 {
			t.Errorf("%s: got %v, want code 50035", name, err)
		}
	}
	if got := srv.Commands(""); len(got) != 0 {
		t.Errorf("commands stored despite errors: %+v", got)
	}
}

func TestRateLimitIsRetriedByDiscordgo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	f.srv.FailNext("POST", "/channels/", 429, 1)

	if _, err := dg.ChannelMessageSend(f.general, "hello"); err != nil {
		t.Fatalf("send: %v", err)
	}
	reqs := f.srv.Requests("POST", "/channels/"+f.general+"/messages")
	if len(reqs) != 2 || reqs[0].Status != 429 || reqs[1].Status != 200 {
		t.Fatalf("requests: %v, want a 429 then one 200", reqs)
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 950*time.Millisecond {
		t.Errorf("retried after %v, want about 1s", gap)
	}
	if n := len(f.srv.Messages(f.general)); n != 1 {
		t.Errorf("stored messages: got %d, want 1", n)
	}
}

func TestServerErrorIsReported(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	f.srv.FailNext("", "/channels/"+f.general, 503, 0)
	_, err := dg.ChannelMessageSend(f.general, "hello")
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != 503 {
		t.Fatalf("send: got %v, want a 503 RESTError", err)
	}
}

func TestInvalidMessagesRejected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	row := func(buttons ...discordgo.MessageComponent) []discordgo.MessageComponent {
		return []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
	}
	button := func(id, label string) discordgo.Button {
		return discordgo.Button{Label: label, Style: discordgo.PrimaryButton, CustomID: id}
	}
	six := make([]discordgo.MessageComponent, 6)
	for i := range six {
		six[i] = button(string(rune('a'+i)), "x")
	}
	for name, m := range map[string]*discordgo.MessageSend{
		"content over 2000":  {Content: strings.Repeat("a", 2001)},
		"six buttons in row": {Content: "x", Components: row(six...)},
		"custom id over 100": {Content: "x", Components: row(button(strings.Repeat("a", 101), "x"))},
		"label over 80":      {Content: "x", Components: row(button("a", strings.Repeat("a", 81)))},
		"duplicate id":       {Content: "x", Components: row(button("a", "x"), button("a", "y"))},
		"embed title long":   {Embeds: []*discordgo.MessageEmbed{{Title: strings.Repeat("a", 257)}}},
		"mentions conflict": {Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{
			Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}, Users: []string{f.alice.ID}}},
	} {
		_, err := dg.ChannelMessageSendComplex(f.general, m)
		if code := restCode(err); code != 50035 {
			t.Errorf("%s: got %v, want code 50035", name, err)
		}
	}
	if n := len(f.srv.Messages(f.general)); n != 0 {
		t.Errorf("stored %d invalid messages", n)
	}
}

func TestModerationEndpoints(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	mod := NewID()
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)

	if err := dg.GuildMemberRoleRemove(f.guildID, f.alice.ID, f.member); err != nil {
		t.Fatalf("remove role: %v", err)
	}
	if m, _ := f.srv.Member(f.guildID, f.alice.ID); len(m.Roles) != 0 {
		t.Errorf("roles after removal: %v", m.Roles)
	}
	if err := dg.GuildMemberRoleAdd(f.guildID, f.alice.ID, mod); restCode(err) != 10011 {
		t.Errorf("unknown role: got %v, want code 10011", err)
	}
	if err := dg.GuildMemberTimeout(f.guildID, f.alice.ID, &until); err != nil {
		t.Fatalf("timeout: %v", err)
	}
	if m, _ := f.srv.Member(f.guildID, f.alice.ID); m.CommunicationDisabledUntil == nil || !m.CommunicationDisabledUntil.Equal(until) {
		t.Errorf("timeout stored: %v, want %v", m.CommunicationDisabledUntil, until)
	}
	tooLong := time.Now().Add(29 * 24 * time.Hour)
	if err := dg.GuildMemberTimeout(f.guildID, f.alice.ID, &tooLong); restCode(err) != 50035 {
		t.Errorf("29-day timeout: got %v, want code 50035", err)
	}
	if err := dg.GuildMemberDelete(f.guildID, f.owner.ID); restCode(err) != 50013 {
		t.Errorf("kick owner: got %v, want code 50013", err)
	}
	if err := dg.GuildBanCreateWithReason(f.guildID, f.alice.ID, "spam", 0); err != nil {
		t.Fatalf("ban: %v", err)
	}
	if _, still := f.srv.Member(f.guildID, f.alice.ID); still || !f.srv.Banned(f.guildID, f.alice.ID) {
		t.Errorf("after ban: member %v, banned %v", still, f.srv.Banned(f.guildID, f.alice.ID))
	}
	if err := dg.GuildBanDelete(f.guildID, f.alice.ID); err != nil || f.srv.Banned(f.guildID, f.alice.ID) {
		t.Errorf("unban: %v, still banned %v", err, f.srv.Banned(f.guildID, f.alice.ID))
	}
}

func TestResumeAfterDroppedConnection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resumed := make(chan *discordgo.Resumed, 1)
	got := make(chan string, 2)
	openSession(t, f.srv, intents,
		func(_ *discordgo.Session, e *discordgo.Resumed) { resumed <- e },
		func(_ *discordgo.Session, m *discordgo.MessageCreate) { got <- m.Content })
	f.srv.WaitIdentify(t, wait)

	f.srv.DropConnections()
	f.srv.Dispatch(t, "MESSAGE_CREATE", f.srv.MessageCreate(f.general, f.alice, "while away"))
	recv(t, resumed, "RESUMED")
	if c := recv(t, got, "missed message"); c != "while away" {
		t.Errorf("replayed message: got %q", c)
	}
	select {
	case id := <-identifyAgain(f.srv):
		t.Errorf("client identified again instead of resuming: %+v", id)
	default:
	}
}

// identifyAgain returns any IDENTIFY received after the first, without
// waiting.
func identifyAgain(srv *Server) <-chan discordgo.Identify {
	ch := make(chan discordgo.Identify, 1)
	srv.mu.Lock()
	if srv.identsTaken < len(srv.idents) {
		ch <- srv.idents[srv.identsTaken]
	}
	srv.mu.Unlock()
	return ch
}
