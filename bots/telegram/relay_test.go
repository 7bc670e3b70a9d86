package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/hearthbot/hearth/support"
)

// botMessage waits for Hearth's latest message in chat holding part.
func botMessage(t *testing.T, w *npsWorld, chat int64, part string) models.Message {
	t.Helper()
	w.sentMatching(t, fmt.Sprint(chat), part)
	msgs := w.tg.Messages(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].Text, part) {
			return msgs[i]
		}
	}
	t.Fatalf("no message of Hearth's in %d holds %q", chat, part)
	return models.Message{}
}

// replyTo pushes u's message in chat replying to Hearth's message m.
func replyTo(t *testing.T, w *npsWorld, chat models.Chat, u models.User, m models.Message, text string) {
	t.Helper()
	up := w.tg.MessageUpdate(chat, u, text)
	up.Message.ReplyToMessage = &m
	w.push(t, up)
}

// TestTicketRelayOnTelegram: Alice, a VIP, asks privately; the knowledge
// base has no answer, so her ticket (high) reaches the staff supergroup;
// Olga answers by replying to the card and Alice gets it privately; a
// reply starting with "!" stays a note; Alice's answer comes back to the
// staff supergroup, and Olga's reply to it reaches Alice again; once Alice
// blocks the bot, staff are told a reply did not reach her.
func TestTicketRelayOnTelegram(t *testing.T) {
	t.Parallel()
	w := startNPS(t)
	w.sayHandled(t, telegramtest.Private(alice), alice, "/start")
	w.writeTier(t, alice, community.TierVIP)
	w.sayHandled(t, telegramtest.Private(alice), alice, "my grinder arrived broken")
	w.sentMatching(t, "100", "within about 1 hour")
	card := botMessage(t, w, teaStaff.ID, "Question #1 from Alice")
	if !strings.Contains(card.Text, "high") || !strings.Contains(card.Text, "Reply to this message to answer") {
		t.Errorf("card %q", card.Text)
	}

	replyTo(t, w, teaStaff, owner, card, "Sorry Alice! A new one ships today.")
	if got := w.sentMatching(t, "100", "A new one ships today."); !strings.Contains(got.Params["text"], "Olga") {
		t.Errorf("relayed %q, want it signed by Olga", got.Params["text"])
	}
	replyTo(t, w, teaStaff, owner, card, "!courier lost the first one")
	w.waitCount(t, `SELECT count(*) FROM ticket_messages WHERE direction = 'note' AND text = 'courier lost the first one'`, 1)
	for _, c := range w.tg.Calls("sendMessage") {
		if c.Params["chat_id"] == "100" && strings.Contains(c.Params["text"], "courier") {
			t.Errorf("a note reached Alice: %q", c.Params["text"])
		}
	}

	w.push(t, w.tg.MessageUpdate(telegramtest.Private(alice), alice, "thank you, which courier?"))
	back := botMessage(t, w, teaStaff.ID, "thank you, which courier?")
	replyTo(t, w, teaStaff, owner, back, "ACS, tracking by e-mail.")
	w.sentMatching(t, "100", "ACS, tracking by e-mail.")

	// Alice blocks the bot: the next reply does not reach her, and the
	// staff supergroup is told so, once.
	w.tg.SetBlocked(alice.ID, true)
	replyTo(t, w, teaStaff, owner, back, "Did it arrive?")
	w.sentMatching(t, "-1002", "did not reach Alice")
	w.tg.SetBlocked(alice.ID, false)

	// A member in the staff supergroup who is not staff is not relayed.
	replyTo(t, w, teaStaff, bob, back, "I am not staff")
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'relay.refused'`, 1)
	told := 0
	for _, c := range w.tg.Calls("sendMessage") {
		if c.Params["chat_id"] == "-1002" && strings.Contains(c.Params["text"], "did not reach Alice") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("staff were told %d times that a reply did not reach Alice, want once", told)
	}
	botstest.WantTicketMessages(t, w.store.DB(), "out:Sorry Alice! A new one ships today.", "note:courier lost the first one", "in:thank you, which courier?", "out:ACS, tracking by e-mail.",
		"out:Did it arrive?")
}

// TestTicketTopicsOnTelegram: in a staff supergroup with topics on, a
// ticket opens a forum topic named with its number, member and urgency;
// the card and alice's later messages go there; what staff write in the
// topic reaches alice (no reply needed), "!" notes excepted; closing the
// ticket closes the topic and /reopen reopens it.
func TestTicketTopicsOnTelegram(t *testing.T) {
	t.Parallel()
	w := startNPS(t)
	forum := w.tg.AddForum(teaStaff.ID, teaStaff.Title)
	w.sayHandled(t, telegramtest.Private(alice), alice, "/start")
	w.writeTier(t, alice, community.TierVIP)
	w.sayHandled(t, telegramtest.Private(alice), alice, "my grinder arrived broken")
	w.sentMatching(t, "100", "within about 1 hour")
	w.sentMatching(t, "-1002", "Question #1 from Alice")
	topics := w.tg.Topics(forum.ID)
	if len(topics) != 1 || topics[0].Name != "#1 Alice · VIP" {
		t.Fatalf("topics %+v", topics)
	}
	topic := topics[0].ID
	inTopic := func(part string) bool {
		return slices.ContainsFunc(w.tg.TopicMessages(forum.ID, topic), func(m models.Message) bool { return strings.Contains(m.Text, part) })
	}
	if !inTopic("Question #1 from Alice") {
		t.Fatalf("the card is not in the topic: %+v", w.tg.TopicMessages(forum.ID, topic))
	}

	w.push(t, w.tg.TopicMessageUpdate(forum, owner, topic, "Sorry Alice! A new one ships today."))
	w.sentMatching(t, "100", "A new one ships today.")
	w.push(t, w.tg.TopicMessageUpdate(forum, owner, topic, "!courier lost the first one"))
	// A photo staff post in the topic reaches alice as a photo with its
	// caption; the document she sends back reaches the topic as one.
	receipt := jpegBytes(t, 90)
	w.tg.AddFile("receipt", receipt)
	photo := w.tg.MediaUpdate(forum, owner, telegramtest.Media{Kind: "photo", FileID: "receipt", Caption: "the receipt"})
	photo.Message.MessageThreadID, photo.Message.IsTopicMessage = topic, true
	w.push(t, photo)
	sentPhoto := w.tg.WaitCalls(t, "sendPhoto", 1, 10*time.Second)[0]
	if sentPhoto.Params["chat_id"] != "100" || !strings.Contains(sentPhoto.Params["caption"], "the receipt") || !bytes.Equal(sentPhoto.Files["photo"], receipt) {
		t.Errorf("the photo reached alice as %v", sentPhoto)
	}
	w.tg.AddFileSource(telegramtest.File{ID: "invoice", Size: 9, Name: "invoice.pdf", Open: func() io.Reader { return strings.NewReader("%PDF-1.4\n") }})
	w.push(t, w.tg.MediaUpdate(telegramtest.Private(alice), alice, telegramtest.Media{Kind: "document", FileID: "invoice", Caption: "thank you!"}))
	w.tg.WaitCalls(t, "sendDocument", 1, 10*time.Second)
	docs := w.tg.Documents(forum.ID)
	if len(docs) != 1 || docs[0].Name != "invoice.pdf" || docs[0].Message.MessageThreadID != topic || !strings.Contains(docs[0].Message.Caption, "thank you!") {
		t.Errorf("alice's document is not in the topic with her words: %+v", docs)
	}
	w.sayHandled(t, forum, owner, "/close 1")
	if tp, _ := w.tg.Topic(forum.ID, topic); !tp.Closed {
		t.Error("closing the ticket left its topic open")
	}
	w.sayHandled(t, forum, owner, "/reopen 1")
	w.waitCount(t, `SELECT count(*) FROM outbox_events WHERE kind = 'support.ticket_reopened' AND status = 'rendered'`, 1)
	if tp, _ := w.tg.Topic(forum.ID, topic); tp.Closed {
		t.Error("reopening the ticket left its topic closed")
	}
	botstest.WantTicketMessages(t, w.store.DB(), "out:Sorry Alice! A new one ships today.", "note:courier lost the first one", "out:the receipt", "in:thank you!")
	if n := len(w.tg.Topics(forum.ID)); n != 1 {
		t.Errorf("%d topics, want the ticket's one", n)
	}
}

// TestKnowledgeBaseOnTelegram: Alice's private question, phrased unlike
// the entry and in Greek without accents, is answered at once by the
// knowledge base with That solved it and Talk to a person; her press is
// recorded; a question it cannot answer opens a ticket.
func TestKnowledgeBaseOnTelegram(t *testing.T) {
	t.Parallel()
	w := startNPS(t)
	kb := support.NewKnowledgeBase(w.store, support.DefaultAnswerRules(), support.NewDesk(w.store, time.Now), time.Now)
	if _, _, err := kb.Save(context.Background(), support.Entry{Lang: "el", Question: "Πόσο κοστίζουν τα μεταφορικά;",
		Answer: "Τα μεταφορικά είναι *δωρεάν* για παραγγελίες άνω των 40 €.", Tags: []string{"αποστολή", "κόστος αποστολής"}}, 0); err != nil {
		t.Fatal(err)
	}
	w.sayHandled(t, telegramtest.Private(alice), alice, "/start")
	w.sayHandled(t, telegramtest.Private(alice), alice, "/language el")
	w.push(t, w.tg.MessageUpdate(telegramtest.Private(alice), alice, "ποσο κοστιζει η αποστολη;"))
	answer := w.sentMatching(t, "100", "δωρεάν")
	if !strings.Contains(answer.Params["text"], "<b>Πόσο κοστίζουν τα μεταφορικά;</b>") {
		t.Errorf("answer %q", answer.Params["text"])
	}
	data := callbackData(buttons(t, answer))
	if len(data) != 2 || !strings.HasPrefix(data[0], "ask:ok:") || !strings.HasPrefix(data[1], "ask:person:") {
		t.Fatalf("buttons %v", data)
	}
	msg := botMessage(t, w, alice.ID, "δωρεάν")
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, msg.ID, data[0]))
	w.waitCount(t, `SELECT count(*) FROM kb_questions WHERE outcome = 'solved'`, 1)

	w.push(t, w.tg.MessageUpdate(telegramtest.Private(alice), alice, "πουλάτε τσάι;"))
	w.sentMatching(t, "-1002", "Question #1 from Alice")
	w.waitCount(t, `SELECT count(*) FROM kb_questions WHERE outcome = 'escalated' AND ticket_id = 1`, 1)
}

// TestTicketTopicSurvivesARestart: staff write in a ticket's topic and
// the member writes back while Hearth is down; once it is up again each
// message is relayed once, and nothing relayed before goes again.
func TestTicketTopicSurvivesARestart(t *testing.T) {
	t.Parallel()
	w := startNPS(t)
	forum := w.tg.AddForum(teaStaff.ID, teaStaff.Title)
	w.sayHandled(t, telegramtest.Private(alice), alice, "/start")
	w.sayHandled(t, telegramtest.Private(alice), alice, "my grinder arrived broken")
	w.sentMatching(t, "-1002", "Question #1 from Alice")
	topic := w.tg.Topics(forum.ID)[0].ID
	w.push(t, w.tg.TopicMessageUpdate(forum, owner, topic, "before the restart"))
	w.sentMatching(t, "100", "before the restart")
	w.stop()

	w.tg.PushUpdate(w.tg.TopicMessageUpdate(forum, owner, topic, "while Hearth was down"))
	w.tg.PushUpdate(w.tg.MessageUpdate(telegramtest.Private(alice), alice, "the box is dented too"))
	again := &npsWorld{}
	again.hearth = startCustom(t, custom{setup: setup{store: w.store, tg: w.tg}, service: func(so *bots.ServiceOptions) {
		so.Community = bots.DefaultCommunityOptions()
		so.Community.Location = time.UTC
	}})
	again.sentMatching(t, "100", "while Hearth was down")
	again.sentMatching(t, "-1002", "the box is dented too")
	storagetest.WaitInboxSettled(t, again.store.DB())
	storagetest.WaitOutboxIdle(t, again.store.DB())
	count := func(chat, part string) int {
		n := 0
		for _, c := range again.tg.Calls("sendMessage") {
			if c.Params["chat_id"] == chat && strings.Contains(c.Params["text"], part) {
				n++
			}
		}
		return n
	}
	for _, c := range []struct{ chat, part string }{{"100", "before the restart"}, {"100", "while Hearth was down"}, {"-1002", "the box is dented too"}} {
		if n := count(c.chat, c.part); n != 1 {
			t.Errorf("%q reached %s %d times, want once", c.part, c.chat, n)
		}
	}
	if !slices.ContainsFunc(again.tg.TopicMessages(forum.ID, topic), func(m models.Message) bool { return strings.Contains(m.Text, "the box is dented too") }) {
		t.Error("alice's message is not in the topic")
	}
}
