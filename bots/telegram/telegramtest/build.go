package telegramtest

import (
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// User makes a Telegram user (not a bot) who speaks English.
func User(id int64, firstName string) models.User {
	return models.User{ID: id, FirstName: firstName, LanguageCode: "en"}
}

// Private is the private chat between the bot and u.
func Private(u models.User) models.Chat {
	return models.Chat{ID: u.ID, Type: models.ChatTypePrivate, FirstName: u.FirstName,
		LastName: u.LastName, Username: u.Username}
}

// Group makes a basic group chat; Telegram gives these small negative ids.
func Group(id int64, title string) models.Chat {
	return models.Chat{ID: id, Type: models.ChatTypeGroup, Title: title}
}

// Supergroup makes a supergroup chat; Telegram gives these -100... ids.
func Supergroup(id int64, title string) models.Chat {
	return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: title}
}

// Owner makes u the chat's creator.
func Owner(u models.User) models.ChatMember {
	return models.ChatMember{Type: models.ChatMemberTypeOwner, Owner: &models.ChatMemberOwner{User: &u}}
}

// Admin makes u an administrator who can moderate.
func Admin(u models.User) models.ChatMember {
	return models.ChatMember{Type: models.ChatMemberTypeAdministrator, Administrator: &models.ChatMemberAdministrator{
		User: u, CanManageChat: true, CanDeleteMessages: true, CanRestrictMembers: true, CanInviteUsers: true,
	}}
}

// Member makes u a plain member.
func Member(u models.User) models.ChatMember {
	return models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &u}}
}

// Left makes u someone who is not in the chat.
func Left(u models.User) models.ChatMember {
	return models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: &u}}
}

// Banned makes u someone banned from the chat ("kicked"); for the bot in a
// private chat it means the user blocked the bot.
func Banned(u models.User) models.ChatMember {
	return models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &u}}
}

// MessageUpdate makes an update for a text message from `from` in chat,
// with the chat's next message id, the current date and, when the text
// starts with a /command, the bot_command entity Telegram adds. Its
// update_id is 0, so PushUpdate or PostWebhook numbers it.
func (s *Server) MessageUpdate(chat models.Chat, from models.User, text string) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(chat.ID)
	if chat.IsForum || cs.isForum() {
		cs.lastMessage = max(cs.lastMessage, generalTopic) // message 1 opened the forum
	}
	cs.lastMessage++
	return models.Update{Message: &models.Message{
		ID: cs.lastMessage, From: &from, Date: int(s.now().Unix()), Chat: chat,
		Text: text, Entities: commandEntity(text),
	}}
}

// commandEntity is the bot_command entity for a leading "/name" or
// "/name@bot", or nil.
func commandEntity(text string) []models.MessageEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	word, _, _ := strings.Cut(text, " ")
	word, _, _ = strings.Cut(word, "\n")
	name, botName, _ := strings.Cut(word[1:], "@")
	const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
	if name == "" || len(name) > maxCommandLen || strings.Trim(name, nameChars) != "" ||
		strings.Trim(botName, nameChars) != "" {
		return nil
	}
	return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0,
		Length: utf16Len(word)}}
}

// CallbackUpdate makes an update for `from` pressing a button carrying data
// under message messageID in chat. The message carries the text and
// keyboard the bot last gave it. The query id is fresh, and
// answerCallbackQuery accepts it once the update is pushed or posted.
func (s *Server) CallbackUpdate(chat models.Chat, from models.User, messageID int, data string) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := models.Message{ID: messageID, From: &s.bot, Date: int(s.now().Unix()), Chat: chat}
	if m, ok := s.chat(chat.ID).messages[messageID]; ok && !m.deleted {
		msg = m.msg
	}
	return models.Update{CallbackQuery: &models.CallbackQuery{
		ID:           strconv.FormatInt(s.bot.ID*1000+s.nextCounter(), 10),
		From:         from,
		Message:      models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &msg},
		ChatInstance: strconv.FormatInt(chat.ID*-7919, 10),
		Data:         data,
	}}
}

// JoinRequestUpdate makes the update for u asking to join chat;
// approveChatJoinRequest and declineChatJoinRequest accept it once pushed.
func (s *Server) JoinRequestUpdate(chat models.Chat, u models.User) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return models.Update{ChatJoinRequest: &models.ChatJoinRequest{
		Chat: chat, From: u, UserChatID: u.ID, Date: int(s.now().Unix()),
	}}
}

// ChatMemberUpdate makes a chat_member update: from changed a member's
// status in chat from before to after (from is the member themself when
// joining or leaving).
// Telegram sends these only when allowed_updates names "chat_member".
func (s *Server) ChatMemberUpdate(chat models.Chat, from models.User, before, after models.ChatMember) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return models.Update{ChatMember: &models.ChatMemberUpdated{
		Chat: chat, From: from, Date: int(s.now().Unix()),
		OldChatMember: copyMember(before), NewChatMember: copyMember(after),
	}}
}

// MyChatMemberUpdate makes a my_chat_member update: from changed the bot's
// own status in chat from before to after. Pushing it also changes what the
// fake answers: a bot that is "left" or "kicked" can no longer post there.
func (s *Server) MyChatMemberUpdate(chat models.Chat, from models.User, before, after models.ChatMember) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return models.Update{MyChatMember: &models.ChatMemberUpdated{
		Chat: chat, From: from, Date: int(s.now().Unix()),
		OldChatMember: copyMember(before), NewChatMember: copyMember(after),
	}}
}

// BotAddedUpdate makes the my_chat_member update Telegram sends when `by`
// adds the bot to a group as a plain member.
func (s *Server) BotAddedUpdate(chat models.Chat, by models.User) models.Update {
	return s.MyChatMemberUpdate(chat, by, Left(s.bot), Member(s.bot))
}

// ReactionUpdate makes a message_reaction update: from changed their
// reaction to message messageID in chat from the emoji in before to those
// in after. Telegram sends these only when allowed_updates names
// "message_reaction", and only in chats where the bot is an administrator.
func (s *Server) ReactionUpdate(chat models.Chat, from models.User, messageID int, before, after []string) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return models.Update{MessageReaction: &models.MessageReactionUpdated{
		Chat: chat, MessageID: messageID, User: &from, Date: int(s.now().Unix()),
		OldReaction: emojiReactions(before), NewReaction: emojiReactions(after),
	}}
}

// emojiReactions makes one emoji reaction per string, never nil: Telegram
// sends an empty array rather than null.
func emojiReactions(emoji []string) []models.ReactionType {
	out := make([]models.ReactionType, 0, len(emoji))
	for _, e := range emoji {
		out = append(out, models.ReactionType{Type: models.ReactionTypeTypeEmoji,
			ReactionTypeEmoji: &models.ReactionTypeEmoji{Type: models.ReactionTypeTypeEmoji, Emoji: e}})
	}
	return out
}
