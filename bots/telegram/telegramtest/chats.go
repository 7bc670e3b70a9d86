package telegramtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// chatState is what the fake knows of one chat.
type chatState struct {
	info         models.ChatFullInfo
	declared     bool // info came from SetChat, so updates do not overwrite it
	known        bool // getChat answers it: declared, seen in an update or posted to
	left         bool // the bot left or was removed
	admins       []int64
	members      map[int64]models.ChatMember // server-owned copies
	joinRequests map[int64]bool
	invites      []models.ChatInviteLink // created by the bot
	lastMessage  int
	messages     map[int]*message
	topics       map[int]*Topic // forum topics by message_thread_id
}

// chat returns the state of chat id, creating it with the type its id
// implies; the caller holds s.mu.
func (s *Server) chat(id int64) *chatState {
	if cs, ok := s.chats[id]; ok {
		return cs
	}
	cs := &chatState{
		info:         models.ChatFullInfo{ID: id, Type: chatType(id)},
		members:      map[int64]models.ChatMember{},
		joinRequests: map[int64]bool{},
		messages:     map[int]*message{},
		topics:       map[int]*Topic{},
	}
	s.chats[id] = cs
	return cs
}

// chatType guesses a chat's type from its id as Telegram numbers them:
// users are positive, supergroups and channels -100..., basic groups other
// negatives.
func chatType(id int64) models.ChatType {
	switch {
	case id > 0:
		return models.ChatTypePrivate
	case id <= -1_000_000_000_000:
		return models.ChatTypeSupergroup
	}
	return models.ChatTypeGroup
}

// brief is the short Chat object messages carry.
func (cs *chatState) brief() models.Chat {
	i := cs.info
	return models.Chat{ID: i.ID, Type: i.Type, Title: i.Title, Username: i.Username,
		FirstName: i.FirstName, LastName: i.LastName, IsForum: i.IsForum}
}

// seeChat learns a chat from an update; the caller holds s.mu.
func (s *Server) seeChat(c models.Chat) {
	if c.ID == 0 {
		return
	}
	cs := s.chat(c.ID)
	cs.known = true
	if !cs.declared {
		cs.info = models.ChatFullInfo{ID: c.ID, Type: c.Type, Title: c.Title, Username: c.Username,
			FirstName: c.FirstName, LastName: c.LastName, IsForum: c.IsForum}
	}
}

// SetChat declares a chat; getChat answers info for it.
func (s *Server) SetChat(info models.ChatFullInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(info.ID)
	cs.info, cs.declared, cs.known = info, true, true
}

// SetChatAdministrators replaces the administrators (and owner) of a chat,
// as getChatAdministrators and getChatMember answer them.
func (s *Server) SetChatAdministrators(chatID int64, admins ...models.ChatMember) {
	copies := make([]models.ChatMember, len(admins))
	for i, m := range admins {
		copies[i] = copyMember(m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(chatID)
	cs.known = true
	for _, id := range cs.admins {
		delete(cs.members, id)
	}
	cs.admins = nil
	for _, m := range copies {
		cs.setMember(m)
	}
}

// SetChatMember sets one member's status, as getChatMember answers it.
func (s *Server) SetChatMember(chatID int64, m models.ChatMember) {
	c := copyMember(m)
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(chatID)
	cs.known = true
	cs.setMember(c)
}

// ChatMember is a user's status in a chat as the fake sees it now, after
// the bot's bans, restrictions and approvals.
func (s *Server) ChatMember(chatID, userID int64) models.ChatMember {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyMember(s.member(s.chat(chatID), userID))
}

// setMember stores m and keeps the administrator list in step.
func (cs *chatState) setMember(m models.ChatMember) {
	id := memberUser(m).ID
	cs.members[id] = m
	isAdmin := m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator
	switch i := slices.Index(cs.admins, id); {
	case isAdmin && i < 0:
		cs.admins = append(cs.admins, id)
	case !isAdmin && i >= 0:
		cs.admins = slices.Delete(cs.admins, i, i+1)
	}
}

// member is userID's status, "member" when nothing says otherwise; the
// caller holds s.mu.
func (s *Server) member(cs *chatState, userID int64) models.ChatMember {
	if m, ok := cs.members[userID]; ok {
		return m
	}
	u := s.user(userID)
	if userID == s.bot.ID && cs.left {
		return models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: &u}}
	}
	return Member(u)
}

// copyMember deep-copies m through JSON, so the fake never shares pointers
// with the test (ChatMember's MarshalJSON writes through them).
func copyMember(m models.ChatMember) models.ChatMember {
	raw, err := json.Marshal(&m)
	if err != nil {
		panic("telegramtest: chat member does not marshal: " + err.Error())
	}
	var out models.ChatMember
	if err := json.Unmarshal(raw, &out); err != nil {
		panic("telegramtest: chat member does not unmarshal: " + err.Error())
	}
	return out
}

// memberUser is the user a ChatMember is about.
func memberUser(m models.ChatMember) models.User {
	var u *models.User
	switch {
	case m.Owner != nil:
		u = m.Owner.User
	case m.Administrator != nil:
		return m.Administrator.User
	case m.Member != nil:
		u = m.Member.User
	case m.Restricted != nil:
		u = m.Restricted.User
	case m.Left != nil:
		u = m.Left.User
	case m.Banned != nil:
		u = m.Banned.User
	}
	if u == nil {
		return models.User{}
	}
	return *u
}

// chatParam resolves chat_id: a number, or the @username of a chat the fake
// knows; the caller holds s.mu.
func (s *Server) chatParam(c Call) (*chatState, *reply) {
	if r := required(c, "chat_id"); r != nil {
		return nil, r
	}
	raw := strings.TrimSpace(c.Params["chat_id"])
	if name, ok := strings.CutPrefix(raw, "@"); ok {
		for _, cs := range s.chats {
			if strings.EqualFold(cs.info.Username, name) {
				return cs, nil
			}
		}
	} else if id, err := strconv.ParseInt(raw, 10, 64); err == nil && id != 0 {
		return s.chat(id), nil
	}
	r := badRequest("chat not found")
	return nil, &r
}

// targetChat resolves the chat a call posts to, which the bot must not
// have left (nor, in a private chat, been blocked in); the caller holds
// s.mu.
func (s *Server) targetChat(c Call) (*chatState, *reply) {
	cs, r := s.chatParam(c)
	if r != nil {
		return nil, r
	}
	if cs.left {
		r := failure(http.StatusForbidden, "Forbidden: bot is not a member of the "+string(cs.info.Type)+" chat")
		if cs.info.Type == models.ChatTypePrivate {
			r.description = "Forbidden: bot was blocked by the user"
		}
		return nil, &r
	}
	cs.known = true
	return cs, nil
}

// postTarget resolves the chat a message is sent to and checks the forum
// topic it names in message_thread_id; the caller holds s.mu.
func (s *Server) postTarget(c Call) (*chatState, *reply) {
	cs, r := s.targetChat(c)
	if r != nil {
		return nil, r
	}
	if r := s.sendThread(cs, c); r != nil {
		return nil, r
	}
	return cs, nil
}

// SetBlocked makes the user block (or unblock) the bot: calls posting to
// their private chat answer 403 "Forbidden: bot was blocked by the user".
// A my_chat_member update making the bot "kicked" there does the same.
func (s *Server) SetBlocked(userID int64, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(userID).left = blocked
}

// userParam reads user_id.
func userParam(c Call) (int64, *reply) {
	id, err := intParam(c, "user_id")
	if err != nil || id == 0 {
		r := badRequest("invalid user_id specified")
		return 0, &r
	}
	return id, nil
}

// seeUser remembers a user's name for the members the fake makes up; the
// caller holds s.mu.
func (s *Server) seeUser(u *models.User) {
	if u != nil && u.ID != 0 {
		s.users[u.ID] = *u
	}
}

// user is the user with id as last seen, or a made-up one; the caller
// holds s.mu.
func (s *Server) user(id int64) models.User {
	if id == s.bot.ID {
		return s.bot
	}
	if u, ok := s.users[id]; ok {
		return u
	}
	return models.User{ID: id, FirstName: "User " + strconv.FormatInt(id, 10)}
}

// observe learns from an update what a real server would know: its chats
// and users, its messages, callback queries awaiting an answer, join
// requests and membership changes; the caller holds s.mu.
func (s *Server) observe(u *models.Update) {
	for _, m := range []*models.Message{u.Message, u.EditedMessage, u.ChannelPost, u.EditedChannelPost} {
		if m != nil {
			s.seeChat(m.Chat)
			s.seeUser(m.From)
			s.seeMessage(m)
		}
	}
	if q := u.CallbackQuery; q != nil {
		s.callbacks[q.ID] = true
		s.seeUser(&q.From)
		if q.Message.Message != nil {
			s.seeChat(q.Message.Message.Chat)
		}
	}
	for _, m := range []*models.ChatMemberUpdated{u.ChatMember, u.MyChatMember} {
		if m != nil {
			s.seeChat(m.Chat)
			s.seeUser(&m.From)
			s.seeMembership(m)
		}
	}
	if r := u.MessageReaction; r != nil {
		s.seeChat(r.Chat)
		s.seeUser(r.User)
	}
	if r := u.ChatJoinRequest; r != nil {
		s.seeChat(r.Chat)
		s.seeUser(&r.From)
		cs := s.chat(r.Chat.ID)
		cs.joinRequests[r.From.ID] = true
		if _, known := cs.members[r.From.ID]; !known {
			cs.setMember(Left(r.From)) // asking to join: not in the chat yet
		}
	}
}

// seeMembership applies a chat_member or my_chat_member update.
func (s *Server) seeMembership(m *models.ChatMemberUpdated) {
	member := copyMember(m.NewChatMember)
	who := memberUser(member)
	if who.ID == 0 {
		return
	}
	s.seeUser(&who)
	cs := s.chat(m.Chat.ID)
	cs.setMember(member)
	if who.ID == s.bot.ID {
		cs.left = member.Type == models.ChatMemberTypeLeft || member.Type == models.ChatMemberTypeBanned
	}
}
