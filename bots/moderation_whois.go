package bots

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// whoisRecent is how many notes and past sanctions a card shows.
const whoisRecent = 5

// whois shows staff a card of a member: accounts, tier, flags and
// priority, value, engagement, warnings, sanctions in force, notes and
// open questions. In a group the card goes where only staff see it:
// privately on Discord, else to the staff chat.
func (f *moderationFeature) whois(ctx context.Context, r *Request) (Reply, error) {
	a, err := f.parseModArgs(ctx, r, false, "reason")
	if err != nil {
		return Reply{}, err
	}
	if r.InStaffChat || r.Handle != "" {
		text, err := f.card(ctx, r.Lang, a.member)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: text, Ephemeral: !r.InStaffChat}, nil
	}
	chats, err := f.store.StaffChats(ctx)
	if err != nil {
		return Reply{}, err
	}
	for _, c := range chats {
		if c.Platform != r.Platform {
			continue
		}
		lang := f.router.chatLanguage(c)
		text, err := f.card(ctx, lang, a.member)
		if err != nil {
			return Reply{}, err
		}
		if err := f.store.QueueMessages(ctx, []outbox.Outgoing{{Target: outbox.Target{Platform: c.Platform, ChatID: c.PlatformID, Lang: lang}, Message: Reply{Text: text}}}); err != nil {
			return Reply{}, err
		}
		return Reply{Text: r.Text("whois.sent", map[string]any{"Name": a.member.DisplayName}), Ephemeral: true}, nil
	}
	return Reply{Text: r.Text("whois.no_staff_chat", nil), Ephemeral: true}, nil
}

// card writes the member's card in lang.
func (f *moderationFeature) card(ctx context.Context, lang string, m community.Member) (string, error) {
	cat := f.router.catalog
	st, err := f.standings.Standing(ctx, m.ID)
	if err != nil {
		return "", err
	}
	o, err := f.mod.Overview(ctx, m.ID, whoisRecent)
	if err != nil {
		return "", err
	}
	lines := []string{
		cat.Text(lang, "whois.title", map[string]any{"Name": m.DisplayName, "ID": m.ID.String()}),
		cat.Text(lang, "whois.accounts", map[string]any{"Accounts": accounts(m)}),
		f.standingLine(lang, st),
		f.engagementLine(lang, st.Engagement),
		f.standingAsOf(lang, st.ComputedAt),
	}
	value, err := f.valueLine(ctx, lang, m.ID)
	if err != nil {
		return "", err
	}
	lines = append(lines, value)
	lines = append(lines, f.historyLines(ctx, lang, o)...)
	names := f.names(ctx)
	if len(o.Notes) == 0 {
		lines = append(lines, cat.Text(lang, "whois.no_notes", nil))
	} else {
		lines = append(lines, cat.Text(lang, "whois.notes_title", nil))
		for _, n := range o.Notes {
			lines = append(lines, cat.Text(lang, "whois.note_line", map[string]any{"At": f.stamp(n.At), "By": names(n.By), "Text": n.Text}))
		}
	}
	tickets, err := f.ticketLines(ctx, lang, m.ID)
	if err != nil {
		return "", err
	}
	return strings.Join(append(lines, tickets...), "\n"), nil
}

// ticketLines are the member's open questions to staff.
func (f *moderationFeature) ticketLines(ctx context.Context, lang string, member community.MemberID) ([]string, error) {
	cat := f.router.catalog
	tickets, err := f.store.OpenTickets(ctx, member, whoisRecent)
	if err != nil {
		return nil, err
	}
	if len(tickets) == 0 {
		return []string{cat.Text(lang, "whois.no_tickets", nil)}, nil
	}
	lines := []string{cat.Text(lang, "whois.tickets_title", nil)}
	for _, t := range tickets {
		lines = append(lines, cat.Text(lang, "whois.ticket_line", map[string]any{"ID": t.ID, "At": f.stamp(t.OpenedAt), "Text": excerpt(t.Text, 100)}))
	}
	return lines, nil
}

// standingLine is the member's tier, flags and priority.
func (f *moderationFeature) standingLine(lang string, st community.MemberStanding) string {
	cat := f.router.catalog
	flags := []string{}
	if st.Flags.Has(community.FlagAtRiskVIP) {
		flags = append(flags, cat.Text(lang, "whois.flag.at_risk", nil))
	}
	if st.Flags.Has(community.FlagVerifiedBuyer) {
		flags = append(flags, cat.Text(lang, "whois.flag.verified", nil))
	}
	if len(flags) == 0 {
		flags = append(flags, "—")
	}
	return cat.Text(lang, "whois.standing", map[string]any{"Tier": catalog.Raw(cat.Text(lang, "tier."+st.Tier.String(), nil)),
		"Flags": catalog.Raw(strings.Join(flags, ", ")), "Priority": fmt.Sprintf("%.0f", st.Priority)})
}

func (f *moderationFeature) engagementLine(lang string, e community.Engagement) string {
	cat := f.router.catalog
	trend := "—"
	if change, ok := e.Trend(); ok {
		trend = fmt.Sprintf("%+.0f%%", math.Round(change*100))
	}
	last := "—"
	if !e.LastActive.IsZero() {
		last = f.stamp(e.LastActive)
	}
	level := catalog.Raw(cat.Text(lang, fmt.Sprintf("level.%d", e.Level), nil))
	return cat.Text(lang, "whois.engagement", map[string]any{"Level": e.Level, "LevelName": level,
		"Score": fmt.Sprintf("%.1f", e.Score), "Trend": trend, "LastActive": last})
}

// standingAsOf says when the tier, priority and engagement were computed.
func (f *moderationFeature) standingAsOf(lang string, at time.Time) string {
	if at.IsZero() {
		return f.router.catalog.Text(lang, "whois.standing_not_yet", nil)
	}
	return f.router.catalog.Text(lang, "whois.standing_as_of", map[string]any{"At": asOf(at, f.now(), f.loc)})
}

// valueLine is the member's CLV: historical and predicted, the chance
// they still buy, orders and segment. Staff only.
func (f *moderationFeature) valueLine(ctx context.Context, lang string, member community.MemberID) (string, error) {
	cat := f.router.catalog
	v, err := f.store.MemberValue(ctx, member)
	switch {
	case community.ErrorCode(err) == community.ENotFound:
		return cat.Text(lang, "whois.not_linked", nil), nil
	case err != nil:
		return "", err
	case !v.Scored:
		return cat.Text(lang, "whois.not_scored", map[string]any{"Customer": v.CustomerID}), nil
	}
	data := map[string]any{"Historical": money(v.Historical), "Orders": catalog.Raw(cat.Count(lang, "whois.orders", v.Orders, nil)),
		"Segment": orDash(v.Segment)}
	if !v.HasModel {
		return cat.Text(lang, "whois.value_no_model", data), nil
	}
	data["Predicted"], data["PAlive"] = money(v.Predicted), fmt.Sprintf("%.0f%%", 100*v.PAlive)
	return cat.Text(lang, "whois.value", data), nil
}

// historyLines are the member's active warnings, sanctions in force and
// recent ones.
func (f *moderationFeature) historyLines(ctx context.Context, lang string, o community.Overview) []string {
	cat := f.router.catalog
	names := f.names(ctx)
	var lines []string
	if len(o.Warnings) == 0 {
		lines = append(lines, cat.Text(lang, "whois.no_warnings", nil))
	} else {
		lines = append(lines, cat.Count(lang, "whois.warnings", len(o.Warnings), nil))
		for i, w := range o.Warnings {
			lines = append(lines, f.warningLine(lang, i+1, w, names))
		}
	}
	now := f.now()
	var inForce, past []string
	for _, s := range o.InForce {
		if s.Until.IsZero() || s.Until.After(now) {
			inForce = append(inForce, f.sanctionLine(ctx, lang, s))
		}
	}
	for _, s := range o.Recent {
		if !s.Lifted.IsZero() || !s.Until.IsZero() && !s.Until.After(now) {
			past = append(past, f.sanctionLine(ctx, lang, s))
		}
	}
	if len(inForce) == 0 {
		lines = append(lines, cat.Text(lang, "whois.none_in_force", nil))
	} else {
		lines = append(append(lines, cat.Text(lang, "whois.in_force", nil)), inForce...)
	}
	if len(past) > 0 {
		lines = append(append(lines, cat.Text(lang, "whois.past", nil)), past...)
	}
	return lines
}

func (f *moderationFeature) sanctionLine(ctx context.Context, lang string, s community.Sanction) string {
	cat := f.router.catalog
	until := cat.Text(lang, "mod.no_end", nil)
	switch {
	case s.Kind == community.SanctionKick:
		until = "—"
	case !s.Lifted.IsZero():
		until = f.stamp(s.Lifted)
	case !s.Until.IsZero():
		until = f.stamp(s.Until)
	}
	return cat.Text(lang, "whois.sanction_line", map[string]any{"Kind": catalog.Raw(cat.Text(lang, "mod.kind."+string(s.Kind), nil)),
		"At": f.stamp(s.At), "Where": f.where(ctx, s.Groups), "Until": until, "Reason": orDash(s.Reason)})
}

// where names groups: their titles and platforms.
func (f *moderationFeature) where(ctx context.Context, groups []community.Group) string {
	titles := map[community.Platform]map[string]string{}
	var out []string
	for _, g := range groups {
		if titles[g.Platform] == nil {
			titles[g.Platform] = map[string]string{}
			if chats, err := f.store.ModerationGroups(ctx, g.Platform); err == nil {
				for _, c := range chats {
					titles[g.Platform][c.PlatformID] = c.Title
				}
			}
		}
		name := titles[g.Platform][g.ID]
		if name == "" {
			name = g.ID
		}
		out = append(out, fmt.Sprintf("%s (%s)", name, g.Platform))
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, ", ")
}

// until writes when a sanction ends: a time and how long from at, or no
// end.
func (f *moderationFeature) until(lang string, at, until time.Time) string {
	if until.IsZero() {
		return f.router.catalog.Text(lang, "mod.no_end", nil)
	}
	return f.router.catalog.Text(lang, "mod.until_for", map[string]any{"At": catalog.Raw(f.stamp(until)), "Duration": durationText(f.router.catalog, lang, until.Sub(at))})
}
