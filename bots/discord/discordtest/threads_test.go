package discordtest

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func ptr[T any](v T) *T { return &v }

// threadEvents collects the thread events and messages a session hears.
type threadEvents struct {
	created  chan *discordgo.ThreadCreate
	updated  chan *discordgo.ThreadUpdate
	members  chan *discordgo.ThreadMembersUpdate
	messages chan *discordgo.MessageCreate
}

func listenThreads(t *testing.T, srv *Server, in discordgo.Intent) threadEvents {
	t.Helper()
	ev := threadEvents{created: make(chan *discordgo.ThreadCreate, 8), updated: make(chan *discordgo.ThreadUpdate, 8),
		members: make(chan *discordgo.ThreadMembersUpdate, 8), messages: make(chan *discordgo.MessageCreate, 16)}
	openSession(t, srv, in,
		func(_ *discordgo.Session, e *discordgo.ThreadCreate) { ev.created <- e },
		func(_ *discordgo.Session, e *discordgo.ThreadUpdate) { ev.updated <- e },
		func(_ *discordgo.Session, e *discordgo.ThreadMembersUpdate) { ev.members <- e },
		func(_ *discordgo.Session, e *discordgo.MessageCreate) { ev.messages <- e })
	return ev
}

func TestTicketThreadLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ev := listenThreads(t, f.srv, intents|discordgo.IntentsGuildMembers)
	dg := restSession(t, f.srv)
	bot := f.srv.BotUser().ID

	th, err := dg.ThreadStartComplex(f.general, &discordgo.ThreadStart{Name: "#12 Maria · VIP",
		Type: discordgo.ChannelTypeGuildPrivateThread, AutoArchiveDuration: 10080, Invitable: false})
	if err != nil {
		t.Fatalf("ThreadStartComplex: %v", err)
	}
	if th.Type != discordgo.ChannelTypeGuildPrivateThread || th.ParentID != f.general || th.OwnerID != bot ||
		th.GuildID != f.guildID || th.ThreadMetadata == nil || th.ThreadMetadata.AutoArchiveDuration != 10080 ||
		th.ThreadMetadata.Invitable || th.ThreadMetadata.Archived {
		t.Fatalf("created thread: %+v, metadata %+v", th, th.ThreadMetadata)
	}
	if got := f.srv.Requests("POST", "/channels/"+f.general+"/threads"); len(got) != 1 || got[0].Status != http.StatusCreated {
		t.Fatalf("thread creation answered %v", got)
	}
	if c := recv(t, ev.created, "THREAD_CREATE"); c.ID != th.ID || !c.NewlyCreated {
		t.Fatalf("THREAD_CREATE: %+v", c)
	}

	if err := dg.ThreadMemberAdd(th.ID, f.alice.ID); err != nil {
		t.Fatalf("ThreadMemberAdd: %v", err)
	}
	if got := f.srv.ThreadMembers(th.ID); !slices.Equal(got, sortedPair(bot, f.alice.ID)) {
		t.Fatalf("thread members: %v", got)
	}
	if u := recv(t, ev.members, "THREAD_MEMBERS_UPDATE"); u.ID != th.ID || len(u.AddedMembers) != 1 ||
		u.AddedMembers[0].UserID != f.alice.ID || u.MemberCount != 2 {
		t.Fatalf("THREAD_MEMBERS_UPDATE: %+v", u)
	}
	if added := recv(t, ev.messages, "RECIPIENT_ADD"); added.Type != discordgo.MessageTypeRecipientAdd ||
		added.ChannelID != th.ID || len(added.Mentions) != 1 || added.Mentions[0].ID != f.alice.ID {
		t.Fatalf("system message for the added member: %+v", added.Message)
	}
	if err := dg.ThreadMemberAdd(th.ID, f.alice.ID); err != nil {
		t.Fatalf("adding a member twice: %v", err)
	}

	sent, err := dg.ChannelMessageSend(th.ID, "Hello Maria")
	if err != nil || sent.ChannelID != th.ID || sent.GuildID != f.guildID {
		t.Fatalf("ChannelMessageSend to the thread: %v, %+v", err, sent)
	}
	recv(t, ev.messages, "the bot's MESSAGE_CREATE")
	reply := f.srv.PostInThread(t, th.ID, f.alice, "I paid yesterday")
	if m := recv(t, ev.messages, "alice's MESSAGE_CREATE"); m.ID != reply.ID || m.ChannelID != th.ID || m.Content != "I paid yesterday" {
		t.Fatalf("alice's message in the thread: %+v", m.Message)
	}
	msgs := f.srv.Messages(th.ID)
	if len(msgs) != 3 || msgs[1].Content != "Hello Maria" || msgs[2].Author.ID != f.alice.ID {
		t.Fatalf("messages in the thread: %d", len(msgs))
	}

	closed, err := dg.ChannelEdit(th.ID, &discordgo.ChannelEdit{Name: "#12 Maria · closed", Archived: ptr(true), Locked: ptr(true)})
	if err != nil || !closed.ThreadMetadata.Archived || !closed.ThreadMetadata.Locked || closed.Name != "#12 Maria · closed" {
		t.Fatalf("archiving and locking: %v, %+v", err, closed)
	}
	if u := recv(t, ev.updated, "THREAD_UPDATE"); !u.ThreadMetadata.Archived || !u.ThreadMetadata.Locked {
		t.Fatalf("THREAD_UPDATE after closing: %+v", u.ThreadMetadata)
	}
	// The bot moderates (it is an administrator): its message reopens the
	// thread, which stays locked.
	if _, err := dg.ChannelMessageSend(th.ID, "Reopened by the team"); err != nil {
		t.Fatalf("a moderator posting in a locked archived thread: %v", err)
	}
	if u := recv(t, ev.updated, "THREAD_UPDATE on unarchiving"); u.ThreadMetadata.Archived || !u.ThreadMetadata.Locked {
		t.Fatalf("THREAD_UPDATE after the message: %+v", u.ThreadMetadata)
	}
	stored, _ := f.srv.Thread(th.ID)
	if stored.MessageCount != 3 || stored.ThreadMetadata.Archived {
		t.Fatalf("stored thread: %d messages, metadata %+v", stored.MessageCount, stored.ThreadMetadata)
	}

	if err := dg.ThreadMemberRemove(th.ID, f.alice.ID); err != nil {
		t.Fatalf("ThreadMemberRemove: %v", err)
	}
	if u := recv(t, ev.members, "THREAD_MEMBERS_UPDATE on removal"); len(u.RemovedMembers) != 1 || u.RemovedMembers[0] != f.alice.ID {
		t.Fatalf("THREAD_MEMBERS_UPDATE on removal: %+v", u)
	}
	if got := f.srv.ThreadMembers(th.ID); !slices.Equal(got, []string{bot}) {
		t.Fatalf("members after removal: %v", got)
	}

	// A session starting now finds the active thread in GUILD_CREATE.
	guilds := make(chan *discordgo.GuildCreate, 1)
	later := openSession(t, f.srv, intents, func(_ *discordgo.Session, g *discordgo.GuildCreate) { guilds <- g })
	if g := recv(t, guilds, "GUILD_CREATE"); len(g.Threads) != 1 || g.Threads[0].ID != th.ID {
		t.Fatalf("threads in GUILD_CREATE: %+v", g.Threads)
	}
	if cached, err := later.State.Channel(th.ID); err != nil || cached.ParentID != f.general {
		t.Fatalf("the thread in discordgo's state: %v, %+v", err, cached)
	}
}

func sortedPair(a, b string) []string {
	ids := []string{a, b}
	slices.SortFunc(ids, compareIDs)
	return ids
}

// limitedGuild is a guild whose bot holds only perms, with #general and
// a voice channel, and alice, a plain member.
func limitedGuild(t *testing.T, perms int64) (fixture, string) {
	t.Helper()
	f := fixture{srv: New(t, testToken), guildID: NewID(), general: NewID(), member: NewID(),
		owner: NewUser("owner"), alice: NewUser("alice")}
	botRole, voice := NewID(), NewID()
	bot := f.srv.BotUser()
	f.srv.AddGuild(&discordgo.Guild{
		ID: f.guildID, Name: "Limited", OwnerID: f.owner.ID,
		Channels: []*discordgo.Channel{
			{ID: f.general, Name: "general", Type: discordgo.ChannelTypeGuildText},
			{ID: voice, Name: "voice", Type: discordgo.ChannelTypeGuildVoice},
		},
		Roles: []*discordgo.Role{{ID: f.guildID, Name: "@everyone"}, {ID: botRole, Name: "Hearth", Permissions: perms, Position: 2},
			{ID: f.member, Name: "Member", Permissions: everyonePermissions, Position: 1}},
		Members: []*discordgo.Member{
			{User: &f.owner}, {User: &f.alice, Roles: []string{f.member}}, {User: &bot, Roles: []string{botRole}},
		},
	})
	return f, voice
}

func TestStartThreadValidation(t *testing.T) {
	t.Parallel()
	f, voice := limitedGuild(t, discordgo.PermissionViewChannel|discordgo.PermissionCreatePrivateThreads)
	dg := restSession(t, f.srv)
	for name, start := range map[string]*discordgo.ThreadStart{
		"no name":          {Name: ""},
		"101 characters":   {Name: strings.Repeat("n", 101)},
		"30 minutes":       {Name: "x", AutoArchiveDuration: 30},
		"a voice type":     {Name: "x", Type: discordgo.ChannelTypeGuildVoice},
		"a week's slowing": {Name: "x", RateLimitPerUser: 604800},
	} {
		if _, err := dg.ThreadStartComplex(f.general, start); restCode(err) != 50035 {
			t.Errorf("%s: got %v, want 50035", name, err)
		}
	}
	if _, err := dg.ThreadStartComplex(voice, &discordgo.ThreadStart{Name: "x"}); restCode(err) != 50024 {
		t.Errorf("a thread in a voice channel: got %v, want 50024", err)
	}
	if _, err := dg.ThreadStartComplex(f.srv.DMChannel(f.alice), &discordgo.ThreadStart{Name: "x"}); restCode(err) != 50003 {
		t.Errorf("a thread in a DM: got %v, want 50003", err)
	}
	if _, err := dg.ThreadStartComplex(NewID(), &discordgo.ThreadStart{Name: "x"}); restCode(err) != 10003 {
		t.Errorf("a thread in an unknown channel: got %v, want 10003", err)
	}
	// Type 0 is left out by discordgo, and Discord then makes a private thread.
	th, err := dg.ThreadStartComplex(f.general, &discordgo.ThreadStart{Name: "x"})
	if err != nil || th.Type != discordgo.ChannelTypeGuildPrivateThread || th.ThreadMetadata.AutoArchiveDuration != defaultAutoArchive {
		t.Fatalf("a thread without type: %v, %+v", err, th)
	}
	if _, err := dg.ThreadStartComplex(f.general, &discordgo.ThreadStart{Name: "x", Type: discordgo.ChannelTypeGuildPublicThread}); restCode(err) != 50013 {
		t.Errorf("a public thread without CREATE_PUBLIC_THREADS: got %v, want 50013", err)
	}
}

func TestThreadPermissions(t *testing.T) {
	t.Parallel()
	perms := int64(discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionCreatePublicThreads)
	f, _ := limitedGuild(t, perms)
	dg := restSession(t, f.srv)
	role := f.srv.BotRoleID(f.guildID)

	if _, err := dg.ThreadStartComplex(f.general, &discordgo.ThreadStart{Name: "#1", Type: discordgo.ChannelTypeGuildPrivateThread}); restCode(err) != 50013 {
		t.Fatalf("a private thread without CREATE_PRIVATE_THREADS: got %v, want 50013", err)
	}
	th, err := dg.ThreadStartComplex(f.general, &discordgo.ThreadStart{Name: "#1", Type: discordgo.ChannelTypeGuildPublicThread})
	if err != nil {
		t.Fatalf("a public thread: %v", err)
	}
	// SEND_MESSAGES does not count in threads.
	if _, err := dg.ChannelMessageSend(th.ID, "hi"); restCode(err) != 50013 {
		t.Fatalf("posting without SEND_MESSAGES_IN_THREADS: got %v, want 50013", err)
	}
	perms |= discordgo.PermissionSendMessagesInThreads | discordgo.PermissionCreatePrivateThreads
	f.srv.SetRolePermissions(t, f.guildID, role, perms)
	if _, err := dg.ChannelEdit(th.ID, &discordgo.ChannelEdit{Locked: ptr(true)}); restCode(err) != 50013 {
		t.Fatalf("locking without MANAGE_THREADS: got %v, want 50013", err)
	}
	// Its creator may archive it; a message unarchives it.
	if _, err := dg.ChannelEdit(th.ID, &discordgo.ChannelEdit{Archived: ptr(true)}); err != nil {
		t.Fatalf("the creator archiving: %v", err)
	}
	if _, err := dg.ChannelEdit(th.ID, &discordgo.ChannelEdit{Name: "renamed"}); restCode(err) != 50083 {
		t.Fatalf("renaming an archived thread: got %v, want 50083", err)
	}
	if err := dg.ThreadMemberAdd(th.ID, f.alice.ID); restCode(err) != 50083 {
		t.Fatalf("adding to an archived thread: got %v, want 50083", err)
	}
	if _, err := dg.ChannelMessageSend(th.ID, "still there?"); err != nil {
		t.Fatalf("posting in the archived thread: %v", err)
	}
	if got, _ := f.srv.Thread(th.ID); got.ThreadMetadata.Archived {
		t.Fatalf("the message left the thread archived")
	}

	// A moderator locks and closes it in the app: the bot may no longer post.
	f.srv.SetThreadState(t, th.ID, f.owner, true, true)
	if _, err := dg.ChannelMessageSend(th.ID, "hello?"); restCode(err) != 50083 {
		t.Fatalf("posting in a locked archived thread: got %v, want 50083", err)
	}
	f.srv.SetThreadState(t, th.ID, f.owner, false, true)
	if _, err := dg.ChannelMessageSend(th.ID, "hello?"); restCode(err) != 160005 {
		t.Fatalf("posting in a locked thread: got %v, want 160005", err)
	}

	// A private thread that is not invitable: only moderators add people.
	priv, err := dg.ThreadStartComplex(f.general, &discordgo.ThreadStart{Name: "#2", Type: discordgo.ChannelTypeGuildPrivateThread})
	if err != nil {
		t.Fatalf("a private thread: %v", err)
	}
	if err := dg.ThreadMemberAdd(priv.ID, f.alice.ID); restCode(err) != 50013 {
		t.Fatalf("adding to a non-invitable private thread without MANAGE_THREADS: got %v, want 50013", err)
	}
	if err := dg.ThreadMemberAdd(priv.ID, NewID()); restCode(err) != 10007 {
		t.Fatalf("adding someone not in the guild: got %v, want 10007", err)
	}
	f.srv.SetRolePermissions(t, f.guildID, role, perms|discordgo.PermissionManageThreads)
	if err := dg.ThreadMemberAdd(priv.ID, f.alice.ID); err != nil {
		t.Fatalf("a moderator adding to the private thread: %v", err)
	}
	f.srv.PostInThread(t, priv.ID, f.alice, "thanks")
	if m, err := dg.ThreadMember(priv.ID, f.alice.ID, false); err != nil || m.UserID != f.alice.ID {
		t.Fatalf("ThreadMember: %v, %+v", err, m)
	}

	// A private thread the bot is not in and cannot moderate is hidden.
	f.srv.SetRolePermissions(t, f.guildID, role, perms)
	if err := dg.ThreadLeave(priv.ID); err != nil {
		t.Fatalf("ThreadLeave: %v", err)
	}
	if _, err := dg.ChannelMessageSend(priv.ID, "hi"); restCode(err) != 50001 {
		t.Fatalf("posting in a private thread the bot left: got %v, want 50001", err)
	}
	if _, err := dg.Channel(priv.ID); restCode(err) != 50001 {
		t.Fatalf("reading a private thread the bot left: got %v, want 50001", err)
	}
}

func TestThreadMembersUpdateNeedsGuildMembers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ev := listenThreads(t, f.srv, intents) // no GUILD_MEMBERS
	dg := restSession(t, f.srv)
	th, err := dg.ThreadStartComplex(f.general, &discordgo.ThreadStart{Name: "#3", Type: discordgo.ChannelTypeGuildPrivateThread})
	if err != nil {
		t.Fatalf("ThreadStartComplex: %v", err)
	}
	recv(t, ev.created, "THREAD_CREATE")
	if err := dg.ThreadMemberAdd(th.ID, f.alice.ID); err != nil {
		t.Fatalf("ThreadMemberAdd: %v", err)
	}
	recv(t, ev.messages, "RECIPIENT_ADD")
	// Leaving is about the bot itself: that update comes.
	if err := dg.ThreadLeave(th.ID); err != nil {
		t.Fatalf("ThreadLeave: %v", err)
	}
	if u := recv(t, ev.members, "THREAD_MEMBERS_UPDATE about the bot"); len(u.RemovedMembers) != 1 ||
		u.RemovedMembers[0] != f.srv.BotUser().ID || len(u.AddedMembers) != 0 {
		t.Fatalf("THREAD_MEMBERS_UPDATE: %+v (alice's addition should not have come)", u)
	}
}
