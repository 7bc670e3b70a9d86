package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// renderAction posts an entry of the staff log, with Undo when it can be
// undone.
func (f *moderationFeature) renderAction(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	a, err := outbox.Decode[community.Action](e)
	if err != nil {
		return nil, err
	}
	return f.router.staffMessages(ctx, f.store, func(lang string) (Reply, error) {
		reply := Reply{Text: f.actionText(ctx, lang, a)}
		if a.Undoable() {
			reply.Buttons = [][]Button{{{Label: f.router.catalog.Text(lang, "mod.button.undo", nil), Data: fmt.Sprintf("modlog:u:%d", a.Log)}}}
		}
		return reply, nil
	})
}

// actionText writes an action for the staff log: what, whom, by whom,
// where, until when and why.
func (f *moderationFeature) actionText(ctx context.Context, lang string, a community.Action) string {
	cat := f.router.catalog
	names := f.names(ctx)
	line := func(key string, data map[string]any) string { return cat.Text(lang, key, data) }
	lines := []string{line("mod.title."+string(a.Kind), map[string]any{"Name": names(a.Member)})}
	if a.By == 0 && a.Rule != "" {
		lines = append(lines, line("mod.line.by_automod", map[string]any{"Rule": catalog.Raw(line("mod.rule."+a.Rule, nil))}))
	} else {
		lines = append(lines, line("mod.line.by", map[string]any{"By": f.byName(lang, a.By, names)}))
	}
	lines = append(lines, line("mod.line.where", map[string]any{"Where": f.where(ctx, a.Groups)}))
	if a.Kind == community.ActionMute || a.Kind == community.ActionBan {
		lines = append(lines, line("mod.line.until", map[string]any{"Until": f.until(lang, a.At, a.Until)}))
	}
	if a.Reason != "" {
		lines = append(lines, line("mod.line.reason", map[string]any{"Reason": a.Reason}))
	}
	if a.Kind == community.ActionWarn || a.Kind == community.ActionUnwarn {
		lines = append(lines, line("mod.line.active", map[string]any{"Active": a.Active}))
	}
	if a.Count > 0 {
		lines = append(lines, cat.Count(lang, "mod.line.deleted", a.Count, nil))
	}
	for _, flag := range []struct {
		on  bool
		key string
	}{{a.Ladder, "mod.line.ladder"}, {a.Guarded, "mod.line.guarded"}, {a.Expired, "mod.line.expired"}, {a.Undo, "mod.line.undo"}} {
		if flag.on {
			lines = append(lines, line(flag.key, nil))
		}
	}
	if a.Report != 0 {
		lines = append(lines, line("mod.line.report", map[string]any{"ID": a.Report}))
	}
	lines = append(lines, line("mod.line.at", map[string]any{"At": f.stamp(a.At)}))
	return strings.Join(lines, "\n")
}

// renderReport alerts the staff chats to a member's report, with buttons
// to delete the message, warn or mute its author, or dismiss it.
func (f *moderationFeature) renderReport(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	rep, err := outbox.Decode[community.Report](e)
	if err != nil {
		return nil, err
	}
	choices := []string{community.ReportDelete, community.ReportWarn, community.ReportMute, community.ReportDismiss}
	return f.staffChoice(ctx, fmt.Sprintf("modlog:r:%d:", rep.ID), "report.button.", choices,
		func(lang string) (string, error) { return f.reportText(ctx, lang, rep) })
}

// staffChoice posts a text to the staff chats with one button per choice,
// whose data is prefix+choice and whose label is the catalog's
// labels+choice.
func (f *moderationFeature) staffChoice(ctx context.Context, prefix, labels string, choices []string, text func(lang string) (string, error)) ([]outbox.Outgoing, error) {
	return f.router.staffMessages(ctx, f.store, func(lang string) (Reply, error) {
		t, err := text(lang)
		if err != nil {
			return Reply{}, err
		}
		row := []Button{}
		for _, c := range choices {
			row = append(row, Button{Label: f.router.catalog.Text(lang, labels+c, nil), Data: prefix + c})
		}
		return Reply{Text: t, Buttons: [][]Button{row}}, nil
	})
}

func (f *moderationFeature) reportText(ctx context.Context, lang string, rep community.Report) (string, error) {
	cat := f.router.catalog
	names := f.names(ctx)
	st, err := f.standings.Standing(ctx, rep.Reported)
	if err != nil {
		return "", err
	}
	lines := []string{
		cat.Text(lang, "report.alert", map[string]any{"ID": rep.ID, "Where": f.where(ctx, []community.Group{rep.Group})}),
		cat.Text(lang, "report.author", map[string]any{"Name": names(rep.Reported), "Tier": catalog.Raw(cat.Text(lang, "tier."+st.Tier.String(), nil))}),
		cat.Text(lang, "report.reporter", map[string]any{"Name": names(rep.Reporter)}),
		cat.Text(lang, "mod.line.reason", map[string]any{"Reason": orDash(rep.Reason)}),
	}
	if rep.Text != "" {
		lines = append(lines, cat.Text(lang, "report.text", map[string]any{"Text": rep.Text}))
	}
	if link := f.router.MessageLink(rep.Group, rep.ChatRef, rep.MessageID); link != "" {
		lines = append(lines, cat.Text(lang, "report.link", map[string]any{"URL": catalog.Raw(link)}))
	} else {
		lines = append(lines, cat.Text(lang, "report.message_ref", map[string]any{"Message": rep.MessageID, "Chat": rep.ChatRef}))
	}
	return strings.Join(lines, "\n"), nil
}

// renderReview asks the staff chats to decide about a VIP the ladder
// would have banned, showing their value and recent history.
func (f *moderationFeature) renderReview(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	rv, err := outbox.Decode[community.Review](e)
	if err != nil {
		return nil, err
	}
	p, err := f.profiles.ProfileOrUnknown(ctx, rv.Member)
	if err != nil {
		return nil, err
	}
	choices := []string{community.ReviewBan, community.ReviewLift, community.ReviewDismiss}
	return f.staffChoice(ctx, fmt.Sprintf("modlog:v:%d:", rv.ID), "review.button.", choices,
		func(lang string) (string, error) { return f.reviewText(ctx, lang, rv, p), nil })
}

// reviewText writes a review from the member's profile: who, their tier,
// the ban the ladder wanted, where and why, their value and history.
func (f *moderationFeature) reviewText(ctx context.Context, lang string, rv community.Review, p community.Profile) string {
	cat := f.router.catalog
	ban := cat.Text(lang, "review.ban_forever", nil)
	if rv.BanFor > 0 {
		ban = cat.Text(lang, "review.ban_for", map[string]any{"Duration": catalog.Raw(durationText(cat, lang, rv.BanFor))})
	}
	lines := []string{
		cat.Text(lang, "review.title", map[string]any{"ID": rv.ID}),
		cat.Text(lang, "review.why", map[string]any{"Name": f.names(ctx)(rv.Member), "Tier": catalog.Raw(cat.Text(lang, "tier."+p.Standing.Tier.String(), nil)),
			"Ban": catalog.Raw(ban), "Where": f.where(ctx, rv.Groups)}),
		cat.Text(lang, "mod.line.reason", map[string]any{"Reason": orDash(rv.Reason)}),
		f.valueLine(lang, p),
	}
	return strings.Join(append(lines, f.historyLines(ctx, lang, p)...), "\n")
}

// modlog shows the latest entries of the staff log: /modlog [member].
func (f *moderationFeature) modlog(ctx context.Context, r *Request) (Reply, error) {
	var member community.MemberID
	name := ""
	if strings.TrimSpace(r.Arg("member")) != "" || r.ReplyTo != nil {
		m, err := r.TargetMember(ctx, "member")
		if err != nil {
			return Reply{}, err
		}
		member, name = m.ID, m.DisplayName
	}
	list, err := f.store.LoggedActions(ctx, member, modlogSize)
	if err != nil {
		return Reply{}, err
	}
	if len(list) == 0 {
		return Reply{Text: r.Text("modlog.empty", nil)}, nil
	}
	names := f.names(ctx)
	lines := []string{r.Text("modlog.title", nil)}
	if name != "" {
		lines[0] = r.Text("modlog.title_member", map[string]any{"Name": name})
	}
	for _, a := range list {
		title := r.Text("mod.title."+string(a.Kind), map[string]any{"Name": names(a.Member)})
		lines = append(lines, r.Text("modlog.line", map[string]any{"At": f.stamp(a.At), "What": catalog.Raw(title), "By": f.byName(r.Lang, a.By, names)}))
	}
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

const modlogSize = 15

// button answers the staff log's buttons: Undo (modlog:u:LOG), a
// report's (modlog:r:ID:OUTCOME) and a review's (modlog:v:ID:DECISION).
// The message is edited to say who did what, without its buttons.
func (f *moderationFeature) button(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	if len(parts) < 3 {
		return Reply{}, badButton(r.Data)
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return Reply{}, badButton(r.Data)
	}
	choice := ""
	if len(parts) > 3 {
		choice = parts[3]
	}
	var text string
	switch parts[1] {
	case "u":
		text, err = f.undo(ctx, r, id)
	case "r":
		text, err = f.settleReport(ctx, r, id, choice)
	case "v":
		text, err = f.decideReview(ctx, r, id, choice)
	default:
		return Reply{}, badButton(r.Data)
	}
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: text, Edit: true}, nil
}

func (f *moderationFeature) undo(ctx context.Context, r *Request, log int64) (string, error) {
	a, err := f.mod.Undo(ctx, r.Member, log)
	if err != nil {
		return "", err
	}
	return f.actionText(ctx, r.Lang, a) + "\n" + r.Text("mod.undone", map[string]any{"By": r.From.DisplayName}), nil
}

func (f *moderationFeature) settleReport(ctx context.Context, r *Request, id int64, outcome string) (string, error) {
	rep, _, err := f.mod.SettleReport(ctx, r.Member, id, outcome)
	if err != nil {
		return "", err
	}
	text, err := f.reportText(ctx, r.Lang, rep)
	if err != nil {
		return "", err
	}
	return text + "\n" + r.Text("report.settled."+outcome, map[string]any{"By": r.From.DisplayName}), nil
}

func (f *moderationFeature) decideReview(ctx context.Context, r *Request, id int64, decision string) (string, error) {
	rv, _, err := f.mod.DecideReview(ctx, r.Member, id, decision)
	if err != nil {
		return "", err
	}
	p, err := f.profiles.ProfileOrUnknown(ctx, rv.Member)
	if err != nil {
		return "", err
	}
	return f.reviewText(ctx, r.Lang, rv, p) + "\n" + r.Text("review.decided."+decision, map[string]any{"By": r.From.DisplayName}), nil
}
