package telegram_test

import (
	"strconv"
	"testing"

	"github.com/go-telegram/bot/models"
)

// activities counts the activities of the Telegram user by kind.
func (m *modTG) activities(userID, kind string) int {
	m.t.Helper()
	return m.count(m.t, `SELECT count(*) FROM activities a JOIN identities i ON i.member_id = a.member_id
		WHERE i.platform = 'telegram' AND i.platform_user_id = $1 AND a.kind = $2`, userID, kind)
}

// TestHelpfulAnswerByTheAskerOrStaff: an answer is marked helpful by the
// member who asked or by staff, once, never by its author or a bystander;
// the author's engagement gets a helpful answer and the group hears the
// thanks.
func TestHelpfulAnswerByTheAskerOrStaff(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	question := m.post(group, alice, "How hot should the water be for green tea?")
	answer := m.answer(question, bob, "About 80 °C, never boiling.")

	m.answer(answer, modDave, "/helpful")
	m.botSaid(group, "Only the member who asked")
	m.answer(answer, bob, "/helpful")
	m.botSaid(group, "your own answer")
	if n := m.activities("200", "helpful_answer"); n != 0 {
		t.Fatalf("helpful answers after refusals: %d", n)
	}

	m.answer(answer, alice, "/helpful")
	m.botSaid(group, "Alice marked Bob's answer as helpful")
	m.answer(answer, owner, "/helpful")
	m.botSaid(group, "already marked")
	if n := m.activities("200", "helpful_answer"); n != 1 {
		t.Fatalf("helpful answers for bob: %d, want 1", n)
	}

	// Staff may mark any answer; telling Hearth which takes a reply.
	second := m.answer(question, modVera, "And 2 minutes at most.")
	m.answer(second, owner, "/helpful")
	m.botSaid(group, "Olga marked Vera's answer as helpful")
	m.post(group, alice, "/helpful")
	m.botSaid(group, "Reply to the answer that helped you")
}

// TestForumTopicsCountAndAnswerTheirStarter: starting a forum topic is
// engagement; an answer posted in the topic, replying to nothing, answers
// the topic's starter, who may mark it helpful. Service messages (a
// member joining) are nobody's words and count for nothing.
func TestForumTopicsCountAndAnswerTheirStarter(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	created := m.tg.MessageUpdate(group, alice, "")
	created.Message.ForumTopicCreated = &models.ForumTopicCreated{Name: "Oolong questions", IconColor: 7322096}
	created.Message.IsTopicMessage, created.Message.MessageThreadID = true, created.Message.ID
	topic := m.push(created)
	if n := m.activities("100", "thread_started"); n != 1 {
		t.Fatalf("topics started by alice: %d, want 1", n)
	}
	if n := m.activities("100", "message"); n != 0 {
		t.Fatalf("the topic's service message counted as %d messages", n)
	}

	// Telegram sends a message posted in a topic as a reply to the topic's
	// creation message: Hearth reads it as a message in the topic.
	in := m.tg.MessageUpdate(group, bob, "Rinse it once, then steep three times.")
	in.Message.IsTopicMessage, in.Message.MessageThreadID, in.Message.ReplyToMessage = true, topic.ID, topic
	answer := m.push(in)
	if n := m.activities("200", "message"); n != 1 {
		t.Fatalf("bob's messages: %d, want 1", n)
	}
	m.answer(answer, alice, "/helpful")
	m.botSaid(group, "Alice marked Bob's answer as helpful")

	joined := m.tg.MessageUpdate(group, modDave, "")
	joined.Message.NewChatMembers = []models.User{modDave}
	m.push(joined)
	if n := m.count(t, `SELECT count(*) FROM activities WHERE kind IN ('message', 'reply') AND message_id = $1`, strconv.Itoa(joined.Message.ID)); n != 0 {
		t.Fatalf("the join notice counted as %d messages", n)
	}
}
