package telegramtest

import (
	"context"
	"fmt"
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
	cs, r := s.chatParam(c)
	if r != nil {
		return *r
	}
	userID, r := userParam(c)
	if r != nil {
		return *r
	}
	return ok(s.member(cs, userID))
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

// memberTarget resolves chat_id and user_id of a call that changes a
// member's status, refusing what Telegram refuses; the caller holds s.mu.
func (s *Server) memberTarget(c Call) (*chatState, models.User, *reply) {
	cs, r := s.chatParam(c)
	if r != nil {
		return nil, models.User{}, r
	}
	if cs.info.Type == models.ChatTypePrivate {
		r := badRequest("chat member status can't be changed in private chats")
		return nil, models.User{}, &r
	}
	userID, r := userParam(c)
	if r != nil {
		return nil, models.User{}, r
	}
	switch s.member(cs, userID).Type {
	case models.ChatMemberTypeOwner:
		r := badRequest("can't remove chat owner")
		return nil, models.User{}, &r
	case models.ChatMemberTypeAdministrator:
		r := badRequest("user is an administrator of the chat")
		return nil, models.User{}, &r
	}
	return cs, s.user(userID), nil
}

func (s *Server) banChatMember(_ context.Context, c Call) reply {
	until, err := intParam(c, "until_date")
	if err != nil {
		return badRequest("%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, u, r := s.memberTarget(c)
	if r != nil {
		return *r
	}
	cs.setMember(models.ChatMember{Type: models.ChatMemberTypeBanned,
		Banned: &models.ChatMemberBanned{User: &u, UntilDate: int(until)}})
	return ok(true)
}

// unbanChatMember also removes a current member unless only_if_banned is
// set: Telegram's documented behaviour, easy to trip over.
func (s *Server) unbanChatMember(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, u, r := s.memberTarget(c)
	if r != nil {
		return *r
	}
	banned := s.member(cs, u.ID).Type == models.ChatMemberTypeBanned
	if banned || !boolParam(c, "only_if_banned") {
		cs.setMember(models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: &u}})
	}
	return ok(true)
}

func (s *Server) restrictChatMember(_ context.Context, c Call) reply {
	var p models.ChatPermissions
	if err := c.JSON("permissions", &p); err != nil {
		return badRequest("can't parse permissions JSON object")
	}
	until, err := intParam(c, "until_date")
	if err != nil {
		return badRequest("%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, u, r := s.memberTarget(c)
	if r != nil {
		return *r
	}
	if cs.info.Type == models.ChatTypeGroup {
		return badRequest("method is available only for supergroups")
	}
	cs.setMember(restricted(u, p, int(until)))
	return ok(true)
}

// restricted is the status restrictChatMember gives. Granting every sending
// permission (and invites) lifts the restriction: Telegram lifts it when the
// permissions match the chat's defaults, which the fake does not model.
func restricted(u models.User, p models.ChatPermissions, until int) models.ChatMember {
	all := p.CanSendMessages && p.CanSendAudios && p.CanSendDocuments && p.CanSendPhotos &&
		p.CanSendVideos && p.CanSendVideoNotes && p.CanSendVoiceNotes && p.CanSendPolls &&
		p.CanSendOtherMessages && p.CanAddWebPagePreviews && p.CanInviteUsers
	if all {
		return Member(u)
	}
	return models.ChatMember{Type: models.ChatMemberTypeRestricted, Restricted: &models.ChatMemberRestricted{
		User: &u, IsMember: true, UntilDate: until,
		CanSendMessages: p.CanSendMessages, CanSendAudios: p.CanSendAudios,
		CanSendDocuments: p.CanSendDocuments, CanSendPhotos: p.CanSendPhotos,
		CanSendVideos: p.CanSendVideos, CanSendVideoNotes: p.CanSendVideoNotes,
		CanSendVoiceNotes: p.CanSendVoiceNotes, CanSendPolls: p.CanSendPolls,
		CanSendOtherMessages: p.CanSendOtherMessages, CanAddWebPagePreviews: p.CanAddWebPagePreviews,
		CanChangeInfo: p.CanChangeInfo, CanInviteUsers: p.CanInviteUsers,
		CanPinMessages: p.CanPinMessages, CanManageTopics: p.CanManageTopics,
	}}
}

func (s *Server) approveChatJoinRequest(_ context.Context, c Call) reply {
	return s.settleJoinRequest(c, true)
}

func (s *Server) declineChatJoinRequest(_ context.Context, c Call) reply {
	return s.settleJoinRequest(c, false)
}

// settleJoinRequest answers a join request pushed in a chat_join_request
// update; Telegram refuses to settle one that is not pending.
func (s *Server) settleJoinRequest(c Call, approve bool) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.chatParam(c)
	if r != nil {
		return *r
	}
	userID, r := userParam(c)
	if r != nil {
		return *r
	}
	if !cs.joinRequests[userID] {
		return badRequest("HIDE_REQUESTER_MISSING")
	}
	delete(cs.joinRequests, userID)
	if approve {
		cs.setMember(Member(s.user(userID)))
	}
	return ok(true)
}

func (s *Server) createChatInviteLink(_ context.Context, c Call) reply {
	expire, err := intParam(c, "expire_date")
	if err != nil {
		return badRequest("%v", err)
	}
	limit, err := intParam(c, "member_limit")
	if err != nil {
		return badRequest("%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, r := s.chatParam(c); r != nil {
		return *r
	}
	return ok(models.ChatInviteLink{
		InviteLink:         fmt.Sprintf("https://t.me/+fakeInvite%06d", s.nextCounter()),
		Creator:            s.bot,
		CreatesJoinRequest: boolParam(c, "creates_join_request"),
		Name:               c.Params["name"],
		ExpireDate:         int(expire),
		MemberLimit:        int(limit),
	})
}
