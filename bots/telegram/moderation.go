package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/outbox"
)

var (
	_ bots.Moderator = (*Adapter)(nil)
	_ bots.JoinGate  = (*Adapter)(nil)
)

// Telegram's limits on moderation calls.
const (
	maxDeleteBatch = 100 // message ids in one deleteMessages call
	maxInviteName  = 32  // characters of an invite link's name
	// Telegram takes an until_date less than 30 seconds away as "for
	// ever"; a sooner time is sent as this far away instead.
	minUntil = time.Minute
	// maxUntil is the longest restriction or ban Telegram ends by itself:
	// an until_date more than 366 days away is for ever.
	maxUntil = 366 * 24 * time.Hour
)

// What Telegram answers, in lower case, when a moderation call cannot be
// done or has nothing to do.
var (
	// The user is one Telegram lets no bot act on.
	protectedAnswers = []string{"user is an administrator", "chat owner", "chat creator", "restrict self", "user_admin_invalid"}
	// Hearth lacks an administrator right in the chat, or is not in it.
	noRightsAnswers = []string{"not enough rights", "need administrator rights", "chat_admin_required", "have no rights",
		"bot is not a member", "bot was kicked"}
	// The user is not in the chat: nothing to mute, unmute or remove.
	notMemberAnswers = []string{"user not found", "participant_id_invalid", "user_not_participant"}
	// A basic group keeps no ban list to lift: a kick or unban is done.
	noBanListAnswers = []string{"method is available for supergroup and channel chats only"}
	// The join request was settled already (by an administrator, or the
	// user left or joined another way).
	settledAnswers = []string{"hide_requester_missing", "user_already_participant"}
	// The message is gone already.
	goneAnswers = []string{"message to delete not found"}
)

// Mute implements bots.Moderator: the user may send nothing in group until
// the given time (zero: until Unmute).
func (a *Adapter) Mute(ctx context.Context, group, userID string, until time.Time) error {
	chat, user, err := chatAndUser(group, userID)
	if err != nil {
		return err
	}
	_, err = a.bot.RestrictChatMember(ctx, &bot.RestrictChatMemberParams{ChatID: chat, UserID: user,
		Permissions: &models.ChatPermissions{}, UntilDate: untilDate(until)}) // every permission false
	return explain("mute user "+userID+" in chat "+group, err, notMemberAnswers)
}

// Unmute implements bots.Moderator: it grants every permission back, which
// Telegram takes as lifting the restriction (the chat's own defaults still
// apply).
func (a *Adapter) Unmute(ctx context.Context, group, userID string) error {
	chat, user, err := chatAndUser(group, userID)
	if err != nil {
		return err
	}
	all := &models.ChatPermissions{CanSendMessages: true, CanSendAudios: true, CanSendDocuments: true,
		CanSendPhotos: true, CanSendVideos: true, CanSendVideoNotes: true, CanSendVoiceNotes: true,
		CanSendPolls: true, CanSendOtherMessages: true, CanAddWebPagePreviews: true,
		CanChangeInfo: true, CanInviteUsers: true, CanPinMessages: true, CanManageTopics: true}
	_, err = a.bot.RestrictChatMember(ctx, &bot.RestrictChatMemberParams{ChatID: chat, UserID: user, Permissions: all})
	return explain("unmute user "+userID+" in chat "+group, err, notMemberAnswers)
}

// Ban implements bots.Moderator: the user is removed from group and kept
// out until the given time (zero: for good). Their messages stay.
func (a *Adapter) Ban(ctx context.Context, group, userID string, until time.Time) error {
	chat, user, err := chatAndUser(group, userID)
	if err != nil {
		return err
	}
	_, err = a.bot.BanChatMember(ctx, &bot.BanChatMemberParams{ChatID: chat, UserID: user, UntilDate: untilDate(until)})
	return explain("ban user "+userID+" in chat "+group, err, notMemberAnswers)
}

// Unban implements bots.Moderator: the user may join group again. Someone
// not banned is left as they are (only_if_banned: without it Telegram
// would remove a member).
func (a *Adapter) Unban(ctx context.Context, group, userID string) error {
	chat, user, err := chatAndUser(group, userID)
	if err != nil {
		return err
	}
	_, err = a.bot.UnbanChatMember(ctx, &bot.UnbanChatMemberParams{ChatID: chat, UserID: user, OnlyIfBanned: true})
	return explain("unban user "+userID+" in chat "+group, err, notMemberAnswers, noBanListAnswers)
}

// Kick implements bots.Moderator: a ban lifted at once, so the user is out
// of group but may join again. The ban lasts a minute at most, so that a
// failed unban does not keep them out for good.
func (a *Adapter) Kick(ctx context.Context, group, userID string) error {
	chat, user, err := chatAndUser(group, userID)
	if err != nil {
		return err
	}
	what := "kick user " + userID + " from chat " + group
	_, err = a.bot.BanChatMember(ctx, &bot.BanChatMemberParams{ChatID: chat, UserID: user, UntilDate: untilDate(time.Now().Add(minUntil))})
	if err != nil {
		return explain(what, err, notMemberAnswers)
	}
	_, err = a.bot.UnbanChatMember(ctx, &bot.UnbanChatMemberParams{ChatID: chat, UserID: user, OnlyIfBanned: true})
	return explain(what, err, notMemberAnswers, noBanListAnswers)
}

// DeleteMessages implements bots.Moderator, in batches of the most
// Telegram takes at once. Messages already gone are skipped.
func (a *Adapter) DeleteMessages(ctx context.Context, chatID string, messageIDs []string) error {
	chat, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return outbox.Permanent(fmt.Errorf("telegram: delete messages: chat id %q is not a number", chatID))
	}
	ids := make([]int, len(messageIDs))
	for i, id := range messageIDs {
		if ids[i], err = strconv.Atoi(id); err != nil {
			return outbox.Permanent(fmt.Errorf("telegram: delete messages in chat %s: message id %q is not a number", chatID, id))
		}
	}
	for start := 0; start < len(ids); start += maxDeleteBatch {
		batch := ids[start:min(start+maxDeleteBatch, len(ids))]
		_, err := a.bot.DeleteMessages(ctx, &bot.DeleteMessagesParams{ChatID: chat, MessageIDs: batch})
		what := fmt.Sprintf("delete messages %d to %d of %d in chat %s", start+1, start+len(batch), len(ids), chatID)
		if err := explain(what, err, goneAnswers); err != nil {
			return err
		}
	}
	return nil
}

// ApproveJoin implements bots.JoinGate. A request settled already is no
// error.
func (a *Adapter) ApproveJoin(ctx context.Context, chatID, userID string) error {
	return a.settleJoin(ctx, chatID, userID, true)
}

// DeclineJoin implements bots.JoinGate. A request settled already is no
// error.
func (a *Adapter) DeclineJoin(ctx context.Context, chatID, userID string) error {
	return a.settleJoin(ctx, chatID, userID, false)
}

func (a *Adapter) settleJoin(ctx context.Context, chatID, userID string, approve bool) error {
	chat, user, err := chatAndUser(chatID, userID)
	if err != nil {
		return err
	}
	what := "decline"
	if approve {
		what = "approve"
		_, err = a.bot.ApproveChatJoinRequest(ctx, &bot.ApproveChatJoinRequestParams{ChatID: chat, UserID: user})
	} else {
		_, err = a.bot.DeclineChatJoinRequest(ctx, &bot.DeclineChatJoinRequestParams{ChatID: chat, UserID: user})
	}
	return explain(what+" user "+userID+" joining chat "+chatID, err, settledAnswers)
}

// InviteLink implements bots.JoinGate: a link one person may join chatID
// with until expires (zero: no expiry), named for the administrators (cut
// to Telegram's 32 characters).
func (a *Adapter) InviteLink(ctx context.Context, chatID, name string, expires time.Time) (string, error) {
	chat, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return "", outbox.Permanent(fmt.Errorf("telegram: invite link: chat id %q is not a number", chatID))
	}
	params := &bot.CreateChatInviteLinkParams{ChatID: chat, Name: truncateUTF16(name, maxInviteName), MemberLimit: 1}
	if !expires.IsZero() {
		params.ExpireDate = int(expires.Unix())
	}
	link, err := a.bot.CreateChatInviteLink(ctx, params)
	if err != nil {
		return "", explain("create an invite link to chat "+chatID, err)
	}
	return link.InviteLink, nil
}

// chatAndUser reads the Telegram ids of a chat and a user.
func chatAndUser(chatID, userID string) (chat, user int64, err error) {
	if chat, err = strconv.ParseInt(chatID, 10, 64); err != nil {
		return 0, 0, outbox.Permanent(fmt.Errorf("telegram: chat id %q is not a number", chatID))
	}
	if user, err = strconv.ParseInt(userID, 10, 64); err != nil {
		return 0, 0, outbox.Permanent(fmt.Errorf("telegram: user id %q is not a number", userID))
	}
	return chat, user, nil
}

// untilDate is the until_date of a restriction or ban ending at until
// (zero: for ever). A time sooner than minUntil is sent as minUntil from
// now, because Telegram would take it as for ever.
func untilDate(until time.Time) int {
	if until.IsZero() {
		return 0
	}
	if soonest := time.Now().Add(minUntil); until.Before(soonest) {
		until = soonest
	}
	return int(until.Unix())
}

// explain says what a failed moderation call was doing and why it failed:
// what Telegram protects wraps bots.ErrProtected, a missing right
// bots.ErrNoRights, and other failures are classified like failed sends.
// An answer in one of the nothing-to-do lists is no error.
func explain(what string, err error, nothingToDo ...[]string) error {
	if err == nil {
		return nil
	}
	answer := strings.ToLower(err.Error())
	for _, answers := range nothingToDo {
		if errors.Is(err, bot.ErrorBadRequest) && containsAny(answer, answers) {
			return nil
		}
	}
	switch {
	case errors.Is(err, bot.ErrorBadRequest) && containsAny(answer, protectedAnswers):
		return fmt.Errorf("telegram: %s: %w (%w)", what, bots.ErrProtected, outbox.Permanent(err))
	case errors.Is(err, bot.ErrorForbidden) || containsAny(answer, noRightsAnswers):
		return fmt.Errorf("telegram: %s: %w (%w)", what, bots.ErrNoRights, outbox.Permanent(err))
	}
	return fmt.Errorf("telegram: %s: %w", what, classify(err))
}

func containsAny(s string, parts []string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// truncateUTF16 cuts s to at most n UTF-16 code units, the unit Telegram
// counts in, without splitting a character.
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		if units += utf16.RuneLen(r); units > n {
			return s[:i]
		}
	}
	return s
}
