package telegramtest

import (
	"context"
	"net/http"

	"github.com/go-telegram/bot/models"
)

func (s *Server) getChat(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.chatParam(c)
	if r != nil {
		return *r
	}
	if !cs.known {
		return badRequest("chat not found")
	}
	return ok(cs.info)
}

func (s *Server) getChatAdministrators(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.chatParam(c)
	if r != nil {
		return *r
	}
	if cs.info.Type == models.ChatTypePrivate {
		return badRequest("there are no administrators in the private chat")
	}
	if cs.left {
		// A bot no longer in a group may not read it, as on Telegram.
		return failure(http.StatusForbidden, "Forbidden: bot is not a member of the "+string(cs.info.Type)+" chat")
	}
	admins := make([]models.ChatMember, 0, len(cs.admins))
	for _, id := range cs.admins {
		admins = append(admins, cs.members[id])
	}
	return ok(admins)
}

func (s *Server) getChatMember(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, userID, r := s.chatAndUser(c)
	if r != nil {
		return *r
	}
	return ok(s.member(cs, userID))
}

// chatAndUser resolves chat_id and user_id; the caller holds s.mu.
func (s *Server) chatAndUser(c Call) (*chatState, int64, *reply) {
	cs, r := s.chatParam(c)
	if r != nil {
		return nil, 0, r
	}
	userID, r := userParam(c)
	if r != nil {
		return nil, 0, r
	}
	return cs, userID, nil
}

func (s *Server) leaveChat(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.chatParam(c)
	if r != nil {
		return *r
	}
	cs.left = true
	return ok(true)
}

// Telegram's words for refusing a moderation call.
const (
	noRestrictRights = "not enough rights to restrict/unrestrict chat member"
	adminRequired    = "CHAT_ADMIN_REQUIRED"
)

// memberTarget resolves chat_id and user_id of a call that changes a
// member's status, refusing what Telegram refuses: a chat the bot is not
// in, a bot without the right to restrict members, the bot itself (with
// self, when the method has words for it), the owner and administrators.
// The caller holds s.mu.
func (s *Server) memberTarget(c Call, self string) (*chatState, models.User, *reply) {
	cs, r := s.chatParam(c)
	if r != nil {
		return nil, models.User{}, r
	}
	if cs.info.Type == models.ChatTypePrivate {
		return nil, models.User{}, fail(badRequest("chat member status can't be changed in private chats"))
	}
	if cs.left {
		return nil, models.User{}, fail(failure(http.StatusForbidden, "Forbidden: bot is not a member of the "+string(cs.info.Type)+" chat"))
	}
	userID, r := userParam(c)
	if r != nil {
		return nil, models.User{}, r
	}
	if r := s.botMay(cs, func(a *models.ChatMemberAdministrator) bool { return a.CanRestrictMembers }, noRestrictRights); r != nil {
		return nil, models.User{}, r
	}
	if userID == s.bot.ID && self != "" {
		return nil, models.User{}, fail(badRequest("%s", self))
	}
	switch s.member(cs, userID).Type {
	case models.ChatMemberTypeOwner:
		return nil, models.User{}, fail(badRequest("can't remove chat owner"))
	case models.ChatMemberTypeAdministrator:
		return nil, models.User{}, fail(badRequest("user is an administrator of the chat"))
	}
	return cs, s.user(userID), nil
}

// botMay refuses, with Telegram's words, what the bot lacks the right to
// do in cs. Only a status the test declared for the bot (SetChatMember,
// SetChatAdministrators, a my_chat_member update) limits it: by default
// the fake lets the bot moderate. The caller holds s.mu.
func (s *Server) botMay(cs *chatState, right func(*models.ChatMemberAdministrator) bool, refusal string) *reply {
	me, declared := cs.members[s.bot.ID]
	switch {
	case !declared, me.Type == models.ChatMemberTypeOwner:
		return nil
	case me.Type == models.ChatMemberTypeAdministrator && right(me.Administrator):
		return nil
	}
	return fail(badRequest("%s", refusal))
}

// untilDate is the until_date Telegram keeps: a time less than 30 seconds
// or more than 366 days away means for ever, which it reports as 0.
func (s *Server) untilDate(c Call) (int, *reply) {
	until, err := intParam(c, "until_date")
	if err != nil {
		return 0, fail(badRequest("%v", err))
	}
	if ahead := until - s.now().Unix(); until != 0 && (ahead < 30 || ahead > 366*24*60*60) {
		until = 0
	}
	return int(until), nil
}

func (s *Server) banChatMember(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, r := s.untilDate(c)
	if r != nil {
		return *r
	}
	cs, u, r := s.memberTarget(c, "")
	if r != nil {
		return *r
	}
	cs.setMember(models.ChatMember{Type: models.ChatMemberTypeBanned,
		Banned: &models.ChatMemberBanned{User: &u, UntilDate: until}})
	return ok(true)
}

// unbanChatMember also removes a current member unless only_if_banned is
// set: Telegram's documented behaviour, easy to trip over. Basic groups
// keep no ban list to lift.
func (s *Server) unbanChatMember(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, u, r := s.memberTarget(c, "")
	if r != nil {
		return *r
	}
	if cs.info.Type == models.ChatTypeGroup {
		return badRequest("method is available for supergroup and channel chats only")
	}
	banned := s.member(cs, u.ID).Type == models.ChatMemberTypeBanned
	if banned || !boolParam(c, "only_if_banned") {
		cs.setMember(Left(u))
	}
	return ok(true)
}

func (s *Server) restrictChatMember(_ context.Context, c Call) reply {
	var p models.ChatPermissions
	if err := c.JSON("permissions", &p); err != nil {
		return badRequest("can't parse permissions JSON object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	until, r := s.untilDate(c)
	if r != nil {
		return *r
	}
	cs, u, r := s.memberTarget(c, "can't restrict self")
	if r != nil {
		return *r
	}
	if cs.info.Type == models.ChatTypeGroup {
		return badRequest("method is available only for supergroups")
	}
	if !boolParam(c, "use_independent_chat_permissions") {
		p = implied(p)
	}
	cs.setMember(restricted(s.member(cs, u.ID), u, p, cs.defaults(), until))
	return ok(true)
}

// implied adds the permissions Telegram implies without
// use_independent_chat_permissions: other messages and link previews
// imply every kind of message, polls imply text messages.
func implied(p models.ChatPermissions) models.ChatPermissions {
	if p.CanSendOtherMessages || p.CanAddWebPagePreviews {
		p.CanSendMessages, p.CanSendAudios, p.CanSendDocuments, p.CanSendPhotos = true, true, true, true
		p.CanSendVideos, p.CanSendVideoNotes, p.CanSendVoiceNotes = true, true, true
	}
	if p.CanSendPolls {
		p.CanSendMessages = true
	}
	return p
}

// defaults are the chat's default member permissions: as SetChat declared
// them, else those of a new Telegram group (every kind of message and
// inviting users).
func (cs *chatState) defaults() models.ChatPermissions {
	if p := cs.info.Permissions; p != nil {
		return *p
	}
	return models.ChatPermissions{CanSendMessages: true, CanSendAudios: true, CanSendDocuments: true,
		CanSendPhotos: true, CanSendVideos: true, CanSendVideoNotes: true, CanSendVoiceNotes: true,
		CanSendPolls: true, CanSendOtherMessages: true, CanAddWebPagePreviews: true, CanInviteUsers: true}
}

// restricted is the status restrictChatMember gives someone whose status
// was before. Permissions granting all the chat's defaults lift the
// restriction, as on Telegram: a member becomes a plain member again, and
// someone not in the chat stays out. Else they are restricted, in the chat
// or not (is_member).
func restricted(before models.ChatMember, u models.User, p, defaults models.ChatPermissions, until int) models.ChatMember {
	in := before.Type == models.ChatMemberTypeMember ||
		before.Type == models.ChatMemberTypeRestricted && before.Restricted.IsMember
	if grants(p, defaults) {
		if in {
			return Member(u)
		}
		return Left(u)
	}
	return models.ChatMember{Type: models.ChatMemberTypeRestricted, Restricted: &models.ChatMemberRestricted{
		User: &u, IsMember: in, UntilDate: until,
		CanSendMessages: p.CanSendMessages, CanSendAudios: p.CanSendAudios,
		CanSendDocuments: p.CanSendDocuments, CanSendPhotos: p.CanSendPhotos,
		CanSendVideos: p.CanSendVideos, CanSendVideoNotes: p.CanSendVideoNotes,
		CanSendVoiceNotes: p.CanSendVoiceNotes, CanSendPolls: p.CanSendPolls,
		CanSendOtherMessages: p.CanSendOtherMessages, CanAddWebPagePreviews: p.CanAddWebPagePreviews,
		CanChangeInfo: p.CanChangeInfo, CanInviteUsers: p.CanInviteUsers,
		CanPinMessages: p.CanPinMessages, CanManageTopics: p.CanManageTopics,
	}}
}

// grants reports whether p allows everything defaults allow.
func grants(p, defaults models.ChatPermissions) bool {
	pairs := [][2]bool{
		{p.CanSendMessages, defaults.CanSendMessages}, {p.CanSendAudios, defaults.CanSendAudios},
		{p.CanSendDocuments, defaults.CanSendDocuments}, {p.CanSendPhotos, defaults.CanSendPhotos},
		{p.CanSendVideos, defaults.CanSendVideos}, {p.CanSendVideoNotes, defaults.CanSendVideoNotes},
		{p.CanSendVoiceNotes, defaults.CanSendVoiceNotes}, {p.CanSendPolls, defaults.CanSendPolls},
		{p.CanSendOtherMessages, defaults.CanSendOtherMessages}, {p.CanAddWebPagePreviews, defaults.CanAddWebPagePreviews},
		{p.CanChangeInfo, defaults.CanChangeInfo}, {p.CanInviteUsers, defaults.CanInviteUsers},
		{p.CanPinMessages, defaults.CanPinMessages}, {p.CanManageTopics, defaults.CanManageTopics},
	}
	for _, pair := range pairs {
		if pair[1] && !pair[0] {
			return false
		}
	}
	return true
}
