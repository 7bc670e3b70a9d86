package telegram

import (
	"cmp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
)

// AllowedUpdates are the update types Hearth asks Telegram for.
var AllowedUpdates = []string{
	models.AllowedUpdateMessage, models.AllowedUpdateEditedMessage, models.AllowedUpdateCallbackQuery,
	models.AllowedUpdateChatMember, models.AllowedUpdateMyChatMember, models.AllowedUpdateMessageReaction,
	models.AllowedUpdateChatJoinRequest,
}

// convert turns a Telegram update into Hearth's terms; ok is false for an
// update Hearth has no use for. botName is the bot's username, to tell its
// commands from other bots' (/help@otherbot).
func convert(u *models.Update, botName string) (bots.Update, bool) {
	out := bots.Update{Platform: community.Telegram, ID: strconv.FormatInt(u.ID, 10)}
	switch {
	case u.Message != nil && isSelf(u.Message.LeftChatMember, botName):
		// The notice of Hearth's own removal: the my_chat_member update
		// records it, and recording this message would mark the chat
		// present again.
		return out, false
	case u.Message != nil && (u.Message.MigrateToChatID != 0 || u.Message.MigrateFromChatID != 0):
		return fromMigration(out, u.Message)
	case u.Message != nil:
		out.Kind = messageKind(u.Message)
		fromMessage(&out, u.Message, botName)
		if out.Kind == bots.KindThread && out.ThreadID == "" {
			out.ThreadID = out.MessageID // a topic's id is its creation message's
		}
	case u.EditedMessage != nil:
		out.Kind = bots.KindEdited
		fromMessage(&out, u.EditedMessage, botName)
		out.Command, out.Args = "", ""
	case u.CallbackQuery != nil:
		return fromCallback(out, u.CallbackQuery)
	case u.MessageReaction != nil:
		return fromReaction(out, u.MessageReaction)
	case u.MyChatMember != nil:
		return fromMyMembership(out, u.MyChatMember)
	case u.ChatMember != nil:
		return fromMembership(out, u.ChatMember)
	case u.ChatJoinRequest != nil:
		r := u.ChatJoinRequest
		out.Kind, out.At, out.Chat, out.From = bots.KindJoinRequest, unix(r.Date), chatOf(r.Chat), userOf(r.From)
	default:
		return out, false
	}
	return out, true
}

func fromMessage(out *bots.Update, m *models.Message, botName string) {
	out.At, out.Chat, out.MessageID = unix(m.Date), chatOf(m.Chat), strconv.Itoa(m.ID)
	if m.From != nil {
		out.From = userOf(*m.From)
	}
	if m.IsTopicMessage && m.MessageThreadID != 0 {
		out.ThreadID = strconv.Itoa(m.MessageThreadID)
	}
	out.Text = m.Text
	entities := m.Entities
	if m.Text == "" {
		out.Text, entities = m.Caption, m.CaptionEntities
	}
	out.Media, out.MediaGroup, out.Forwarded = mediaOf(m), m.MediaGroupID, m.ForwardOrigin != nil
	if r := m.ReplyToMessage; r != nil && r.ForumTopicCreated == nil {
		out.ReplyTo = &bots.Message{ID: strconv.Itoa(r.ID), Text: cmp.Or(r.Text, r.Caption), Media: mediaOf(r), MediaGroup: r.MediaGroupID,
			Forwarded: r.ForwardOrigin != nil}
		if r.From != nil {
			out.ReplyTo.From = userOf(*r.From)
		}
		if form, fields, ok := formOf(r); ok && out.ReplyTo.From.IsBot && r.From.Username == botName && !isCommand(entities) {
			out.Kind, out.Data, out.Fields = bots.KindForm, form, answers(fields, m.Text)
			return
		}
	}
	if isCommand(entities) {
		command, args := splitCommand(out.Text, entities[0].Length)
		name, target, _ := strings.Cut(command, "@")
		if target == "" || strings.EqualFold(target, botName) {
			out.Command, out.Args = strings.ToLower(name), args
		}
	}
}

// fromMigration tells a group becoming a supergroup, with a new id:
// Telegram says so in the old group (migrate_to_chat_id) and in the new
// one (migrate_from_chat_id); either carries the group's place in the
// community over.
func fromMigration(out bots.Update, m *models.Message) (bots.Update, bool) {
	from, to := m.Chat.ID, m.MigrateToChatID
	if m.MigrateFromChatID != 0 {
		from, to = m.MigrateFromChatID, m.Chat.ID
	}
	out.Kind, out.At, out.Chat, out.MessageID = bots.KindGroupMoved, unix(m.Date), chatOf(m.Chat), strconv.Itoa(m.ID)
	out.Data = strconv.FormatInt(from, 10) + ":" + strconv.FormatInt(to, 10)
	return out, true
}

// isCommand reports whether a message starts with a /command: typed in
// answer to a form's prompt, it is the command, not the answer.
func isCommand(entities []models.MessageEntity) bool {
	return len(entities) > 0 && entities[0].Type == models.MessageEntityTypeBotCommand && entities[0].Offset == 0
}

// messageKind tells a member's message from a new forum topic and from
// Telegram's service messages (joins, pins, title changes...), which are
// nobody's words and count for no engagement.
func messageKind(m *models.Message) bots.UpdateKind {
	switch {
	case m.ForumTopicCreated != nil:
		return bots.KindThread
	case len(m.NewChatMembers) > 0, m.LeftChatMember != nil, m.NewChatTitle != "", len(m.NewChatPhoto) > 0,
		m.DeleteChatPhoto, m.GroupChatCreated, m.SupergroupChatCreated, m.MigrateFromChatID != 0, m.MigrateToChatID != 0,
		m.PinnedMessage != nil, m.MessageAutoDeleteTimerChanged != nil, m.BoostAdded != nil, m.ChatBackgroundSet != nil,
		m.ForumTopicEdited != nil, m.ForumTopicClosed != nil, m.ForumTopicReopened != nil,
		m.GeneralForumTopicHidden != nil, m.GeneralForumTopicUnhidden != nil, m.WriteAccessAllowed != nil,
		m.VoiceChatScheduled != nil, m.VoiceChatStarted != nil, m.VoiceChatEnded != nil, m.VoiceChatParticipantsInvited != nil:
		return bots.KindNotice
	}
	return bots.KindMessage
}

// splitCommand cuts "/cmd@bot rest" after the command entity, whose length
// Telegram gives in UTF-16 units.
func splitCommand(text string, length int) (command, rest string) {
	units := 0
	for i, r := range text {
		if units >= length {
			return strings.TrimPrefix(text[:i], "/"), strings.TrimSpace(text[i:])
		}
		units++
		if r >= 0x10000 {
			units++
		}
	}
	return strings.TrimPrefix(text, "/"), ""
}

func fromCallback(out bots.Update, q *models.CallbackQuery) (bots.Update, bool) {
	out.Kind, out.From, out.Data, out.Handle, out.At = bots.KindButton, userOf(q.From), q.Data, q.ID, time.Now()
	if m := q.Message.Message; m != nil {
		out.Chat, out.MessageID = chatOf(m.Chat), strconv.Itoa(m.ID)
		if m.IsTopicMessage && m.MessageThreadID != 0 {
			out.ThreadID = strconv.Itoa(m.MessageThreadID)
		}
	} else if m := q.Message.InaccessibleMessage; m != nil {
		out.Chat, out.MessageID = chatOf(m.Chat), strconv.Itoa(m.MessageID)
	}
	if out.Chat.ID == "" || q.Data == "" {
		return out, false // a game or inline-mode button: not Hearth's
	}
	return out, true
}

func fromReaction(out bots.Update, r *models.MessageReactionUpdated) (bots.Update, bool) {
	if r.User == nil || len(r.NewReaction) == 0 {
		return out, false // anonymous, or a reaction taken back
	}
	out.Kind, out.At, out.Chat, out.From, out.MessageID = bots.KindReaction, unix(r.Date), chatOf(r.Chat), userOf(*r.User), strconv.Itoa(r.MessageID)
	if e := r.NewReaction[0].ReactionTypeEmoji; e != nil {
		out.Reaction = e.Emoji
	}
	return out, true
}

// isSelf reports whether u is Hearth's own bot user.
func isSelf(u *models.User, botName string) bool {
	return u != nil && u.IsBot && botName != "" && strings.EqualFold(u.Username, botName)
}

// fromMyMembership tells Hearth it was added to or removed from a chat.
func fromMyMembership(out bots.Update, m *models.ChatMemberUpdated) (bots.Update, bool) {
	was, is := present(m.OldChatMember), present(m.NewChatMember)
	if was == is || m.Chat.Type == models.ChatTypePrivate {
		return out, false
	}
	out.Kind, out.At, out.Chat, out.From = bots.KindBotRemoved, unix(m.Date), chatOf(m.Chat), userOf(m.From)
	if is {
		out.Kind = bots.KindBotAdded
	}
	return out, true
}

// fromMembership tells a member joining or leaving a group.
func fromMembership(out bots.Update, m *models.ChatMemberUpdated) (bots.Update, bool) {
	was, is := present(m.OldChatMember), present(m.NewChatMember)
	if was == is {
		return out, false // a promotion or a restriction, not a join or leave
	}
	out.Kind, out.At, out.Chat, out.From = bots.KindLeave, unix(m.Date), chatOf(m.Chat), userOf(memberUser(m.NewChatMember))
	if is {
		out.Kind = bots.KindJoin
	}
	return out, true
}

// present reports whether a chat member is in the chat.
func present(m models.ChatMember) bool {
	switch m.Type {
	case models.ChatMemberTypeOwner, models.ChatMemberTypeAdministrator, models.ChatMemberTypeMember:
		return true
	case models.ChatMemberTypeRestricted:
		return m.Restricted != nil && m.Restricted.IsMember
	}
	return false
}

func memberUser(m models.ChatMember) models.User {
	switch {
	case m.Owner != nil && m.Owner.User != nil:
		return *m.Owner.User
	case m.Administrator != nil:
		return m.Administrator.User
	case m.Member != nil && m.Member.User != nil:
		return *m.Member.User
	case m.Restricted != nil && m.Restricted.User != nil:
		return *m.Restricted.User
	case m.Left != nil && m.Left.User != nil:
		return *m.Left.User
	case m.Banned != nil && m.Banned.User != nil:
		return *m.Banned.User
	}
	return models.User{}
}

func chatOf(c models.Chat) bots.Chat {
	out := bots.Chat{ID: strconv.FormatInt(c.ID, 10), Title: c.Title}
	switch c.Type {
	case models.ChatTypePrivate:
		out.Kind = community.ChatDirect
	case models.ChatTypeChannel:
		out.Kind = community.ChatChannel
	default:
		out.Kind = community.ChatGroup
	}
	return out
}

func userOf(u models.User) bots.User {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	return bots.User{ID: strconv.FormatInt(u.ID, 10), Username: u.Username, DisplayName: name, Language: u.LanguageCode, IsBot: u.IsBot}
}

func mediaOf(m *models.Message) []bots.Media {
	var out []bots.Media
	if n := len(m.Photo); n > 0 {
		p := m.Photo[n-1] // the largest size
		out = append(out, bots.Media{Kind: "photo", FileID: p.FileID, Size: int64(p.FileSize)})
	}
	switch {
	case m.Video != nil:
		out = append(out, bots.Media{Kind: "video", FileID: m.Video.FileID, Name: m.Video.FileName, Size: m.Video.FileSize})
	case m.Animation != nil:
		out = append(out, bots.Media{Kind: "animation", FileID: m.Animation.FileID, Name: m.Animation.FileName, Size: m.Animation.FileSize})
	case m.Document != nil:
		out = append(out, bots.Media{Kind: "document", FileID: m.Document.FileID, Name: m.Document.FileName, Size: m.Document.FileSize})
	case m.Audio != nil:
		out = append(out, bots.Media{Kind: "audio", FileID: m.Audio.FileID, Name: m.Audio.FileName, Size: m.Audio.FileSize})
	case m.Voice != nil:
		out = append(out, bots.Media{Kind: "voice", FileID: m.Voice.FileID, Size: m.Voice.FileSize})
	case m.Sticker != nil:
		out = append(out, bots.Media{Kind: "sticker", FileID: m.Sticker.FileID, Size: int64(m.Sticker.FileSize)})
	}
	return out
}

// formLink is the hidden link a form prompt carries, so that the member's
// reply names the form it answers: https://t.me/?hearth_form=ID&fields=a,b.
const formLinkBase = "https://t.me/?"

func formLink(f bots.Form) string {
	ids := make([]string, len(f.Fields))
	for i, fl := range f.Fields {
		ids[i] = fl.ID
	}
	return formLinkBase + url.Values{"hearth_form": {f.ID}, "fields": {strings.Join(ids, ",")}}.Encode()
}

// formOf reads the form a prompt message asks for from its hidden link.
func formOf(m *models.Message) (id string, fields []string, ok bool) {
	for _, e := range m.Entities {
		if e.Type != models.MessageEntityTypeTextLink || !strings.HasPrefix(e.URL, formLinkBase) {
			continue
		}
		q, err := url.ParseQuery(strings.TrimPrefix(e.URL, formLinkBase))
		if err != nil || q.Get("hearth_form") == "" {
			continue
		}
		return q.Get("hearth_form"), strings.Split(q.Get("fields"), ","), true
	}
	return "", nil, false
}

// answers maps a reply's lines to the form's fields: one line per field,
// the last field taking whatever is left.
func answers(fields []string, text string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i, f := range fields {
		switch {
		case i >= len(lines):
			out[f] = ""
		case i == len(fields)-1:
			out[f] = strings.TrimSpace(strings.Join(lines[i:], "\n"))
		default:
			out[f] = strings.TrimSpace(lines[i])
		}
	}
	return out
}

func unix(sec int) time.Time {
	if sec == 0 {
		return time.Now()
	}
	return time.Unix(int64(sec), 0)
}
