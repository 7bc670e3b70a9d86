package bots

import (
	"context"
	"strings"

	"github.com/hearthbot/hearth/community"
)

// helpful marks an answer helpful: /helpful in reply to it, on Discord
// the message's menu or /helpful with its link. Staff may mark any
// answer, members the answers to what they asked. The thanks are public,
// so that the community sees good answers rewarded.
func (f *standingsFeature) helpful(ctx context.Context, r *Request) (Reply, error) {
	var message string
	switch ref := strings.TrimSpace(r.Arg("message")); {
	case r.ReplyTo != nil && r.ReplyTo.From.IsBot:
		return Reply{Text: r.Text("helpful.bot", nil), Ephemeral: true}, nil
	case r.ReplyTo != nil:
		message = r.ReplyTo.ID
	case ref != "":
		id, err := messageRef(r, ref)
		if err != nil {
			return Reply{}, err
		}
		message = id
	default:
		return Reply{Text: r.Text("helpful.how", nil), Ephemeral: true}, nil
	}
	a, err := community.MarkHelpful(ctx, f.store, r.ChatID, message, r.Member, r.Role >= community.RoleStaff, f.now())
	if err != nil {
		return Reply{}, err
	}
	author, err := f.store.Member(ctx, a.Author)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("helpful.marked", map[string]any{"Author": author.DisplayName, "By": r.From.DisplayName})}, nil
}
