package bots

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
)

// act parses a sanction command and returns the act it asks for.
func (f *moderationFeature) act(ctx context.Context, r *Request, withDuration bool) (community.Act, error) {
	a, err := f.parseModArgs(ctx, r, withDuration, "reason")
	if err != nil {
		return community.Act{}, err
	}
	groups, err := f.groupsFor(ctx, r, a.member)
	if err != nil {
		return community.Act{}, err
	}
	return community.Act{By: r.Member, Member: a.member.ID, Groups: groups, Reason: a.text, For: a.duration}, nil
}

// warn warns a member: /warn [member] [reason]. The ladder may follow.
func (f *moderationFeature) warn(ctx context.Context, r *Request) (Reply, error) {
	a, err := f.act(ctx, r, false)
	if err != nil {
		return Reply{}, err
	}
	out, err := f.mod.Warn(ctx, a)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: f.warnedText(r.Lang, out)}, nil
}

// warnedText tells that a member was warned and what the ladder did.
func (f *moderationFeature) warnedText(lang string, out community.Outcome) string {
	cat := f.router.catalog
	name := out.Member.DisplayName
	lines := []string{cat.Text(lang, "mod.done.warn", map[string]any{"Name": name, "Active": out.Active})}
	if out.Sanction != nil {
		lines = append(lines, f.sanctionedText(lang, name, out.Sanction))
	}
	if out.Guarded {
		lines = append(lines, cat.Text(lang, "mod.done.guarded", map[string]any{"Name": name}))
	}
	return strings.Join(append(lines, f.partial(lang, out)...), "\n")
}

// sanctionedText tells what a sanction does: muted or banned for how
// long, or removed.
func (f *moderationFeature) sanctionedText(lang, name string, s *community.Sanction) string {
	data := map[string]any{"Name": name}
	key := "mod.done." + string(s.Kind)
	switch {
	case s.Kind == community.SanctionKick:
	case s.Until.IsZero():
		key += "_open"
	default:
		data["Duration"] = catalog.Raw(durationText(f.router.catalog, lang, s.Until.Sub(s.At)))
	}
	return f.router.catalog.Text(lang, key, data)
}

// partial explains where an action could not be carried out.
func (f *moderationFeature) partial(lang string, out community.Outcome) []string {
	if out.Failed == nil {
		return nil
	}
	problem := out.Failed.Error()
	if derr, ok := errors.AsType[*community.Error](out.Failed); ok && derr.Key != "" {
		problem = f.router.catalog.Text(lang, derr.Key, derr.Data)
	}
	return []string{f.router.catalog.Text(lang, "mod.done.partial", map[string]any{"Problem": catalog.Raw(problem)})}
}

func (f *moderationFeature) muteCommand(ctx context.Context, r *Request) (Reply, error) {
	return f.sanctionCommand(ctx, r, f.mod.Mute)
}

func (f *moderationFeature) banCommand(ctx context.Context, r *Request) (Reply, error) {
	return f.sanctionCommand(ctx, r, f.mod.Ban)
}

func (f *moderationFeature) kick(ctx context.Context, r *Request) (Reply, error) {
	return f.sanctionCommand(ctx, r, f.mod.Kick)
}

// sanctionCommand mutes, bans or kicks: /mute [member] [duration] [reason].
func (f *moderationFeature) sanctionCommand(ctx context.Context, r *Request, do func(context.Context, community.Act) (community.Outcome, error)) (Reply, error) {
	a, err := f.act(ctx, r, r.Cmd.Name != "kick")
	if err != nil {
		return Reply{}, err
	}
	out, err := do(ctx, a)
	if err != nil {
		return Reply{}, err
	}
	lines := append([]string{f.sanctionedText(r.Lang, out.Member.DisplayName, out.Sanction)}, f.partial(r.Lang, out)...)
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

func (f *moderationFeature) unmute(ctx context.Context, r *Request) (Reply, error) {
	return f.liftCommand(ctx, r, f.mod.Unmute, "mod.done.unmute")
}

func (f *moderationFeature) unban(ctx context.Context, r *Request) (Reply, error) {
	return f.liftCommand(ctx, r, f.mod.Unban, "mod.done.unban")
}

// liftCommand unmutes or unbans: /unmute [member].
func (f *moderationFeature) liftCommand(ctx context.Context, r *Request, do func(context.Context, community.Lifting) (community.Outcome, error), key string) (Reply, error) {
	a, err := f.parseModArgs(ctx, r, false, "reason")
	if err != nil {
		return Reply{}, err
	}
	groups, err := f.groupsFor(ctx, r, a.member)
	if err != nil {
		return Reply{}, err
	}
	out, err := do(ctx, community.Lifting{By: r.Member, Member: a.member.ID, Groups: groups, Reason: r.Cmd.Name})
	if err != nil {
		return Reply{}, err
	}
	lines := append([]string{r.Text(key, map[string]any{"Name": out.Member.DisplayName})}, f.partial(r.Lang, out)...)
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

// unwarn removes a member's latest active warning: /unwarn [member].
func (f *moderationFeature) unwarn(ctx context.Context, r *Request) (Reply, error) {
	a, err := f.parseModArgs(ctx, r, false, "reason")
	if err != nil {
		return Reply{}, err
	}
	out, err := f.mod.Unwarn(ctx, r.Member, a.member.ID, 0, false)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("mod.done.unwarn", map[string]any{"Name": out.Member.DisplayName, "Active": out.Active})}, nil
}

// warns lists a member's active warnings: who, why and when.
func (f *moderationFeature) warns(ctx context.Context, r *Request) (Reply, error) {
	a, err := f.parseModArgs(ctx, r, false, "reason")
	if err != nil {
		return Reply{}, err
	}
	o, err := f.profiles.Profile(ctx, a.member.ID)
	if err != nil {
		return Reply{}, err
	}
	if len(o.Warnings) == 0 {
		return Reply{Text: r.Text("mod.warns.none", map[string]any{"Name": a.member.DisplayName})}, nil
	}
	names := f.names(ctx)
	lines := []string{r.Count("mod.warns.title", len(o.Warnings), map[string]any{"Name": a.member.DisplayName})}
	for i, w := range o.Warnings {
		lines = append(lines, f.warningLine(r.Lang, i+1, w, names))
	}
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

func (f *moderationFeature) warningLine(lang string, n int, w community.Warning, names func(community.MemberID) string) string {
	return f.router.catalog.Text(lang, "mod.warns.line", map[string]any{"N": n, "At": f.stamp(w.At), "By": f.byName(lang, w.By, names),
		"Reason": orDash(w.Reason), "Expires": f.stamp(w.Expires)})
}

// names looks up members' display names, each once.
func (f *moderationFeature) names(ctx context.Context) func(community.MemberID) string {
	seen := map[community.MemberID]string{}
	return func(id community.MemberID) string {
		if name, ok := seen[id]; ok {
			return name
		}
		name := "#" + id.String()
		if m, err := f.store.Member(ctx, id); err == nil && m.DisplayName != "" {
			name = m.DisplayName
		}
		seen[id] = name
		return name
	}
}

// byName names who acted: a member, automod, or a member since erased.
func (f *moderationFeature) byName(lang string, by community.MemberID, names func(community.MemberID) string) string {
	switch by {
	case 0:
		return f.router.catalog.Text(lang, "mod.automod", nil)
	case community.ErasedMember:
		return f.router.catalog.Text(lang, "privacy.erased_member", nil)
	}
	return names(by)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// note adds a private staff note: /note [member] <text>. In a group the
// command message is deleted where Hearth may, so the note stays private.
func (f *moderationFeature) note(ctx context.Context, r *Request) (Reply, error) {
	if ticketRef.MatchString(strings.TrimSpace(r.Arg("member"))) && r.ReplyTo == nil && f.ticketNote != nil {
		if !r.InStaffChat {
			f.deleteNoteCommand(ctx, r) // the group must not read it
			return Reply{Text: r.Text("relay.note_in_staff_chat", nil), Ephemeral: true}, nil
		}
		return f.ticketNote(ctx, r)
	}
	a, err := f.parseModArgs(ctx, r, false, "text")
	if err != nil {
		return Reply{}, err
	}
	if _, err := f.mod.AddNote(ctx, r.Member, a.member.ID, a.text); err != nil {
		return Reply{}, err
	}
	f.deleteNoteCommand(ctx, r)
	return Reply{Text: r.Text("mod.done.note", map[string]any{"Name": a.member.DisplayName}), Ephemeral: true}, nil
}

// deleteNoteCommand deletes a /note command typed in a group, where Hearth
// may, so that the note stays private.
func (f *moderationFeature) deleteNoteCommand(ctx context.Context, r *Request) {
	if r.InStaffChat || r.Handle != "" {
		return
	}
	if err := f.enforcer.Delete(ctx, r.Platform, r.Update.Chat.ID, []string{r.MessageID}); err != nil {
		f.router.log.Warn("delete a /note command", "platform", r.Platform, "chat", r.Update.Chat.ID, "error", err)
	}
}

// ticketRef is a ticket's number as /note takes it: #12.
var ticketRef = regexp.MustCompile(`^#[0-9]+$`)

// purge deletes the chat's last N messages (/purge N), or, in a reply or
// with a message's link or id (Discord), every recorded message from that
// one on; the /purge command goes too.
func (f *moderationFeature) purge(ctx context.Context, r *Request) (Reply, error) {
	arg := strings.TrimSpace(r.Arg("count"))
	p := community.Purge{By: r.Member, Group: groupOf(r), Chat: r.ChatID, ChatRef: r.Update.Chat.ID}
	if r.Handle == "" && r.MessageID != "" {
		p.Also = []string{r.MessageID}
	}
	switch {
	case r.ReplyTo != nil && arg == "":
		p.From = r.ReplyTo.ID
	case arg == "":
		return Reply{Text: r.Text("purge.how", map[string]any{"Max": community.MaxPurge}), Ephemeral: true}, nil
	default:
		n, isCount := smallNumber(arg)
		if isCount {
			p.Count = n
		} else {
			from, err := messageRef(r, arg)
			if err != nil {
				return Reply{}, err
			}
			p.From = from
		}
	}
	n, err := f.mod.Purge(ctx, p)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Count("mod.done.purge", n, nil), Ephemeral: true}, nil
}

// smallNumber reads a count of messages: a number of at most 6 digits
// (message ids are longer on Discord, and a reply names them on Telegram).
func smallNumber(s string) (int, bool) {
	if len(s) > 6 || !isDigits(s) {
		return 0, false
	}
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n, true
}

// messageRef reads a message named by its link (Discord's "Copy Message
// Link") or its id, which must be in the chat of the request.
func messageRef(r *Request, s string) (string, error) {
	if isDigits(s) {
		return s, nil
	}
	parts := strings.Split(strings.TrimSuffix(s, "/"), "/")
	if n := len(parts); n >= 3 && strings.Contains(s, "/channels/") && isDigits(parts[n-1]) {
		if parts[n-2] != r.Update.Chat.ID {
			return "", community.Errorf(community.EInvalid, "mod.other_channel", nil, "message %s is in channel %s", parts[n-1], parts[n-2])
		}
		return parts[n-1], nil
	}
	return "", community.Errorf(community.EInvalid, "mod.bad_message", map[string]any{"Value": s}, "%q is no message link or id", s)
}
