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

// standingsStore is what the standings feature reads and writes itself;
// the rules' own reads go through community.Standings.
type standingsStore interface {
	staffChatLister
	Member(ctx context.Context, id community.MemberID) (community.Member, error)
	Leaderboard(ctx context.Context, limit int) ([]community.LeaderboardEntry, error)
	HideFromLeaderboard(ctx context.Context, member community.MemberID, hide bool) error
	Audit(ctx context.Context, e community.AuditEntry) error
}

// standingsFeature shows members their standing (/me, /top), keeps the
// tiers' perks (Discord roles, the Telegram VIP group) in step with the
// tiers, tells staff what changed and congratulates members on milestones.
type standingsFeature struct {
	store     standingsStore
	standings *community.Standings
	o         CommunityOptions
	router    *Router
	community string
	now       func() time.Time
}

func newStandingsFeature(store standingsStore, o CommunityOptions, now func() time.Time, standings *community.Standings) *standingsFeature {
	return &standingsFeature{store: store, o: o, now: now, standings: standings}
}

// Register adds /me, /top and /vip, the VIP group's door and the renderers.
func (f *standingsFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router, f.community = router, router.community
	reg := router.Registry()
	reg.Add(Command{Name: "me", Permission: community.RoleMember, Where: Anywhere, Run: f.me})
	reg.Add(Command{Name: "top", Permission: community.RoleMember, Where: Anywhere, Run: f.top,
		Args: []Arg{{Name: "action", Kind: ArgChoice, Choices: []string{"show", "hide"}}}})
	if f.o.VIPGroup.ChatID != "" {
		reg.Add(Command{Name: "vip", Permission: community.RoleMember, Where: InDirect, Run: f.vip})
		router.On(KindJoinRequest, f.joinRequest)
	}
	dispatcher.Render(community.EventTierChanged, f.renderTierChange)
	dispatcher.Render(community.EventStandingsChanged, f.renderSummary)
	dispatcher.Render(community.EventMilestoneReached, f.renderMilestone)
}

// me shows a member their level, tier, points and badges; never CLV.
func (f *standingsFeature) me(ctx context.Context, r *Request) (Reply, error) {
	st, err := f.standings.Standing(ctx, r.Member)
	if err != nil {
		return Reply{}, err
	}
	text := r.Text("me.card", map[string]any{
		"Name": r.From.DisplayName, "Community": f.community, "Level": st.Engagement.Level,
		"LevelName": r.Text(fmt.Sprintf("level.%d", st.Engagement.Level), nil), "Tier": r.Text("tier."+st.Tier.String(), nil),
		"Points": st.Points,
	})
	if change, ok := st.Engagement.Trend(); ok && math.Abs(change) >= 0.1 {
		key := "me.trend_up"
		if change < 0 {
			key = "me.trend_down"
		}
		text += "\n" + r.Text(key, map[string]any{"Percent": int(math.Round(math.Abs(change) * 100))})
	}
	if len(st.Milestones) == 0 {
		text += "\n" + r.Text("me.no_badges", nil)
	} else {
		var badges []string
		for _, m := range st.Milestones {
			badges = append(badges, r.Text("badge."+m, nil))
		}
		text += "\n" + r.Text("me.badges", map[string]any{"Badges": catalog.Raw(strings.Join(badges, ", "))})
	}
	return Reply{Text: text + "\n" + f.asOfLine(r.Lang, "me", st.ComputedAt), Ephemeral: true}, nil
}

// asOfLine says when standings were computed (key.as_of), or that they
// are not yet (key.not_yet): they are recomputed on a schedule, so a
// member's latest activity may not show yet.
func (f *standingsFeature) asOfLine(lang, key string, at time.Time) string {
	cat := f.router.catalog
	if at.IsZero() {
		return cat.Text(lang, key+".not_yet", nil)
	}
	return cat.Text(lang, key+".as_of", map[string]any{"At": asOf(at, f.now(), f.o.Location)})
}

// asOf writes when figures were computed, in the community's time zone:
// the time of day, with the date when it is not today.
func asOf(at, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	at, now = at.In(loc), now.In(loc)
	if y, m, d := at.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return at.Format("15:04")
	}
	return at.Format("2006-01-02 15:04")
}

const leaderboardSize = 10

// top shows the engagement leaderboard, ranked by the engagement score it
// shows (not by points, which count orders too), and when the scores were
// computed; or takes the member off it (or back on) with /top hide and
// /top show.
func (f *standingsFeature) top(ctx context.Context, r *Request) (Reply, error) {
	if action := r.Arg("action"); action != "" {
		hide := action == "hide"
		if err := f.store.HideFromLeaderboard(ctx, r.Member, hide); err != nil {
			return Reply{}, err
		}
		key := "top.shown"
		if hide {
			key = "top.hidden"
		}
		return Reply{Text: r.Text(key, nil), Ephemeral: true}, nil
	}
	list, err := f.store.Leaderboard(ctx, leaderboardSize)
	if err != nil {
		return Reply{}, err
	}
	if len(list) == 0 {
		return Reply{Text: r.Text("top.empty", nil)}, nil
	}
	text := r.Text("top.title", map[string]any{"Community": f.community})
	var computed time.Time
	for i, e := range list {
		text += "\n" + r.Text("top.line", map[string]any{"Rank": i + 1, "Name": e.DisplayName,
			"LevelName": r.Text(fmt.Sprintf("level.%d", e.Level), nil), "Score": fmt.Sprintf("%.0f", e.Score)})
		if e.ComputedAt.After(computed) {
			computed = e.ComputedAt
		}
	}
	return Reply{Text: text + "\n" + f.asOfLine(r.Lang, "top", computed) + "\n" + r.Text("top.hide_hint", nil)}, nil
}

// vip sends a VIP a single-use invite to the VIP group.
func (f *standingsFeature) vip(ctx context.Context, r *Request) (Reply, error) {
	gate, ok := f.router.JoinGate(f.o.VIPGroup.Platform)
	if !ok {
		return Reply{Text: r.Text("vip.unavailable", nil), Ephemeral: true}, nil
	}
	st, err := f.standings.Standing(ctx, r.Member)
	if err != nil {
		return Reply{}, err
	}
	if !st.MayJoinVIPGroup() {
		return Reply{Text: r.Text("vip.not_yet", nil), Ephemeral: true}, nil
	}
	link, err := gate.InviteLink(ctx, f.o.VIPGroup.ChatID, "VIP "+r.From.DisplayName, f.now().Add(community.VIPInviteLifetime))
	if err != nil {
		return Reply{}, fmt.Errorf("invite member %d to the VIP group: %w", r.Member, err)
	}
	return Reply{Text: r.Text("vip.invite", nil), Buttons: [][]Button{{{Label: r.Text("vip.button", nil), URL: link}}}, Ephemeral: true}, nil
}

// joinRequest lets VIPs into the VIP group and politely turns others away.
func (f *standingsFeature) joinRequest(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	if (community.PlatformChat{Platform: r.Platform, ChatID: r.Update.Chat.ID}) != f.o.VIPGroup {
		return nil, nil
	}
	gate, ok := f.router.JoinGate(r.Platform)
	if !ok {
		return nil, nil
	}
	st, err := f.standings.Standing(ctx, r.Member)
	if err != nil {
		return nil, err
	}
	approve := st.MayJoinVIPGroup()
	action := community.AuditVIPJoinApproved
	if approve {
		err = gate.ApproveJoin(ctx, r.Update.Chat.ID, r.From.ID)
	} else {
		action = community.AuditVIPJoinDeclined
		err = gate.DeclineJoin(ctx, r.Update.Chat.ID, r.From.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("settle %s's request to join the VIP group: %w", r.From.ID, err)
	}
	if err := f.store.Audit(ctx, community.AuditEntry{At: f.now(), Actor: r.Member, Action: action, Target: r.Member, Chat: r.ChatID,
		Details: map[string]any{"tier": st.Tier.String()}}); err != nil {
		return nil, err
	}
	if approve {
		return nil, nil
	}
	text := r.Text("vip.declined", map[string]any{"Community": f.community})
	return []outbox.Outgoing{{Target: outbox.Target{Platform: r.Platform, UserID: r.From.ID, Lang: r.Lang}, Message: Reply{Text: text}}}, nil
}

// renderTierChange applies the perks community.PerkRules plan for a tier
// change on every platform the member is on. It sends nothing: staff hear
// of changes in the summary.
func (f *standingsFeature) renderTierChange(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	c, err := outbox.Decode[community.TierChange](e)
	if err != nil {
		return nil, err
	}
	m, err := f.store.Member(ctx, c.Member)
	if community.ErrorCode(err) == community.ENotFound {
		return nil, nil // erased since
	}
	if err != nil {
		return nil, err
	}
	plan := community.PerkRules{RemoveOnDowngrade: f.o.RemoveOnDowngrade, VIPGroup: f.o.VIPGroup.ChatID != ""}.Plan(c)
	for _, id := range m.Identities {
		if err := f.applyPerks(ctx, id, plan); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// applyPerks carries out a perk plan for one account: tier roles where the
// platform has them, the VIP group on its platform.
func (f *standingsFeature) applyPerks(ctx context.Context, id community.Identity, plan community.PerkPlan) error {
	if roles, ok := f.router.TierRoles(id.Platform); ok {
		if err := roles.GrantTierRole(ctx, id.UserID, plan.Grant); err != nil {
			return fmt.Errorf("grant the %s role to %s: %w", plan.Grant, id.Account, err)
		}
		for _, t := range plan.Revoke {
			if err := roles.RevokeTierRole(ctx, id.UserID, t); err != nil {
				return fmt.Errorf("take the %s role from %s: %w", t, id.Account, err)
			}
		}
	}
	if id.Platform == f.o.VIPGroup.Platform && plan.LeaveVIPGroup {
		if mod, ok := f.router.Moderator(id.Platform); ok {
			if err := mod.Kick(ctx, f.o.VIPGroup.ChatID, id.UserID); err != nil {
				return fmt.Errorf("remove %s from the VIP group: %w", id.Account, err)
			}
		}
	}
	return nil
}

const summaryLines = 15

// renderSummary tells the staff chats who changed tier and which VIPs are
// newly at risk.
func (f *standingsFeature) renderSummary(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	s, err := outbox.Decode[community.StandingsSummary](e)
	if err != nil {
		return nil, err
	}
	names := map[community.MemberID]string{}
	for _, list := range [][]community.TierChange{s.Changes, s.AtRisk} {
		for i, c := range list {
			if i >= summaryLines {
				break
			}
			m, err := f.store.Member(ctx, c.Member)
			switch {
			case community.ErrorCode(err) == community.ENotFound:
				names[c.Member] = "#" + c.Member.String()
			case err != nil:
				return nil, err
			default:
				names[c.Member] = m.DisplayName
			}
		}
	}
	return f.router.staffTexts(ctx, f.store, func(lang string) string { return f.summaryText(lang, s, names) })
}

func (f *standingsFeature) summaryText(lang string, s community.StandingsSummary, names map[community.MemberID]string) string {
	cat := f.router.catalog
	tier := func(t community.Tier) catalog.Raw { return catalog.Raw(cat.Text(lang, "tier."+t.String(), nil)) }
	var lines []string
	if len(s.Changes) > 0 {
		lines = append(lines, cat.Count(lang, "standings.changes_title", len(s.Changes), nil))
	}
	for i, c := range s.Changes {
		if i == summaryLines {
			lines = append(lines, cat.Count(lang, "standings.more", len(s.Changes)-summaryLines, nil))
			break
		}
		lines = append(lines, cat.Text(lang, "standings.change_line", map[string]any{"Name": names[c.Member], "From": tier(c.From),
			"To": tier(c.To), "Why": catalog.Raw(f.why(lang, c))}))
	}
	for i, c := range s.AtRisk {
		if i == summaryLines {
			break
		}
		lines = append(lines, cat.Text(lang, "standings.at_risk_line", map[string]any{"Name": names[c.Member], "Why": catalog.Raw(f.why(lang, c))}))
	}
	return strings.Join(lines, "\n")
}

// why explains a standing in percentiles: value (for buyers) and
// engagement, as "top N%".
func (f *standingsFeature) why(lang string, c community.TierChange) string {
	top := func(p float64) int { return max(1, int(math.Ceil(100-p))) }
	data := map[string]any{"Engagement": top(c.Engaged)}
	if c.Orders == 0 {
		return f.router.catalog.Text(lang, "standings.why_engagement", data)
	}
	data["Value"] = top(c.Value)
	return f.router.catalog.Text(lang, "standings.why_value", data)
}

// renderMilestone congratulates a member privately where Hearth may write
// to them: on Discord, and on Telegram once they have started the bot.
func (f *standingsFeature) renderMilestone(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[community.MilestoneReached](e)
	if err != nil {
		return nil, err
	}
	m, err := f.store.Member(ctx, p.Member)
	if community.ErrorCode(err) == community.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ids, err := f.router.writableIdentities(ctx, m)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	id := ids[0]
	lang := f.router.memberLanguage(m, id)
	text := f.router.catalog.Text(lang, "milestone."+p.Milestone, map[string]any{"Name": m.DisplayName, "Community": f.community}) +
		"\n" + f.router.catalog.Text(lang, "milestone.footer", nil)
	return []outbox.Outgoing{{Target: outbox.Target{Platform: id.Platform, UserID: id.UserID, Lang: lang}, Message: Reply{Text: text}}}, nil
}
