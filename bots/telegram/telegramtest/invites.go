package telegramtest

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/go-telegram/bot/models"
)

// Telegram's limits on invite links.
const (
	maxInviteName  = 32 // characters of a link's name
	maxMemberLimit = 99999
)

// InviteLinks returns the invite links the bot created for a chat, oldest
// first.
func (s *Server) InviteLinks(chatID int64) []models.ChatInviteLink {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.chat(chatID).invites)
}

func (s *Server) approveChatJoinRequest(_ context.Context, c Call) reply {
	return s.settleJoinRequest(c, true)
}

func (s *Server) declineChatJoinRequest(_ context.Context, c Call) reply {
	return s.settleJoinRequest(c, false)
}

// settleJoinRequest answers a join request pushed in a chat_join_request
// update. Telegram refuses to settle one that is not pending: someone
// already in the chat with USER_ALREADY_PARTICIPANT, anyone else with
// HIDE_REQUESTER_MISSING.
func (s *Server) settleJoinRequest(c Call, approve bool) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, userID, r := s.chatAndUser(c)
	if r != nil {
		return *r
	}
	if r := s.botMay(cs, func(a *models.ChatMemberAdministrator) bool { return a.CanInviteUsers }, adminRequired); r != nil {
		return *r
	}
	if !cs.joinRequests[userID] {
		if m, known := cs.members[userID]; known && inChat(m) {
			return badRequest("USER_ALREADY_PARTICIPANT")
		}
		return badRequest("HIDE_REQUESTER_MISSING")
	}
	delete(cs.joinRequests, userID)
	if approve {
		cs.setMember(Member(s.user(userID)))
	}
	return ok(true)
}

// inChat reports whether m is someone in the chat.
func inChat(m models.ChatMember) bool {
	switch m.Type {
	case models.ChatMemberTypeOwner, models.ChatMemberTypeAdministrator, models.ChatMemberTypeMember:
		return true
	case models.ChatMemberTypeRestricted:
		return m.Restricted.IsMember
	}
	return false
}

// createChatInviteLink checks the link's settings as Telegram documents
// them (the wording of its refusals is the fake's own) and keeps the link
// for InviteLinks.
func (s *Server) createChatInviteLink(_ context.Context, c Call) reply {
	expire, errExpire := intParam(c, "expire_date")
	limit, errLimit := intParam(c, "member_limit")
	if err := cmp.Or(errExpire, errLimit); err != nil {
		return badRequest("%v", err)
	}
	name, joinRequest := c.Params["name"], boolParam(c, "creates_join_request")
	switch {
	case utf16Len(name) > maxInviteName:
		return badRequest("invite link name is longer than %d characters", maxInviteName)
	case limit < 0 || limit > maxMemberLimit:
		return badRequest("member_limit must be between 1 and %d", maxMemberLimit)
	case limit > 0 && joinRequest:
		return badRequest("member_limit can't be specified for links that create join requests")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if expire != 0 && expire <= s.now().Unix() {
		return badRequest("EXPIRE_DATE_INVALID")
	}
	cs, r := s.chatParam(c)
	if r != nil {
		return *r
	}
	if cs.info.Type == models.ChatTypePrivate {
		return badRequest("can't invite members to a private chat")
	}
	if r := s.botMay(cs, func(a *models.ChatMemberAdministrator) bool { return a.CanInviteUsers }, adminRequired); r != nil {
		return *r
	}
	link := models.ChatInviteLink{
		InviteLink:         fmt.Sprintf("https://t.me/+fakeInvite%06d", s.nextCounter()),
		Creator:            s.bot,
		CreatesJoinRequest: joinRequest,
		Name:               name,
		ExpireDate:         int(expire),
		MemberLimit:        int(limit),
	}
	cs.invites = append(cs.invites, link)
	return ok(link)
}
