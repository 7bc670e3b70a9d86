package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestAskContinuesInAPrivateThreadOnDiscord: Alice's /ask in a channel
// opens a private thread of it with her in it; the command's answer, seen
// by her only, points there, and the answer with its buttons is posted
// in the thread. Her plain messages in the thread are questions too;
// what others write there is left alone.
func TestAskContinuesInAPrivateThreadOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorld(t)
	botstest.SaveEntry(t, aw.store, botstest.DeliveryEntry)
	i := aw.dc.SlashCommand(aw.shop, aw.general, aw.alice, "ask", discordtest.Arg("question", "how long will my delivery take?"))
	aw.dc.Dispatch(t, "INTERACTION_CREATE", i)
	r := aw.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
	aw.waitCount(t, 1, `SELECT count(*) FROM member_threads`)
	var thread string
	if err := aw.store.DB().Get(&thread, `SELECT thread_id FROM member_threads WHERE chat_id = $1`, aw.general); err != nil {
		t.Fatal(err)
	}
	if !r.Ephemeral() || r.Original == nil || !strings.Contains(r.Original.Content, "https://discord.com/channels/"+aw.shop+"/"+thread) ||
		strings.Contains(r.Original.Content, "1-3 days") {
		t.Fatalf("the /ask reply: %+v", r.Original)
	}
	th, ok := aw.dc.Thread(thread)
	if !ok || th.Type != discordgo.ChannelTypeGuildPrivateThread || th.ParentID != aw.general {
		t.Fatalf("thread %+v, want a private thread of the channel", th)
	}
	if members := aw.dc.ThreadMembers(thread); !strings.Contains(strings.Join(members, ","), aw.alice.ID) {
		t.Errorf("thread members %v lack alice", members)
	}
	answer := waitChannelMessage(t, aw.dc, thread, "delivery takes 1-3 days")
	if ids := customIDs(answer); len(ids) != 2 || ids[0] != "ask:ok:1" || ids[1] != "ask:person:1" {
		t.Fatalf("buttons %v", ids)
	}
	for _, m := range aw.dc.Messages(aw.general) {
		if m.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("the channel shows everyone %q", m.Content)
		}
	}

	aw.dc.PostInThread(t, thread, aw.owner, "Hi Alice, anything else?")
	aw.dc.PostInThread(t, thread, aw.alice, "do you sell green tea?")
	waitChannelMessage(t, aw.dc, thread, "ticket #1. A person will answer you in a private message") // staff's replies go to her DMs
	storagetest.WaitInboxSettled(t, aw.store.DB())
	aw.waitCount(t, 2, `SELECT count(*) FROM kb_questions`)
}

// TestHelpChannelOnDiscord: Bob may not make a channel a help place (he
// is told, and it is audited); the owner's /sethelp does, and Alice's
// plain message there is answered in the channel as a reply to it;
// /sethelp off stops it.
func TestHelpChannelOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorld(t)
	botstest.SaveEntry(t, aw.store, botstest.DeliveryEntry)
	if r := aw.slash(t, aw.shop, aw.general, aw.bob, "sethelp"); r.Original == nil || !strings.Contains(r.Original.Content, "for the community's owners") {
		t.Fatalf("bob's /sethelp: %+v", r.Original)
	}
	aw.waitCount(t, 1, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'sethelp'`)
	if r := aw.slash(t, aw.shop, aw.general, aw.owner, "sethelp"); r.Original == nil || !strings.Contains(r.Original.Content, "help place now") {
		t.Fatalf("the owner's /sethelp: %+v", r.Original)
	}
	asked := aw.dc.MessageCreate(aw.general, aw.alice, "how long will my delivery take?")
	aw.dc.Dispatch(t, "MESSAGE_CREATE", asked)
	answer := waitChannelMessage(t, aw.dc, aw.general, "delivery takes 1-3 days")
	if answer.MessageReference == nil || answer.MessageReference.MessageID != asked.ID {
		t.Errorf("the answer replies to %+v, want alice's message", answer.MessageReference)
	}
	if ids := customIDs(answer); len(ids) != 2 || ids[0] != "ask:ok:1" {
		t.Errorf("buttons %v", ids)
	}
	i := aw.dc.SlashCommand(aw.shop, aw.general, aw.owner, "sethelp", discordtest.Arg("action", "off"))
	aw.dc.Dispatch(t, "INTERACTION_CREATE", i)
	if r := aw.dc.WaitInteractionReply(t, i.ID, 10*time.Second); r.Original == nil || !strings.Contains(r.Original.Content, "no longer a help place") {
		t.Fatalf("/sethelp off: %+v", r.Original)
	}
	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(aw.general, aw.alice, "how long does delivery take now?"))
	storagetest.WaitInboxSettled(t, aw.store.DB())
	aw.waitCount(t, 1, `SELECT count(*) FROM kb_questions`)
}
