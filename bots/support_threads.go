package bots

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// Ticket threads: where a staff chat has threads (a Telegram forum), each
// ticket gets its own, opened with the question's card and named with its
// number, member and urgency. The member's messages arrive in it, and
// whatever staff write in it is relayed to the member ("!" notes aside),
// with no need to reply to a message. The thread closes with the ticket
// and reopens with it. Where a chat has no threads, everything goes to
// the chat itself and staff reply to Hearth's messages.

// ticketThreadStore keeps which thread is each ticket's.
type ticketThreadStore interface {
	ListStaff(ctx context.Context) ([]community.StaffMember, error)
	TicketThread(ctx context.Context, ticket int64, platform community.Platform, chat string) (string, bool, error)
	SaveTicketThread(ctx context.Context, ticket int64, platform community.Platform, chat, thread string) (string, error)
	ThreadTicket(ctx context.Context, platform community.Platform, chat, thread string) (int64, bool, error)
}

// ticketStaffMessages renders a message about a ticket for every staff
// chat, into the ticket's thread there when it has one; open names the
// thread to open where it has none yet ("" opens none).
func (f *supportFeature) ticketStaffMessages(ctx context.Context, ticket int64, open func(lang string) string,
	render func(lang string) (Reply, error)) ([]outbox.Outgoing, error) {
	chats, err := f.router.connectedStaffChats(ctx, f.store)
	if err != nil {
		return nil, err
	}
	t, err := f.store.Ticket(ctx, ticket)
	if err != nil {
		return nil, err
	}
	var out []outbox.Outgoing
	for _, c := range chats {
		lang := f.router.chatLanguage(c)
		reply, err := render(lang)
		if err != nil {
			return nil, err
		}
		thread := ""
		if t.Open() { // a closed ticket's thread is closed: its news go to the chat
			name := ""
			if open != nil {
				name = open(lang)
			}
			if thread, err = f.threadOf(ctx, ticket, c, name); err != nil {
				return nil, err
			}
		}
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: c.Platform, ChatID: c.PlatformID, ThreadID: thread, Lang: lang}, Message: reply})
	}
	return out, nil
}

// threadOf returns the ticket's thread in a staff chat, opening one named
// name if it has none and name is not empty; "" where the chat has no
// threads.
func (f *supportFeature) threadOf(ctx context.Context, ticket int64, c community.Chat, name string) (string, error) {
	threads, ok := f.router.TicketThreads(c.Platform)
	if !ok {
		return "", nil
	}
	if thread, ok, err := f.store.TicketThread(ctx, ticket, c.Platform, c.PlatformID); err != nil || ok {
		return thread, err
	}
	if name == "" {
		return "", nil
	}
	thread, ok, err := threads.OpenTicketThread(ctx, c.PlatformID, name)
	if err != nil {
		// Whatever the platform refused (rights, a limit), the card still
		// goes to the chat, and the ticket is answered there.
		f.router.log.Warn("open a ticket's thread", "ticket", ticket, "platform", c.Platform, "chat", c.PlatformID, "error", err)
		return "", nil
	}
	if !ok {
		return "", nil
	}
	// Saved at once: a render retried after this finds it (one that
	// failed between opening and saving leaves an empty thread behind).
	if thread, err = f.store.SaveTicketThread(ctx, ticket, c.Platform, c.PlatformID, thread); err != nil {
		return "", err
	}
	members, err := f.staffAccounts(ctx, c.Platform)
	if err != nil {
		return "", err
	}
	threads.InviteToTicketThread(ctx, c.PlatformID, thread, members)
	return thread, nil
}

// staffAccounts are the platform user ids of the owners and staff on p,
// each once, in order.
func (f *supportFeature) staffAccounts(ctx context.Context, p community.Platform) ([]string, error) {
	staff, err := f.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range f.router.access.Owners() {
		if a.Platform == p {
			out = append(out, a.UserID)
		}
	}
	for _, m := range staff {
		for _, id := range m.Identities {
			if id.Platform == p {
				out = append(out, id.UserID)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// syncThreads closes or reopens a ticket's threads in every staff chat as
// the ticket is now (events about closing and reopening may render out of
// order), best effort: a thread the platform will not change is logged,
// and what else the event renders still goes.
func (f *supportFeature) syncThreads(ctx context.Context, ticket int64) {
	t, err := f.store.Ticket(ctx, ticket)
	if err == nil {
		err = f.setThreadsOpen(ctx, ticket, t.Open())
	}
	if err != nil {
		f.router.log.Warn("close or reopen a ticket's threads", "ticket", ticket, "error", err)
	}
}

// setThreadsOpen closes or reopens a ticket's threads in every staff chat.
func (f *supportFeature) setThreadsOpen(ctx context.Context, ticket int64, open bool) error {
	chats, err := f.router.connectedStaffChats(ctx, f.store)
	if err != nil {
		return err
	}
	for _, c := range chats {
		threads, ok := f.router.TicketThreads(c.Platform)
		if !ok {
			continue
		}
		thread, ok, err := f.store.TicketThread(ctx, ticket, c.Platform, c.PlatformID)
		if err != nil {
			return err
		}
		if ok {
			if err := threads.SetTicketThreadOpen(ctx, c.PlatformID, thread, open); err != nil {
				return err
			}
		}
	}
	return nil
}

// threadName names a ticket's thread: its number, member and their tier
// ("#12 Alice · VIP"; the urgency where the member was not ranked).
func (f *supportFeature) threadName(lang string, ticket int64, name, tier, urgency string) string {
	cat := f.router.catalog
	label := cat.Text(lang, "tier."+tier, nil)
	if tier == "" {
		label = cat.Text(lang, "tickets.urgency."+cmp.Or(urgency, "low"), nil)
	}
	return fmt.Sprintf("#%d %s · %s", ticket, excerpt(name, maxThreadName-len([]rune(label))-20), label)
}

// maxThreadName is the longest thread name both platforms take: Discord's
// 100 characters (Telegram's topics take 128).
const maxThreadName = 100

// inspectThreadMessage flags a plain message in a thread of a group:
// perhaps staff writing in a ticket's thread.
func (f *supportFeature) inspectThreadMessage(u Update) bool {
	return u.Kind == KindMessage && !u.IsDirect() && u.Command == "" && u.ThreadID != "" && !u.From.IsBot
}

// threadMessage relays what staff write in a ticket's thread. A Discord
// thread is a channel of its own: its messages come from it rather than
// from the staff channel, and the storage counts a ticket's thread as a
// staff chat (the writer's role is checked all the same).
func (f *supportFeature) threadMessage(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	if !r.InStaffChat || r.Member == 0 { // a Discord ticket thread is staff's too (chatIsStaffSQL)
		return nil, nil
	}
	ticket, ok, err := f.store.ThreadTicket(ctx, r.Platform, r.Update.Chat.ID, r.ThreadID)
	if err != nil || !ok {
		return nil, Retry(err)
	}
	return f.relayStaffMessage(ctx, r, ticket)
}
