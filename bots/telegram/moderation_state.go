package telegram

import (
	"context"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
)

var _ bots.SanctionChecker = (*Adapter)(nil)

// IsMuted implements bots.SanctionChecker: the user is restricted in the
// group and may not send messages (a restriction that leaves them
// writing, such as no media, is no mute). Someone Telegram does not know
// in the group is not muted.
func (a *Adapter) IsMuted(ctx context.Context, group, userID string) (bool, error) {
	m, err := a.chatMember(ctx, group, userID)
	if err != nil || m == nil {
		return false, err
	}
	return m.Type == models.ChatMemberTypeRestricted && m.Restricted != nil && !m.Restricted.CanSendMessages, nil
}

// IsBanned implements bots.SanctionChecker: the user is banned ("kicked",
// in Telegram's words) from the group.
func (a *Adapter) IsBanned(ctx context.Context, group, userID string) (bool, error) {
	m, err := a.chatMember(ctx, group, userID)
	if err != nil || m == nil {
		return false, err
	}
	return m.Type == models.ChatMemberTypeBanned, nil
}

// chatMember asks Telegram for the user's status in the group; nil when
// Telegram does not know the user there.
func (a *Adapter) chatMember(ctx context.Context, group, userID string) (*models.ChatMember, error) {
	chat, user, err := chatAndUser(group, userID)
	if err != nil {
		return nil, err
	}
	m, err := a.bot.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: chat, UserID: user})
	if err != nil {
		return nil, explain("read the status of user "+userID+" in chat "+group, err, notMemberAnswers)
	}
	return m, nil
}
