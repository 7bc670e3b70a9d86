package discordtest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// TestTimeoutsAsDiscordKeepsThem: a timeout is stored until its end, null
// ends it, and one more than 28 days ahead is refused with Discord's form
// error.
func TestTimeoutsAsDiscordKeepsThem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	tooFar := time.Now().Add(28*24*time.Hour + time.Minute)
	err := dg.GuildMemberTimeout(f.guildID, f.alice.ID, &tooFar)
	if restCode(err) != 50035 || !strings.Contains(err.Error(), "INVALID_COMMUNICATION_DISABLED_TIMESTAMP") {
		t.Errorf("timeout past 28 days: %v; want 50035 INVALID_COMMUNICATION_DISABLED_TIMESTAMP", err)
	}
	hour := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := dg.GuildMemberTimeout(f.guildID, f.alice.ID, &hour); err != nil {
		t.Fatalf("timeout for an hour: %v", err)
	}
	if m, _ := f.srv.Member(f.guildID, f.alice.ID); m.CommunicationDisabledUntil == nil || !m.CommunicationDisabledUntil.Equal(hour) {
		t.Errorf("timed out until %v, want %v", m.CommunicationDisabledUntil, hour)
	}
	if err := dg.GuildMemberTimeout(f.guildID, f.alice.ID, nil); err != nil {
		t.Fatalf("end the timeout: %v", err)
	}
	if m, _ := f.srv.Member(f.guildID, f.alice.ID); m.CommunicationDisabledUntil != nil {
		t.Errorf("still timed out until %v", m.CommunicationDisabledUntil)
	}
	if err := dg.GuildMemberTimeout(f.guildID, NewID(), &hour); restCode(err) != 10007 {
		t.Errorf("timeout of a stranger: %v; want 10007 Unknown Member", err)
	}
}

// TestBulkDeleteLimits: bulk delete takes 2 to 100 ids of messages under
// 14 days old and Manage Messages; unknown ids are passed over.
func TestBulkDeleteLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	var ids []string
	for range 3 {
		m := f.srv.MessageCreate(f.general, f.alice, "spam")
		f.srv.Dispatch(t, "MESSAGE_CREATE", m)
		ids = append(ids, m.ID)
	}
	bulk := func(ids []string) error {
		endpoint := discordgo.EndpointChannelMessagesBulkDelete(f.general)
		_, err := dg.RequestWithBucketID("POST", endpoint, map[string][]string{"messages": ids}, endpoint)
		return err
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = NewID()
	}
	for name, tc := range map[string]struct {
		ids  []string
		code int
	}{
		"one":           {ids[:1], 50035},
		"101":           {many, 50035},
		"15 days old":   {[]string{ids[0], IDAt(time.Now().Add(-15 * 24 * time.Hour))}, 50034},
		"not snowflake": {[]string{ids[0], "spam"}, 50034},
	} {
		if err := bulk(tc.ids); restCode(err) != tc.code {
			t.Errorf("bulk delete of %s: %v; want code %d", name, err, tc.code)
		}
	}
	f.srv.SetRolePermissions(t, f.guildID, f.srv.BotRoleID(f.guildID), discordgo.PermissionViewChannel)
	if err := bulk(ids[:2]); restCode(err) != 50013 {
		t.Errorf("bulk delete without Manage Messages: %v; want 50013", err)
	}
	f.srv.SetRolePermissions(t, f.guildID, f.srv.BotRoleID(f.guildID), discordgo.PermissionManageMessages)
	if err := bulk(append(ids[:2:2], NewID())); err != nil {
		t.Fatalf("bulk delete: %v", err)
	}
	if left := f.srv.Messages(f.general); len(left) != 1 || left[0].ID != ids[2] {
		t.Errorf("%d messages left, want the one not named", len(left))
	}
}

// TestDeleteAndPostNeedPermissions: deleting another's message takes
// Manage Messages (the bot's own, none); posting takes seeing the channel
// (Missing Access otherwise), Send Messages and, for a file, Attach
// Files; a channel's overwrites count.
func TestDeleteAndPostNeedPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	bot := f.srv.BotRoleID(f.guildID)
	theirs := f.srv.MessageCreate(f.general, f.alice, "spam")
	f.srv.Dispatch(t, "MESSAGE_CREATE", theirs)
	mine, err := dg.ChannelMessageSend(f.general, "hello")
	if err != nil {
		t.Fatal(err)
	}
	f.srv.SetRolePermissions(t, f.guildID, bot, 0)
	if err := dg.ChannelMessageDelete(f.general, theirs.ID); restCode(err) != 50013 {
		t.Errorf("delete another's message without Manage Messages: %v; want 50013", err)
	}
	if err := dg.ChannelMessageDelete(f.general, mine.ID); err != nil {
		t.Errorf("delete the bot's own message: %v", err)
	}
	if err := dg.ChannelMessageDelete(f.general, mine.ID); restCode(err) != 10008 {
		t.Errorf("delete it again: %v; want 10008 Unknown Message", err)
	}
	f.srv.SetRolePermissions(t, f.guildID, f.guildID, discordgo.PermissionViewChannel|discordgo.PermissionSendMessages) // @everyone
	file := &discordgo.File{Name: "a.txt", ContentType: "text/plain", Reader: bytes.NewReader([]byte("a"))}
	if _, err := dg.ChannelMessageSendComplex(f.general, &discordgo.MessageSend{Files: []*discordgo.File{file}}); restCode(err) != 50013 {
		t.Errorf("send a file without Attach Files: %v; want 50013", err)
	}
	f.srv.SetRolePermissions(t, f.guildID, f.guildID, discordgo.PermissionViewChannel)
	if _, err := dg.ChannelMessageSend(f.general, "hello"); restCode(err) != 50013 {
		t.Errorf("send without Send Messages: %v; want 50013", err)
	}
	f.srv.SetRolePermissions(t, f.guildID, f.guildID, 0)
	if _, err := dg.ChannelMessageSend(f.general, "hello"); restCode(err) != 50001 {
		t.Errorf("send in a channel the bot cannot see: %v; want 50001 Missing Access", err)
	}

	hidden, open := NewID(), NewID()
	g := &discordgo.Guild{ID: NewID(), Name: "Overwrites", OwnerID: f.owner.ID, Channels: []*discordgo.Channel{
		{ID: hidden, Name: "staff", Type: discordgo.ChannelTypeGuildText},
		{ID: open, Name: "open", Type: discordgo.ChannelTypeGuildText}}}
	g.Channels[0].PermissionOverwrites = []*discordgo.PermissionOverwrite{{ID: g.ID, Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionViewChannel}}
	f.srv.AddGuild(g)
	f.srv.SetRolePermissions(t, g.ID, f.srv.BotRoleID(g.ID), 0) // no longer an administrator, above overwrites
	if _, err := dg.ChannelMessageSend(hidden, "hello"); restCode(err) != 50001 {
		t.Errorf("send where @everyone may not see: %v; want 50001 Missing Access", err)
	}
	if _, err := dg.ChannelMessageSend(open, "hello"); err != nil {
		t.Errorf("send where @everyone may: %v", err)
	}
}
