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
		text, err := f.card(ctx, r.Lang, a.member.ID)
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
		text, err := f.card(ctx, lang, a.member.ID)
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

// card writes the member's card in lang, from their profile.
func (f *moderationFeature) card(ctx context.Context, lang string, member community.MemberID) (string, error) {
	p, err := f.profiles.Profile(ctx, member)
	if err != nil {
		return "", err
	}
	cat := f.router.catalog
	lines := []string{
		cat.Text(lang, "whois.title", map[string]any{"Name": p.Member.DisplayName, "ID": p.Member.ID.String()}),
		cat.Text(lang, "whois.accounts", map[string]any{"Accounts": accounts(p.Member)}),
		f.standingLine(lang, p.Standing),
		f.engagementLine(lang, p.Standing.Engagement),
		f.standingAsOf(lang, p.Standing.ComputedAt),
		f.valueLine(lang, p),
	}
	lines = append(lines, f.historyLines(ctx, lang, p)...)
	lines = append(lines, f.noteLines(ctx, lang, p.Notes)...)
	lines = append(lines, f.ticketLines(lang, p.Tickets)...)
	return strings.Join(lines, "\n"), nil
}

// noteLines are the latest staff notes on the member.
func (f *moderationFeature) noteLines(ctx context.Context, lang string, notes []community.Note) []string {
	cat := f.router.catalog
	if len(notes) == 0 {
		return []string{cat.Text(lang, "whois.no_notes", nil)}
	}
	names := f.names(ctx)
	lines := []string{cat.Text(lang, "whois.notes_title", nil)}
	for _, n := range notes {
		lines = append(lines, cat.Text(lang, "whois.note_line", map[string]any{"At": f.stamp(n.At), "By": names(n.By), "Text": n.Text}))
	}
	return lines
}

// ticketLines are the member's open questions to staff.
func (f *moderationFeature) ticketLines(lang string, tickets []community.TicketSummary) []string {
	cat := f.router.catalog
	if len(tickets) == 0 {
		return []string{cat.Text(lang, "whois.no_tickets", nil)}
	}
	lines := []string{cat.Text(lang, "whois.tickets_title", nil)}
	for _, t := range tickets {
		lines = append(lines, cat.Text(lang, "whois.ticket_line", map[string]any{"ID": t.ID, "At": f.stamp(t.OpenedAt), "Text": excerpt(t.Text, 100)}))
	}
	return lines
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
func (f *moderationFeature) valueLine(lang string, p community.Profile) string {
	cat := f.router.catalog
	v := p.Value
	switch {
	case !p.Linked:
		return cat.Text(lang, "whois.not_linked", nil)
	case !v.Scored:
		return cat.Text(lang, "whois.not_scored", map[string]any{"Customer": v.CustomerID})
	}
	data := map[string]any{"Historical": money(v.Historical), "Orders": catalog.Raw(cat.Count(lang, "whois.orders", v.Orders, nil)),
		"Segment": orDash(v.Segment)}
	if !v.HasModel {
		return cat.Text(lang, "whois.value_no_model", data)
	}
	data["Predicted"], data["PAlive"] = money(v.Predicted), fmt.Sprintf("%.0f%%", 100*v.PAlive)
	return cat.Text(lang, "whois.value", data)
}

// historyLines are the member's active warnings, sanctions in force and
// recent ones that ended.
func (f *moderationFeature) historyLines(ctx context.Context, lang string, p community.Profile) []string {
	cat := f.router.catalog
	names := f.names(ctx)
	var lines []string
	if len(p.Warnings) == 0 {
		lines = append(lines, cat.Text(lang, "whois.no_warnings", nil))
	} else {
		lines = append(lines, cat.Count(lang, "whois.warnings", len(p.Warnings), nil))
		for i, w := range p.Warnings {
			lines = append(lines, f.warningLine(lang, i+1, w, names))
		}
	}
	if len(p.InForce) == 0 {
		lines = append(lines, cat.Text(lang, "whois.none_in_force", nil))
	} else {
		lines = append(lines, cat.Text(lang, "whois.in_force", nil))
		for _, s := range p.InForce {
			lines = append(lines, f.sanctionLine(ctx, lang, s))
		}
	}
	if len(p.Past) > 0 {
		lines = append(lines, cat.Text(lang, "whois.past", nil))
		for _, s := range p.Past {
			lines = append(lines, f.sanctionLine(ctx, lang, s))
		}
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
