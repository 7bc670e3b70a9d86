package discord

import (
	"context"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// Discord's answers about threads that mean "no threads here".
const (
	codeUnknownChannel = 10003
	codeMissingAccess  = 50001
	codeWrongChannel   = 50024 // cannot execute action on this channel type
)

// ticketThreadArchive is how long a ticket's thread stays open without a
// message before Discord archives it: a week, Discord's longest.
const ticketThreadArchive = 10080 // minutes

// OpenTicketThread implements bots.TicketThreads: a private thread in the
// staff channel. ok is false where Hearth may not open one (the channel
// takes no private threads, or Hearth lacks Create Private Threads):
// tickets are then answered by replying to their card in the channel.
func (a *Adapter) OpenTicketThread(ctx context.Context, chatID, name string) (string, bool, error) {
	th, ok, err := a.openPrivateThread(ctx, chatID, name)
	if !ok {
		return "", false, err
	}
	return th.ID, true, nil
}

// openPrivateThread opens a private thread in a channel; ok is false
// where Hearth may not.
func (a *Adapter) openPrivateThread(ctx context.Context, chatID, name string) (*discordgo.Channel, bool, error) {
	th, err := a.session.ThreadStartComplex(chatID, &discordgo.ThreadStart{Name: name, AutoArchiveDuration: ticketThreadArchive,
		Type: discordgo.ChannelTypeGuildPrivateThread, Invitable: false}, discordgo.WithContext(ctx))
	switch code := restCode(err); {
	case err == nil:
		return th, true, nil
	case code == codeMissingPermissions, code == codeMissingAccess, code == codeWrongChannel, status(err) == http.StatusForbidden:
		return nil, false, nil
	}
	return nil, false, fmt.Errorf("discord: open a thread in channel %s: %w", chatID, classify(err))
}

// OpenPrivateThread implements bots.PrivateThreads: a private thread in a
// community channel with the member added, for the question they asked
// there. A thread the member could not be added to is no use to them: it
// is an error.
func (a *Adapter) OpenPrivateThread(ctx context.Context, chatID, name, userID string) (string, string, bool, error) {
	th, ok, err := a.openPrivateThread(ctx, chatID, name)
	if !ok {
		return "", "", false, err
	}
	if err := a.session.ThreadMemberAdd(th.ID, userID, discordgo.WithContext(ctx)); err != nil {
		return "", "", false, fmt.Errorf("discord: add user %s to thread %s: %w", userID, th.ID, classify(err))
	}
	return th.ID, "https://discord.com/channels/" + th.GuildID + "/" + th.ID, true, nil
}

// InviteToTicketThread implements bots.TicketThreads: it adds the staff
// to the private thread. Adding is a courtesy: one Hearth may not add (it
// lacks Manage Threads, or they cannot see the channel) still sees the
// thread if they may manage threads.
func (a *Adapter) InviteToTicketThread(ctx context.Context, _, threadID string, members []string) {
	for _, uid := range members {
		if err := a.session.ThreadMemberAdd(threadID, uid, discordgo.WithContext(ctx)); err != nil {
			a.log.Warn("discord: add a staff member to a ticket's thread", "thread", threadID, "user", uid, "error", err)
		}
	}
}

// SetTicketThreadOpen implements bots.TicketThreads: a closed ticket's
// thread is archived and locked (only staff who manage threads may write
// in it), and unarchived and unlocked when the ticket reopens.
func (a *Adapter) SetTicketThreadOpen(ctx context.Context, chatID, threadID string, open bool) error {
	closed := !open
	_, err := a.session.ChannelEdit(threadID, &discordgo.ChannelEdit{Archived: &closed, Locked: &closed}, discordgo.WithContext(ctx))
	if err != nil && restCode(err) != codeUnknownChannel {
		return fmt.Errorf("discord: set thread %s open %v: %w", threadID, open, classify(err))
	}
	return nil
}
