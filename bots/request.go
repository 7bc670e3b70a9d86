package bots

import (
	"context"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// Request is an update the router has recorded and resolved: who sent it,
// with what role and language, and the command's arguments.
type Request struct {
	Update
	Member      community.MemberID
	ChatID      community.ChatID // the chat as Hearth stores it; 0 when unknown
	InStaffChat bool
	// outside: the update came from a group that is not the community's.
	outside bool
	Role    community.Role
	Lang    string
	Cmd     *Command // the command being run, or whose button or form this is
	args    map[string]string
	router  *Router
	retry   error             // a hook's RetryError: handle the update again later
	also    []outbox.Outgoing // what a command sends besides its reply (Also)
}

// Also queues messages a command sends besides its reply, with it.
func (r *Request) Also(out ...outbox.Outgoing) { r.also = append(r.also, out...) }

// Place is where the request was made.
func (r *Request) Place() Place {
	switch {
	case r.InStaffChat:
		return InStaffChat
	case r.IsDirect():
		return InDirect
	default:
		return InGroup
	}
}

// Account is the platform account that sent the request.
func (r *Request) Account() community.Account { return r.From.Account(r.Platform) }

// Arg returns a parsed argument ("" when not given).
func (r *Request) Arg(name string) string { return r.args[name] }

// Text returns a catalog message in the request's language.
func (r *Request) Text(id string, data map[string]any) string {
	return r.router.catalog.Text(r.Lang, id, data)
}

// Count returns a plural catalog message in the request's language.
func (r *Request) Count(id string, n int, data map[string]any) string {
	return r.router.catalog.Count(r.Lang, id, n, data)
}

// CommunityChat is the chat of the request as the community sees it.
func (r *Request) CommunityChat() community.Chat {
	return community.Chat{ID: r.ChatID, Platform: r.Platform, PlatformID: r.Update.Chat.ID,
		Kind: r.Update.Chat.Kind, Title: r.Update.Chat.Title, IsStaff: r.InStaffChat}
}

// TargetMember finds the member an ArgMember argument names: a reply to
// their message, @username, a platform user id or a mention.
func (r *Request) TargetMember(ctx context.Context, arg string) (community.Member, error) {
	ref := strings.TrimSpace(r.args[arg])
	if ref == "" && r.ReplyTo != nil && !r.ReplyTo.From.IsBot {
		ref = r.ReplyTo.From.ID
	}
	if ref == "" {
		return community.Member{}, community.Errorf(community.EInvalid, "member.missing", nil, "no member named")
	}
	return r.router.store.FindMember(ctx, r.Platform, community.ParseMemberRef(ref))
}

func isDigits(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// parseArgs reads the arguments of c from the update: typed options when the
// platform sent them, else the words after the command. The error names
// what is wrong, for the usage message.
func parseArgs(c *Command, u Update) (map[string]string, *community.Error) {
	out := map[string]string{}
	rest := strings.TrimSpace(u.Args)
	for i, a := range c.Args {
		var v string
		if u.Options != nil {
			v = strings.TrimSpace(u.Options[a.Name])
		} else if i == len(c.Args)-1 && (a.Kind == ArgText || a.Kind == ArgMember) {
			v, rest = rest, ""
		} else {
			v, rest, _ = strings.Cut(rest, " ")
			rest = strings.TrimSpace(rest)
		}
		if err := checkArg(a, &v); err != nil {
			return nil, err
		}
		if v == "" && a.Required && !(a.Kind == ArgMember && u.ReplyTo != nil) {
			return nil, community.Errorf(community.EInvalid, "usage.missing", map[string]any{"Arg": a.Name}, "argument %s is missing", a.Name)
		}
		out[a.Name] = v
	}
	if rest != "" {
		return nil, community.Errorf(community.EInvalid, "usage.extra", map[string]any{"Extra": rest}, "unexpected %q", rest)
	}
	return out, nil
}

func checkArg(a Arg, v *string) *community.Error {
	if *v == "" {
		return nil
	}
	switch a.Kind {
	case ArgChoice:
		lower := strings.ToLower(*v)
		for _, c := range a.Choices {
			if c == lower {
				*v = lower
				return nil
			}
		}
		return community.Errorf(community.EInvalid, "usage.choice", map[string]any{"Value": *v, "Choices": strings.Join(a.Choices, ", ")}, "%q is not one of %v", *v, a.Choices)
	case ArgNumber:
		if _, err := strconv.ParseInt(*v, 10, 64); err != nil {
			return community.Errorf(community.EInvalid, "usage.number", map[string]any{"Value": *v}, "%q is not a whole number", *v)
		}
	}
	return nil
}
