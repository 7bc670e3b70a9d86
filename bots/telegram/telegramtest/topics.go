package telegramtest

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/go-telegram/bot/models"
)

// Forum topics, as tdlib/telegram-bot-api and TDLib's ForumTopicManager
// answer them. A topic's message_thread_id is the id of the
// forum_topic_created service message that opened it; messages in the
// topic carry it with is_topic_message and, as their reply_to_message,
// that service message.

// maxTopicName is TDLib's MAX_FORUM_TOPIC_TITLE_LENGTH: a longer name is
// cut to it, not refused.
const maxTopicName = 128

// generalTopic is the id of a forum's "General" topic, which the Bot API
// addresses without message_thread_id.
const generalTopic = 1

// TopicColors are the icon colors Telegram offers for topics, in RGB;
// createForumTopic gives the first when the bot names none.
var TopicColors = []int{7322096, 16766590, 13338331, 9367192, 16749490, 16478047}

// Telegram's answers about topics.
const (
	notForum         = "the chat is not a forum"
	threadNotFound   = "message thread not found"
	topicClosed      = "TOPIC_CLOSED"
	topicNotModified = "TOPIC_NOT_MODIFIED"
	topicIDInvalid   = "TOPIC_ID_INVALID"
	badThreadID      = "invalid message thread identifier specified"
)

// Topic is a forum topic as the fake knows it: created by the bot, or
// seen in an update (a forum_topic_created message, or any message in a
// topic the fake did not know).
type Topic struct {
	ID                int // message_thread_id
	Name              string
	IconColor         int
	IconCustomEmojiID string
	Closed            bool
	Deleted           bool
	CreatorID         int64 // who opened it; 0 if the fake only saw messages in it
}

// AddForum declares a forum supergroup (is_forum) with the given id,
// which must be a supergroup's (-100...), and returns it as messages
// carry it. The bot's rights there are what SetChatMember declares for
// it; undeclared, the fake lets it manage topics.
func (s *Server) AddForum(id int64, title string) models.Chat {
	chat := models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: title, IsForum: true}
	s.SetChat(models.ChatFullInfo{ID: id, Type: chat.Type, Title: title, IsForum: true})
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(id)
	cs.lastMessage = max(cs.lastMessage, generalTopic) // message 1 opened the chat and its General topic
	return chat
}

// TopicManager makes u an administrator who may manage topics (and
// moderate, as Admin does): what the bot needs in a staff forum.
func TopicManager(u models.User) models.ChatMember {
	m := Admin(u)
	m.Administrator.CanManageTopics = true
	return m
}

// Topics returns the topics of a chat the fake knows, deleted ones
// included, by id.
func (s *Server) Topics(chatID int64) []Topic {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Topic
	for _, t := range s.chat(chatID).topics {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Topic) int { return a.ID - b.ID })
	return out
}

// Topic returns one topic of a chat, if the fake knows it.
func (s *Server) Topic(chatID int64, threadID int) (Topic, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.chat(chatID).topics[threadID]
	if !ok {
		return Topic{}, false
	}
	return *t, true
}

// TopicMessages returns the messages in a topic that are still there,
// oldest first: the forum_topic_created service message, the bot's
// messages and service messages, and members' messages from updates.
func (s *Server) TopicMessages(chatID int64, threadID int) []models.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []models.Message
	for _, m := range s.chat(chatID).messages {
		if !m.deleted && m.msg.MessageThreadID == threadID && m.msg.IsTopicMessage {
			out = append(out, m.msg)
		}
	}
	slices.SortFunc(out, func(a, b models.Message) int { return a.ID - b.ID })
	return out
}

// TopicMessageUpdate makes an update for a text message from `from` in
// topic threadID of a forum, as Telegram delivers it: with
// message_thread_id, is_topic_message and the topic's creation message as
// reply_to_message. Like MessageUpdate it takes the chat's next id and
// leaves update_id 0.
func (s *Server) TopicMessageUpdate(chat models.Chat, from models.User, threadID int, text string) models.Update {
	u := s.MessageUpdate(chat, from, text)
	s.mu.Lock()
	defer s.mu.Unlock()
	u.Message.MessageThreadID, u.Message.IsTopicMessage = threadID, true
	u.Message.ReplyToMessage = s.topicRoot(s.chat(chat.ID), threadID)
	return u
}

// TopicClosedUpdate makes the update for `by` (a member of staff, in the
// app) closing topic threadID: a forum_topic_closed service message in
// the topic. Pushing it closes the topic in the fake.
func (s *Server) TopicClosedUpdate(chat models.Chat, by models.User, threadID int) models.Update {
	u := s.TopicMessageUpdate(chat, by, threadID, "")
	u.Message.ForumTopicClosed = &models.ForumTopicClosed{}
	return u
}

// TopicReopenedUpdate is TopicClosedUpdate's opposite: a
// forum_topic_reopened service message that reopens the topic.
func (s *Server) TopicReopenedUpdate(chat models.Chat, by models.User, threadID int) models.Update {
	u := s.TopicMessageUpdate(chat, by, threadID, "")
	u.Message.ForumTopicReopened = &models.ForumTopicReopened{}
	return u
}

// topicRoot is the forum_topic_created message of a topic as
// reply_to_message carries it (without a reply of its own); the caller
// holds s.mu.
func (s *Server) topicRoot(cs *chatState, threadID int) *models.Message {
	if m, ok := cs.messages[threadID]; ok && m.msg.ForumTopicCreated != nil {
		root := m.msg
		root.ReplyToMessage = nil
		return &root
	}
	root := models.Message{ID: threadID, Date: int(s.now().Unix()), Chat: cs.brief(),
		MessageThreadID: threadID, IsTopicMessage: true, ForumTopicCreated: &models.ForumTopicCreated{IconColor: TopicColors[0]}}
	if t, ok := cs.topics[threadID]; ok {
		root.ForumTopicCreated.Name, root.ForumTopicCreated.IconColor = t.Name, t.IconColor
		root.ForumTopicCreated.IconCustomEmojiID = t.IconCustomEmojiID
	}
	return &root
}

// seeTopic learns a topic from a message in an update: one opening it,
// one in it the fake did not know (the topic predates the test), or one
// closing, reopening or renaming it. The caller holds s.mu.
func (s *Server) seeTopic(cs *chatState, msg *models.Message) {
	thread := msg.MessageThreadID
	if !msg.IsTopicMessage || thread <= generalTopic { // General is no topic of its own
		return
	}
	t, known := cs.topics[thread]
	if !known {
		t = &Topic{ID: thread, IconColor: TopicColors[0]}
		cs.topics[thread] = t
	}
	switch {
	case msg.ForumTopicCreated != nil:
		t.Name, t.IconColor = msg.ForumTopicCreated.Name, msg.ForumTopicCreated.IconColor
		t.IconCustomEmojiID = msg.ForumTopicCreated.IconCustomEmojiID
		if msg.From != nil {
			t.CreatorID = msg.From.ID
		}
	case msg.ForumTopicClosed != nil:
		t.Closed = true
	case msg.ForumTopicReopened != nil:
		t.Closed = false
	case msg.ForumTopicEdited != nil:
		if msg.ForumTopicEdited.Name != "" {
			t.Name = msg.ForumTopicEdited.Name
		}
		t.IconCustomEmojiID = msg.ForumTopicEdited.IconCustomEmojiID
	}
}

// isForum tells whether a chat has topics: declared so, or seen with
// topics (only forums have them) when the test declared nothing.
func (cs *chatState) isForum() bool {
	return cs.info.Type == models.ChatTypeSupergroup && (cs.info.IsForum || !cs.declared && len(cs.topics) > 0)
}

// sendThread checks the message_thread_id of a call that posts to cs, as
// the Bot API's check_message_topic does: ignored outside forums (and
// private chats), refused when the topic is General, unknown or deleted,
// or closed and the bot may not manage topics. The caller holds s.mu.
func (s *Server) sendThread(cs *chatState, c Call) *reply {
	thread, err := intParam(c, "message_thread_id")
	if err != nil || thread <= 0 {
		return nil // the Bot API reads a malformed or negative id as none
	}
	if cs.info.Type == models.ChatTypePrivate {
		return fail(badRequest(threadNotFound))
	}
	if !cs.isForum() {
		return nil
	}
	t, ok := cs.topics[int(thread)]
	if thread == generalTopic || !ok || t.Deleted {
		return fail(badRequest(threadNotFound))
	}
	if t.Closed && !s.botManagesTopics(cs) {
		return fail(badRequest(topicClosed))
	}
	return nil
}

// botManagesTopics tells whether the bot holds can_manage_topics in cs
// (or owns it); undeclared, it does, as elsewhere in the fake. The caller
// holds s.mu.
func (s *Server) botManagesTopics(cs *chatState) bool {
	return s.botMay(cs, func(a *models.ChatMemberAdministrator) bool { return a.CanManageTopics }, "") == nil
}

// botCreatesTopics tells whether the bot may create a topic in cs: as a
// topic manager, or as a member whom the chat (or the bot's restriction)
// lets create topics. The caller holds s.mu.
func (s *Server) botCreatesTopics(cs *chatState) bool {
	if s.botManagesTopics(cs) {
		return true
	}
	me := cs.members[s.bot.ID]
	if me.Type == models.ChatMemberTypeRestricted {
		return me.Restricted.CanManageTopics
	}
	return cs.defaults().CanManageTopics
}

// topicName cleans a topic name as TDLib does: control characters become
// spaces, surrounding spaces go, and it is cut to maxTopicName characters.
func topicName(raw string) string {
	name := strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, raw))
	if runes := []rune(name); len(runes) > maxTopicName {
		name = strings.TrimSpace(string(runes[:maxTopicName]))
	}
	return name
}

func (s *Server) createForumTopic(_ context.Context, c Call) reply {
	color, err := intParam(c, "icon_color")
	if err != nil {
		return badRequest("%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.forumChat(c)
	if r != nil {
		return *r
	}
	if !s.botCreatesTopics(cs) {
		return badRequest("not enough rights to create a topic")
	}
	name := topicName(c.Params["name"])
	if name == "" {
		return badRequest("title must be non-empty")
	}
	switch {
	case color == 0:
		color = int64(TopicColors[0])
	case color < 0 || color > 0xFFFFFF:
		return badRequest("invalid icon color specified")
	}
	created := &models.ForumTopicCreated{Name: name, IconColor: int(color), IconCustomEmojiID: c.Params["icon_custom_emoji_id"]}
	m := s.addService(cs, 0, func(msg *models.Message) { msg.ForumTopicCreated = created })
	cs.topics[m.msg.ID] = &Topic{ID: m.msg.ID, Name: name, IconColor: int(color),
		IconCustomEmojiID: created.IconCustomEmojiID, CreatorID: s.bot.ID}
	return ok(models.ForumTopic{MessageThreadID: m.msg.ID, Name: name, IconColor: int(color),
		IconCustomEmojiID: created.IconCustomEmojiID})
}

func (s *Server) editForumTopic(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, t, r := s.topicTarget(c, "edit")
	if r != nil {
		return *r
	}
	raw, renames := c.Params["name"], c.Params["name"] != ""
	name := topicName(raw)
	if renames && name == "" {
		return badRequest("title must be non-empty")
	}
	icon, reicons := c.Params["icon_custom_emoji_id"]
	if !renames && !reicons {
		return ok(true) // nothing to change: TDLib answers at once
	}
	if (!renames || name == t.Name) && (!reicons || icon == t.IconCustomEmojiID) {
		return badRequest(topicNotModified)
	}
	edited := &models.ForumTopicEdited{}
	if renames {
		t.Name, edited.Name = name, name
	}
	if reicons {
		t.IconCustomEmojiID, edited.IconCustomEmojiID = icon, icon
	}
	s.addService(cs, t.ID, func(msg *models.Message) { msg.ForumTopicEdited = edited })
	return ok(true)
}

func (s *Server) closeForumTopic(_ context.Context, c Call) reply {
	return s.toggleTopic(c, true)
}

func (s *Server) reopenForumTopic(_ context.Context, c Call) reply {
	return s.toggleTopic(c, false)
}

// toggleTopic closes or reopens a topic, posting the service message
// that says so; doing it twice answers TOPIC_NOT_MODIFIED.
func (s *Server) toggleTopic(c Call, closed bool) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, t, r := s.topicTarget(c, "close or open")
	if r != nil {
		return *r
	}
	if t.Closed == closed {
		return badRequest(topicNotModified)
	}
	t.Closed = closed
	s.addService(cs, t.ID, func(msg *models.Message) {
		if closed {
			msg.ForumTopicClosed = &models.ForumTopicClosed{}
		} else {
			msg.ForumTopicReopened = &models.ForumTopicReopened{}
		}
	})
	return ok(true)
}

// deleteForumTopic deletes a topic with all its messages. It needs
// can_delete_messages, whoever created the topic.
func (s *Server) deleteForumTopic(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.forumChat(c)
	if r != nil {
		return *r
	}
	t, r := s.threadParam(cs, c)
	if r != nil {
		return *r
	}
	if r := s.botMay(cs, func(a *models.ChatMemberAdministrator) bool { return a.CanDeleteMessages },
		"not enough rights to delete the topic"); r != nil {
		return *r
	}
	t.Deleted = true
	for _, m := range cs.messages {
		if m.msg.IsTopicMessage && m.msg.MessageThreadID == t.ID {
			m.deleted = true
		}
	}
	return ok(true)
}

// forumChat resolves the chat_id of a topic method: a forum the bot is
// in. The caller holds s.mu.
func (s *Server) forumChat(c Call) (*chatState, *reply) {
	cs, r := s.targetChat(c)
	if r != nil {
		return nil, r
	}
	if !cs.isForum() {
		return nil, fail(badRequest(notForum))
	}
	return cs, nil
}

// threadParam resolves the message_thread_id of a topic method: a topic
// of cs not deleted. The caller holds s.mu.
func (s *Server) threadParam(cs *chatState, c Call) (*Topic, *reply) {
	thread, err := intParam(c, "message_thread_id")
	if err != nil || thread <= 0 {
		return nil, fail(badRequest(badThreadID))
	}
	t, ok := cs.topics[int(thread)]
	if !ok || t.Deleted {
		return nil, fail(badRequest(topicIDInvalid))
	}
	return t, nil
}

// topicTarget resolves the forum and topic an edit, close or reopen
// names, which the bot may change as a topic manager or as the topic's
// creator; action words the refusal. The caller holds s.mu.
func (s *Server) topicTarget(c Call, action string) (*chatState, *Topic, *reply) {
	cs, r := s.forumChat(c)
	if r != nil {
		return nil, nil, r
	}
	t, r := s.threadParam(cs, c)
	if r != nil {
		return nil, nil, r
	}
	if t.CreatorID != s.bot.ID && !s.botManagesTopics(cs) {
		return nil, nil, fail(badRequest("not enough rights to %s the topic", action))
	}
	return cs, t, nil
}

// addService posts a service message by the bot in topic thread (0: the
// topic the message opens, whose id it takes); the caller holds s.mu.
func (s *Server) addService(cs *chatState, thread int, set func(*models.Message)) *message {
	// Message 1 of a forum opened it; a topic's id is never General's.
	cs.lastMessage = max(cs.lastMessage, generalTopic) + 1
	bot := s.bot
	m := &message{byBot: true, service: true, source: unknownContent, markup: unknownContent, msg: models.Message{
		ID: cs.lastMessage, From: &bot, Date: int(s.now().Unix()), Chat: cs.brief(), IsTopicMessage: true,
	}}
	if thread == 0 {
		thread = m.msg.ID
	}
	m.msg.MessageThreadID = thread
	set(&m.msg)
	if m.msg.ForumTopicCreated == nil {
		m.msg.ReplyToMessage = s.topicRoot(cs, thread)
	}
	cs.messages[m.msg.ID] = m
	return m
}
