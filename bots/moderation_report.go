package bots

import (
	"context"
	"strings"

	"github.com/hearthbot/hearth/community"
)

// report lets a member tell staff about a message: /report [reason] as a
// reply to it, on Discord from the message menu or with its link. Staff get
// the message, its author and their tier, the reporter and a link; the
// reporter gets a short confirmation.
func (f *moderationFeature) report(ctx context.Context, r *Request) (Reply, error) {
	ref, reason := strings.TrimSpace(r.Arg("message")), strings.TrimSpace(r.Arg("reason"))
	if r.Options == nil {
		// A text command: the first word is a message only when it looks
		// like a link or an id and there is no reply.
		ref, reason = "", strings.TrimSpace(r.Update.Args)
		if first, rest, _ := strings.Cut(reason, " "); r.ReplyTo == nil && first != "" && (isDigits(first) || strings.Contains(first, "/channels/")) {
			ref, reason = first, strings.TrimSpace(rest)
		}
	}
	rep := community.Report{Reporter: r.Member, Chat: r.ChatID, Group: groupOf(r), ChatRef: r.Update.Chat.ID, Reason: reason}
	switch {
	case r.ReplyTo != nil:
		if r.ReplyTo.From.IsBot {
			return Reply{Text: r.Text("report.bot", nil), Ephemeral: true}, nil
		}
		author, err := f.store.FindMember(ctx, r.Platform, community.MemberRef{UserID: r.ReplyTo.From.ID, Text: r.ReplyTo.From.DisplayName})
		if err != nil {
			return Reply{}, err
		}
		rep.Reported, rep.MessageID, rep.Text = author.ID, r.ReplyTo.ID, r.ReplyTo.Text
	case ref != "":
		id, err := messageRef(r, ref)
		if err != nil {
			return Reply{}, err
		}
		author, err := f.store.MessageAuthor(ctx, r.ChatID, id)
		if err != nil {
			return Reply{}, err
		}
		rep.Reported, rep.MessageID = author, id
	default:
		return Reply{Text: r.Text("report.how", nil), Ephemeral: true}, nil
	}
	if _, err := f.mod.FileReport(ctx, rep); err != nil {
		return Reply{}, withDurations(f.router.catalog, r.Lang, err)
	}
	return Reply{Text: r.Text("report.thanks", nil), Ephemeral: true}, nil
}
