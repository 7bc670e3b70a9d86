package telegram_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// TestAskContinuesPrivatelyOnTelegram: Alice never started Hearth, so her
// /ask in the group gets a Continue privately button (a deep link to the
// question) and no answer there; pressing Start shows her the answer
// privately, with buttons that work. Bob's Start with her link is
// refused, audited; a link Hearth never wrote is refused too.
func TestAskContinuesPrivatelyOnTelegram(t *testing.T) {
	t.Parallel()
	w := startNPS(t)
	botstest.SaveEntry(t, w.store, botstest.DeliveryEntry)
	w.push(t, w.tg.MessageUpdate(group, alice, "/ask how long will my delivery take?"))
	pointer := w.sentMatching(t, "-1001", "I will answer you in a private chat")
	if strings.Contains(pointer.Params["text"], "same business day") {
		t.Errorf("the group was shown the answer: %q", pointer.Params["text"])
	}
	links := callbackData(buttons(t, pointer))
	if len(links) != 1 || links[0] != "https://t.me/hearth_test_bot?start=ask-1" {
		t.Fatalf("buttons %v, want the deep link to question 1", links)
	}
	if n := w.sentCount("-1001", "same business day"); n != 0 {
		t.Errorf("the answer reached the group %d times", n)
	}

	w.push(t, w.tg.MessageUpdate(telegramtest.Private(alice), alice, "/start ask-1"))
	answer := w.sentMatching(t, "100", "same business day")
	data := callbackData(buttons(t, answer))
	if len(data) != 2 || data[0] != "ask:ok:1" || data[1] != "ask:person:1" {
		t.Fatalf("buttons %v", data)
	}
	msg := botMessage(t, w, alice.ID, "same business day")
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, msg.ID, data[0]))
	w.waitCount(t, `SELECT count(*) FROM kb_questions WHERE id = 1 AND outcome = 'solved'`, 1)

	w.push(t, w.tg.MessageUpdate(telegramtest.Private(bob), bob, "/start ask-1"))
	w.sentMatching(t, "200", "another member's question")
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'kb.question_refused' AND details->>'question' = '1'`, 1)
	w.push(t, w.tg.MessageUpdate(telegramtest.Private(bob), bob, "/start ask-12x"))
	w.sentMatching(t, "200", "does not lead to a question I know")
	if n := w.sentCount("200", "same business day"); n != 0 {
		t.Errorf("bob saw alice's answer")
	}
}

// TestHelpTopicOnTelegram: the owner marks one forum topic with /sethelp
// (Bob's try is refused and audited); Alice's plain message there is
// answered in the topic, as a reply, while the same in another topic is
// not; /sethelp off stops it.
func TestHelpTopicOnTelegram(t *testing.T) {
	t.Parallel()
	w := startNPS(t)
	botstest.SaveEntry(t, w.store, botstest.DeliveryEntry)
	forum := w.tg.AddForum(group.ID, group.Title)
	const help, chat = 7, 9
	w.push(t, w.tg.TopicMessageUpdate(forum, bob, help, "/sethelp"))
	w.sentMatching(t, "-1001", "/sethelp is for the community's owners")
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'sethelp'`, 1)
	w.push(t, w.tg.TopicMessageUpdate(forum, owner, help, "/sethelp"))
	w.sentMatching(t, "-1001", "This is a help place now")
	w.waitCount(t, `SELECT count(*) FROM help_places WHERE chat_id = '-1001' AND thread_id = '7'`, 1)

	w.push(t, w.tg.TopicMessageUpdate(forum, alice, chat, "how long does delivery take? just chatting"))
	asked := w.tg.TopicMessageUpdate(forum, alice, help, "how long will my delivery take?")
	w.push(t, asked)
	answer := w.sentMatching(t, "-1001", "same business day")
	if answer.Params["message_thread_id"] != "7" || !strings.Contains(answer.Params["reply_parameters"], `"message_id":`) {
		t.Errorf("answer sent as %v, want a reply in topic 7", answer.Params)
	}
	if data := callbackData(buttons(t, answer)); len(data) != 2 || !strings.HasPrefix(data[0], "ask:ok:") {
		t.Errorf("buttons %v", data)
	}
	w.waitCount(t, `SELECT count(*) FROM kb_questions`, 1)

	w.push(t, w.tg.TopicMessageUpdate(forum, owner, help, "/sethelp off"))
	w.sentMatching(t, "-1001", "no longer a help place")
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'help.unmarked'`, 1)
	w.sayHandled(t, forum, alice, "how long does delivery take now?")
	if n := w.sentCount("-1001", "same business day"); n != 1 {
		t.Errorf("answers in the group: %d, want the one while it was a help place", n)
	}
	w.waitCount(t, `SELECT count(*) FROM kb_questions`, 1)
}
