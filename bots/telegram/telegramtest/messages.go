package telegramtest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// unknownContent marks a message the fake never saw, so no edit of it
// counts as "not modified".
const unknownContent = "\x00unknown"

// message is what the fake remembers of a message in a chat.
type message struct {
	msg     models.Message // as last answered
	source  string         // parse mode and text as sent, to spot edits that change nothing
	markup  string         // reply_markup as sent, compacted
	upload  []byte         // the file uploaded with it, if any
	byBot   bool
	service bool // a service message, such as forum_topic_created
	deleted bool
}

// Messages returns the bot's messages still in the chat, as last sent or
// edited, oldest first; in a forum they include the service messages of
// the topics it created, renamed, closed and reopened (TopicMessages
// reads one topic).
func (s *Server) Messages(chatID int64) []models.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []models.Message
	for _, m := range s.chat(chatID).messages {
		if m.byBot && !m.deleted {
			out = append(out, m.msg)
		}
	}
	slices.SortFunc(out, func(a, b models.Message) int { return a.ID - b.ID })
	return out
}

// addMessage gives a new message the chat's next id; the caller holds s.mu.
func (s *Server) addMessage(cs *chatState, c Call) *message {
	cs.lastMessage++
	bot := s.bot // each message its own copy, so no caller can change the bot
	m := &message{byBot: true, msg: models.Message{
		ID: cs.lastMessage, From: &bot, Date: int(s.now().Unix()), Chat: cs.brief(),
	}}
	// postTarget has checked the topic; outside forums Telegram ignores it.
	if thread, _ := intParam(c, "message_thread_id"); thread > 0 && cs.isForum() {
		m.msg.MessageThreadID, m.msg.IsTopicMessage = int(thread), true
		m.msg.ReplyToMessage = s.topicRoot(cs, int(thread))
	}
	cs.messages[m.msg.ID] = m
	return m
}

// seeMessage remembers a message from an update, so ids stay unique per
// chat and edits of members' messages fail as on Telegram; the caller
// holds s.mu.
func (s *Server) seeMessage(msg *models.Message) {
	cs := s.chat(msg.Chat.ID)
	cs.lastMessage = max(cs.lastMessage, msg.ID)
	if _, ok := cs.messages[msg.ID]; !ok {
		byBot := msg.From != nil && msg.From.ID == s.bot.ID
		cs.messages[msg.ID] = &message{msg: *msg, byBot: byBot, source: unknownContent, markup: unknownContent}
		s.seeTopic(cs, msg)
	}
}

func (s *Server) sendMessage(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.postTarget(c)
	if r != nil {
		return *r
	}
	text, r := checkText(c, "text", maxTextLen)
	if r != nil {
		return *r
	}
	keyboard, markup, r := CheckMarkup(c.Params["reply_markup"])
	if r != nil {
		return *r
	}
	m := s.addMessage(cs, c)
	m.msg.Text, m.msg.Entities, m.msg.ReplyMarkup = text.text, text.entities, keyboard
	m.source, m.markup = text.source, markup
	return ok(m.msg)
}

// sendPhoto accepts the photo as an uploaded file part or as a file_id or
// URL string; Call.Files or Call.Params hold it.
func (s *Server) sendPhoto(_ context.Context, c Call) reply {
	return s.sendFile(c, "photo", func(m *message, f sentFile) {
		m.msg.Photo = []models.PhotoSize{{FileID: f.id, FileUniqueID: f.uniqueID,
			Width: 1280, Height: 960, FileSize: int(f.size)}}
	})
}

// sentFile is the file of a sendPhoto or sendDocument call.
type sentFile struct {
	id, uniqueID string
	name         string // of an uploaded file
	data         []byte // uploaded; nil for a file_id or URL, or an upload over KeptUpload
	size         int64  // of an uploaded file
	uploaded     bool
}

// sendFile posts a message carrying the file in field (an uploaded part,
// a file_id or a URL), a caption and a keyboard; attach puts the file on
// the message as its kind of media.
func (s *Server) sendFile(c Call, field string, attach func(*message, sentFile)) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.postTarget(c)
	if r != nil {
		return *r
	}
	up, uploaded := c.Uploads[field]
	f := sentFile{id: c.Params[field], name: c.FileNames[field], data: c.Files[field], size: up.Size, uploaded: uploaded}
	if f.id == "" && !uploaded {
		return badRequest("there is no %s in the request", field)
	}
	caption, r := checkText(c, "caption", maxCaptionLen)
	if r != nil {
		return *r
	}
	keyboard, markup, r := CheckMarkup(c.Params["reply_markup"])
	if r != nil {
		return *r
	}
	n := s.nextCounter()
	if f.uploaded || !isFileID(f.id) {
		f.id = fmt.Sprintf("fake-%s-%d", field, n)
	}
	f.uniqueID = "fake-unique-" + strconv.FormatInt(n, 10)
	m := s.addMessage(cs, c)
	m.msg.Caption, m.msg.CaptionEntities, m.msg.ReplyMarkup = caption.text, caption.entities, keyboard
	m.source, m.markup = caption.source, markup
	attach(m, f)
	return ok(m.msg)
}

// isFileID tells a file_id from a URL Telegram would fetch.
func isFileID(photo string) bool {
	lower := strings.ToLower(photo)
	return photo != "" && !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://")
}

func (s *Server) editMessageText(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, r := s.editTarget(c)
	if r != nil {
		return *r
	}
	text, r := checkText(c, "text", maxTextLen)
	if r != nil {
		return *r
	}
	// Without reply_markup Telegram removes the keyboard, so markup is "".
	keyboard, markup, r := CheckMarkup(c.Params["reply_markup"])
	if r != nil {
		return *r
	}
	if m == nil {
		return ok(true) // an inline message: Telegram answers true
	}
	if text.source == m.source && markup == m.markup {
		return badRequest(notModified)
	}
	m.msg.Text, m.msg.Entities, m.msg.ReplyMarkup = text.text, text.entities, keyboard
	m.msg.EditDate, m.source, m.markup = int(s.now().Unix()), text.source, markup
	return ok(m.msg)
}

func (s *Server) editMessageReplyMarkup(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, r := s.editTarget(c)
	if r != nil {
		return *r
	}
	keyboard, markup, r := CheckMarkup(c.Params["reply_markup"])
	if r != nil {
		return *r
	}
	if m == nil {
		return ok(true)
	}
	if markup == m.markup {
		return badRequest(notModified)
	}
	m.msg.ReplyMarkup, m.msg.EditDate, m.markup = keyboard, int(s.now().Unix()), markup
	return ok(m.msg)
}

// editTarget finds the message an edit names; nil without error means an
// inline message. Messages the fake never saw are taken on trust. The
// caller holds s.mu.
func (s *Server) editTarget(c Call) (*message, *reply) {
	if c.Params["inline_message_id"] != "" {
		return nil, nil
	}
	cs, r := s.targetChat(c)
	if r != nil {
		return nil, r
	}
	id, err := intParam(c, "message_id")
	if err != nil || id <= 0 {
		r := badRequest("message identifier is not specified")
		return nil, &r
	}
	m, ok := cs.messages[int(id)]
	switch {
	case !ok:
		m = &message{byBot: true, source: unknownContent, markup: unknownContent,
			msg: models.Message{ID: int(id), From: &s.bot, Date: int(s.now().Unix()), Chat: cs.brief()}}
		cs.messages[int(id)] = m
	case m.deleted:
		r := badRequest("message to edit not found")
		return nil, &r
	case !m.byBot, m.service:
		r := badRequest("message can't be edited")
		return nil, &r
	}
	return m, nil
}

func (s *Server) deleteMessage(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.chatParam(c)
	if r != nil {
		return *r
	}
	id, err := intParam(c, "message_id")
	if err != nil || id <= 0 {
		return badRequest("message identifier is not specified")
	}
	m, found := cs.messages[int(id)]
	switch {
	case found && m.deleted:
		return badRequest("message to delete not found")
	case found && s.tooOldToDelete(m):
		return badRequest(cannotDelete)
	}
	s.markDeleted(cs, int(id))
	return ok(true)
}

// deleteWithin is how old a message may be for a bot to delete it:
// "a message can only be deleted if it was sent less than 48 hours ago".
const deleteWithin = 48 * time.Hour

// cannotDelete is Telegram's answer to deleting a message too old.
const cannotDelete = "message can't be deleted"

// tooOldToDelete tells whether m was sent deleteWithin ago or more, by
// the date the fake gave it (or the update that brought it carried); the
// caller holds s.mu.
func (s *Server) tooOldToDelete(m *message) bool {
	return m.msg.Date != 0 && !s.now().Before(time.Unix(int64(m.msg.Date), 0).Add(deleteWithin))
}

// deleteMessages skips messages already gone, as Telegram does, and
// deletes none when one of them is too old to delete.
func (s *Server) deleteMessages(_ context.Context, c Call) reply {
	var ids []int
	if err := c.JSON("message_ids", &ids); err != nil {
		return badRequest("can't parse message_ids JSON array")
	}
	if len(ids) == 0 || len(ids) > 100 {
		return badRequest("message_ids must contain 1-100 identifiers")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.chatParam(c)
	if r != nil {
		return *r
	}
	for _, id := range ids {
		if m, found := cs.messages[id]; found && !m.deleted && s.tooOldToDelete(m) {
			return badRequest(cannotDelete)
		}
	}
	for _, id := range ids {
		s.markDeleted(cs, id)
	}
	return ok(true)
}

// markDeleted deletes a message, remembering it so a second delete or an
// edit fails; the caller holds s.mu.
func (s *Server) markDeleted(cs *chatState, id int) {
	m, ok := cs.messages[id]
	if !ok {
		m = &message{msg: models.Message{ID: id, Chat: cs.brief()}}
		cs.messages[id] = m
	}
	m.deleted = true
}

// maxCallbackAnswer is Telegram's limit on answerCallbackQuery's text.
const maxCallbackAnswer = 200

func (s *Server) answerCallbackQuery(_ context.Context, c Call) reply {
	if utf16Len(c.Params["text"]) > maxCallbackAnswer {
		return badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.Params["callback_query_id"]
	if !s.callbacks[id] {
		return badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	delete(s.callbacks, id)
	return ok(true)
}

// chatActions are the actions sendChatAction accepts.
var chatActions = []models.ChatAction{
	models.ChatActionTyping, models.ChatActionUploadPhoto, models.ChatActionRecordVideo,
	models.ChatActionUploadVideo, models.ChatActionRecordVoice, models.ChatActionUploadVoice,
	models.ChatActionUploadDocument, models.ChatActionChooseSticker, models.ChatActionFindLocation,
	models.ChatActionRecordVideoNote, models.ChatActionUploadVideoNote,
}

func (s *Server) sendChatAction(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, r := s.postTarget(c); r != nil {
		return *r
	}
	if !slices.Contains(chatActions, models.ChatAction(c.Params["action"])) {
		return badRequest("wrong parameter action in request")
	}
	return ok(true)
}
