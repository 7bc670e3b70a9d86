package bots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// The relay: a staff member answers a ticket by replying, in a staff
// chat, to Hearth's message about it (the question's card, or a member's
// message on it); Hearth sends the reply to the member privately. A reply
// starting with "!" is an internal note, and /note 12 text adds one. The
// member's private messages while their ticket is open (or closed within
// support.ReopenWithin, which reopens it) go to the staff chats instead of
// the knowledge base. Each message is saved keyed by its update, so that
// handling an update twice relays it once.

// relaySource keys a ticket message by the chat message it came from
// (platform, chat, message: update ids may start over), or by its update
// when it has no message id (/note as a Discord command).
func relaySource(r *Request) string {
	if r.MessageID == "" {
		return string(r.Platform) + ":update:" + r.Update.ID
	}
	return string(r.Platform) + ":" + r.Update.Chat.ID + ":" + r.MessageID
}

// inspectStaffReply flags a plain message in a group that replies to one
// of Hearth's messages: perhaps a staff reply on a ticket.
func (f *supportFeature) inspectStaffReply(u Update) bool {
	return u.Kind == KindMessage && !u.IsDirect() && u.Command == "" && u.ReplyTo != nil && u.ReplyTo.From.IsBot &&
		(strings.TrimSpace(u.Text) != "" || len(u.Media) > 0)
}

// staffReply relays a staff member's reply on a ticket to its member, or
// keeps it as a note. A reply to any other message of Hearth's is not
// the relay's; one from a member who is not staff is refused, audited.
func (f *supportFeature) staffReply(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	if !r.InStaffChat || r.Member == 0 {
		return nil, nil
	}
	ticket, ok, err := f.store.PostedTicket(ctx, r.Platform, r.Update.Chat.ID, r.ReplyTo.ID)
	if err != nil || !ok {
		return nil, Retry(err)
	}
	return f.relayStaffMessage(ctx, r, ticket)
}

// relayStaffMessage relays a staff member's message on a ticket, or keeps
// it as a note; a member who is not staff is refused, audited. A message
// both in a ticket's thread and in reply to its card is relayed once: its
// key is the chat message.
func (f *supportFeature) relayStaffMessage(ctx context.Context, r *Request, ticket int64) ([]outbox.Outgoing, error) {
	role, err := f.router.access.RoleOf(ctx, r.Account(), r.Member)
	if err != nil {
		return nil, Retry(err)
	}
	if role < community.RoleStaff {
		err := f.router.store.Audit(ctx, community.AuditEntry{At: f.now(), Actor: r.Member, Action: "relay.refused", Chat: r.ChatID,
			Details: map[string]any{"ticket": ticket, "platform": string(r.Platform), "role": role.String()}})
		return nil, Retry(err)
	}
	files, err := f.keepFiles(ctx, r)
	if err != nil {
		return f.relayFailure(ctx, r, err)
	}
	_, err = f.desk.FromStaffToMember(ctx, f.store, ticket, r.Member, displayName(r.From), support.Said{Text: r.Update.Text, Files: files, Source: relaySource(r)})
	return f.relayFailure(ctx, r, err)
}

// maxRelayFile is the largest file relayed: one that every platform
// takes (Discord's uploads stop at 10 MiB).
const maxRelayFile = outbox.MaxFileSize

// keepFiles downloads and keeps the files of a message on a ticket (every
// kind: photos, documents, voice messages), to pass them on. A file over
// maxRelayFile is refused before it is downloaded, when its size is
// known, else as soon as it grows past it.
func (f *supportFeature) keepFiles(ctx context.Context, r *Request) ([]support.Attachment, error) {
	if n := len(r.Update.Media); n > support.MaxRelayFiles {
		return nil, community.Errorf(community.EInvalid, "relay.too_many_files", map[string]any{"Max": support.MaxRelayFiles, "Count": n},
			"a message of %d files; at most %d", n, support.MaxRelayFiles)
	}
	out := make([]support.Attachment, 0, len(r.Update.Media))
	for _, m := range r.Update.Media {
		if err := CheckMediaSize(m.Size, maxRelayFile); err != nil {
			return nil, err
		}
		rc, err := f.router.FetchMedia(ctx, r.Platform, m, maxRelayFile)
		if err != nil {
			return nil, err
		}
		kept, err := f.store.PutMedia(ctx, feedback.NewFileReader(rc, maxRelayFile))
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, support.Attachment{Hash: kept.Hash.String(), Type: string(kept.Type), Name: fileName(m.Name), Size: kept.Size})
	}
	return out, nil
}

// fileName is a file's name as its sender's platform gave it, fit to
// show and to upload under: no folders, no control characters, at most
// 100 characters; "" when it has none (a photo), for a name made from
// its type.
func fileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	return excerpt(name, 100)
}

// filesLine names a message's files for a transcript or a notice, such
// as "📎 invoice.pdf (120.5 KB), photo (1.2 MB)"; "" for none.
func filesLine(files []support.Attachment) string {
	if len(files) == 0 {
		return ""
	}
	names := make([]string, len(files))
	for i, a := range files {
		name := a.Name
		if name == "" {
			name = strings.SplitN(a.Type, "/", 2)[0] // image, video, audio...
		}
		names[i] = fmt.Sprintf("%s (%s)", name, FileSize(a.Size))
	}
	return "📎 " + strings.Join(names, ", ")
}

// mediaOf are the references of a ticket message's files, to send them.
func mediaOf(files []support.Attachment) []outbox.MediaRef {
	out := make([]outbox.MediaRef, len(files))
	for i, a := range files {
		out[i] = outbox.MediaRef{Hash: a.Hash, Type: a.Type, Name: a.Name}
	}
	return out
}

// relayFailure tells the sender why a message was not relayed; a failure
// that is not the sender's hands the update back to be handled again.
func (f *supportFeature) relayFailure(ctx context.Context, r *Request, err error) ([]outbox.Outgoing, error) {
	if err == nil {
		return nil, nil
	}
	if _, ok := errors.AsType[*community.Error](err); !ok {
		return nil, Retry(err)
	}
	reply := f.router.failure(ctx, r, err)
	return []outbox.Outgoing{{Target: replyTarget(r, reply), Message: reply}}, nil
}

// memberMessage relays a member's private message to staff when they have
// a ticket to add it to; false when they have none (it is a question).
func (f *supportFeature) memberMessage(ctx context.Context, r *Request) ([]outbox.Outgoing, bool, error) {
	var files []support.Attachment
	if len(r.Update.Media) > 0 {
		if _, ok, err := f.desk.TicketToRelay(ctx, f.store, r.Member); err != nil || !ok {
			return nil, false, Retry(err) // no file is kept for nothing
		}
		var err error
		if files, err = f.keepFiles(ctx, r); err != nil {
			out, err := f.relayFailure(ctx, r, err)
			return out, true, err
		}
	}
	relay, ok, err := f.desk.FromMemberToStaff(ctx, f.store, r.Member, support.Said{Text: r.Update.Text, Files: files, Source: relaySource(r)})
	if !ok && err == nil {
		return nil, false, nil
	}
	if err != nil {
		out, err := f.relayFailure(ctx, r, err)
		return out, true, err
	}
	f.wake()
	if !relay.Reopened {
		return nil, true, nil
	}
	reply := Reply{Text: r.Text("relay.reopened", map[string]any{"ID": relay.Message.Ticket})}
	return []outbox.Outgoing{{Target: replyTarget(r, reply), Message: reply}}, true, nil
}

// note is /note #12 text (moderation's /note, naming a ticket instead of
// a member): an internal note on a ticket.
func (f *supportFeature) note(ctx context.Context, r *Request) (Reply, error) {
	r.args["ticket"] = r.Arg("member")
	id, err := ticketArg(r)
	if err != nil {
		return Reply{}, err
	}
	m, err := f.desk.Note(ctx, f.store, id, r.Member, displayName(r.From), support.Said{Text: r.Arg("text"), Source: relaySource(r)})
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("relay.noted", map[string]any{"ID": m.Ticket}), Ephemeral: true}, nil
}

// renderToStaff shows a member's message on their ticket in the staff
// chats; replying to it answers them.
func (f *supportFeature) renderToStaff(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	m, err := outbox.Decode[support.Relayed](e)
	if err != nil {
		return nil, err
	}
	if m.Reopened {
		f.syncThreads(ctx, m.Ticket)
	}
	return f.ticketStaffMessages(ctx, m.Ticket, nil, func(lang string) (Reply, error) {
		cat := f.router.catalog
		reopened := ""
		if m.Reopened {
			reopened = cat.Text(lang, "relay.reopened_mark", nil)
		}
		return Reply{Text: cat.Text(lang, "relay.to_staff", map[string]any{"ID": m.Ticket, "Name": m.Name, "Text": m.Text, "Reopened": catalog.Raw(reopened),
			"Urgency": catalog.Raw(cat.Text(lang, "tickets.urgency."+string(m.Urgency), nil))}) +
			"\n\n" + cat.Text(lang, "support.question_reply_hint", nil), Media: mediaOf(m.Files)}, nil
	})
}

// renderToMember sends a staff member's reply on a ticket to its member,
// privately.
func (f *supportFeature) renderToMember(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	m, err := outbox.Decode[support.Relayed](e)
	if err != nil {
		return nil, err
	}
	member, err := f.store.Member(ctx, m.Member)
	if err != nil {
		return nil, err
	}
	undelivered, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	out, err := f.router.privately(ctx, member, time.Time{}, func(lang string) outbox.Message {
		return Reply{Text: f.router.catalog.Text(lang, "relay.to_member", map[string]any{"ID": m.Ticket, "Author": m.Author, "Text": m.Text}),
			Media: mediaOf(m.Files), Undelivered: &outbox.Notice{Kind: support.EventRelayUndelivered, Payload: undelivered}}
	})
	if err != nil || len(out) > 0 {
		return out, err
	}
	return f.undeliveredMessages(ctx, m) // Hearth may not write to them at all
}

// renderUndelivered tells the staff chats that a reply did not reach its
// member.
func (f *supportFeature) renderUndelivered(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	m, err := outbox.Decode[support.Relayed](e)
	if err != nil {
		return nil, err
	}
	return f.undeliveredMessages(ctx, m)
}

func (f *supportFeature) undeliveredMessages(ctx context.Context, m support.Relayed) ([]outbox.Outgoing, error) {
	return f.ticketStaffMessages(ctx, m.Ticket, nil, func(lang string) (Reply, error) {
		return Reply{Text: f.router.catalog.Text(lang, "relay.undelivered", map[string]any{"ID": m.Ticket, "Name": m.Name,
			"Text": excerpt(strings.TrimSpace(m.Text+" "+filesLine(m.Files)), 200)})}, nil
	})
}

// transcript sends staff a ticket's whole conversation as a text file:
// the question, every message with its time, author and direction (notes
// marked as such), and how it was closed. The file is not kept in the
// outbox once sent.
func (f *supportFeature) transcript(ctx context.Context, r *Request) (Reply, error) {
	id, err := ticketArg(r)
	if err != nil {
		return Reply{}, err
	}
	t, err := f.store.Ticket(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	msgs, err := f.store.Messages(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	cat, lang := f.router.catalog, r.Lang
	stamp := func(at time.Time) string { return at.In(f.router.location).Format("2006-01-02 15:04") }
	var b strings.Builder
	b.WriteString(cat.Text(lang, "transcript.head", map[string]any{"ID": t.ID, "Name": t.Name, "Urgency": cat.Text(lang, "tickets.urgency."+string(t.Urgency), nil),
		"Opened": stamp(t.OpenedAt)}) + "\n\n")
	fmt.Fprintf(&b, "[%s] %s: %s\n", stamp(t.OpenedAt), t.Name, t.Text)
	for _, m := range msgs {
		who := m.AuthorName
		if who == "" {
			who = cat.Text(lang, "transcript.forgotten", nil)
		}
		if m.Direction == support.StaffNote {
			who = cat.Text(lang, "transcript.note", map[string]any{"Name": who})
		}
		fmt.Fprintf(&b, "[%s] %s: %s\n", stamp(m.At), who, strings.TrimSpace(m.Text+" "+filesLine(m.Files)))
	}
	if !t.Open() {
		b.WriteString("\n" + cat.Text(lang, "transcript.closed", map[string]any{"At": stamp(t.ClosedAt), "Resolution": t.Resolution}) + "\n")
	}
	if b.Len() > outbox.MaxFileSize {
		return Reply{}, community.Errorf(community.EConflict, "transcript.too_big", map[string]any{"ID": id}, "ticket %d's transcript is %d bytes", id, b.Len())
	}
	return Reply{Text: r.Text("transcript.sent", map[string]any{"ID": id}), Forget: true,
		File: &File{Name: fmt.Sprintf("question-%d.txt", id), Data: []byte(b.String())}}, nil
}
