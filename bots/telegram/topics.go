package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot"
)

// OpenTicketThread implements bots.TicketThreads: a forum topic in the
// staff supergroup, when it is a forum (topics on); ok is false when it
// is not, and tickets are answered by replying to their card there.
func (a *Adapter) OpenTicketThread(ctx context.Context, chatID, name string) (string, bool, error) {
	chat, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return "", false, fmt.Errorf("telegram: open a topic: chat id %q is not a number", chatID)
	}
	topic, err := a.bot.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: chat, Name: name})
	if errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "not a forum") {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("telegram: open a topic in chat %s: %w", chatID, err)
	}
	return strconv.Itoa(topic.MessageThreadID), true, nil
}

// SetTicketThreadOpen implements bots.TicketThreads: it closes or reopens
// the ticket's forum topic; one already so, or gone, is left as it is.
func (a *Adapter) SetTicketThreadOpen(ctx context.Context, chatID, threadID string, open bool) error {
	chat, err1 := strconv.ParseInt(chatID, 10, 64)
	thread, err2 := strconv.Atoi(threadID)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("telegram: topic %q of chat %q is not a number", threadID, chatID)
	}
	var err error
	if open {
		_, err = a.bot.ReopenForumTopic(ctx, &bot.ReopenForumTopicParams{ChatID: chat, MessageThreadID: thread})
	} else {
		_, err = a.bot.CloseForumTopic(ctx, &bot.CloseForumTopicParams{ChatID: chat, MessageThreadID: thread})
	}
	if errors.Is(err, bot.ErrorBadRequest) && (strings.Contains(err.Error(), "TOPIC_NOT_MODIFIED") || strings.Contains(err.Error(), "thread not found")) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("telegram: set topic %s of chat %s open %v: %w", threadID, chatID, open, err)
	}
	return nil
}

// InviteToTicketThread implements bots.TicketThreads: everyone in the
// supergroup sees its topics, so there is no one to add.
func (a *Adapter) InviteToTicketThread(context.Context, string, string, []string) {}
