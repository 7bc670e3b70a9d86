package discordtest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

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
		"uppercase name":    {Name: "Idea", Description: "x"},
		"empty description": {Name: "idea"},
		"invalid locale":    {Name: "idea", Description: "x", NameLocalizations: &badLocale},
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

func TestReadEndpointsDecodeInDiscordgo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)

	if g, err := dg.Guild(f.guildID); err != nil || g.Name != "Hearth Test" || len(g.Roles) != 3 {
		t.Errorf("guild: %v, %+v", err, g)
	}
	if m, err := dg.GuildMember(f.guildID, f.alice.ID); err != nil || m.User.ID != f.alice.ID || len(m.Roles) != 1 {
		t.Errorf("member: %v, %+v", err, m)
	}
	if _, err := dg.GuildMember(f.guildID, NewID()); restCode(err) != 10007 {
		t.Errorf("unknown member: got %v, want code 10007", err)
	}
	if ch, err := dg.Channel(f.general); err != nil || ch.GuildID != f.guildID {
		t.Errorf("channel: %v, %+v", err, ch)
	}
	if me, err := dg.User("@me"); err != nil || me.ID != f.srv.BotUser().ID || !me.Bot {
		t.Errorf("@me: %v, %+v", err, me)
	}
	dm, err := dg.UserChannelCreate(f.alice.ID)
	if err != nil || dm.Type != discordgo.ChannelTypeDM || dm.ID != f.srv.DMChannel(f.alice) {
		t.Fatalf("dm channel: %v, %+v", err, dm)
	}
	sent, err := dg.ChannelMessageSend(dm.ID, "hi")
	if err != nil {
		t.Fatalf("send dm: %v", err)
	}
	if _, err := dg.ChannelMessageEdit(dm.ID, sent.ID, "hello"); err != nil {
		t.Fatalf("edit: %v", err)
	}
	if got := f.srv.Messages(dm.ID); len(got) != 1 || got[0].Content != "hello" || got[0].GuildID != "" {
		t.Errorf("dm messages after edit: %+v", got)
	}
	if err := dg.ChannelMessageDelete(dm.ID, sent.ID); err != nil || len(f.srv.Messages(dm.ID)) != 0 {
		t.Errorf("delete: %v, left %d", err, len(f.srv.Messages(dm.ID)))
	}
}
