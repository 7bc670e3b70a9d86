package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// The staff's commands on one ticket: /claim, /assign, /close and
// /reopen, each naming the ticket by its number (#12 or 12).

// registerDesk adds the ticket commands after /tickets.
func (f *supportFeature) registerDesk(reg *Registry) {
	id := Arg{Name: "ticket", Kind: ArgWord, Required: true}
	staff := func(name string, run Handler, args ...Arg) Command {
		return Command{Name: name, Permission: community.RoleStaff, Where: InStaffChat | InDirect, Run: run, Args: append([]Arg{id}, args...)}
	}
	reg.AddAfter("tickets", staff("claim", f.claim))
	reg.AddAfter("claim", staff("assign", f.assign, Arg{Name: "member", Kind: ArgMember, Required: true}))
	reg.AddAfter("assign", staff("close", f.closeTicket, Arg{Name: "resolution", Kind: ArgText}))
	reg.AddAfter("close", staff("reopen", f.reopen))
	reg.AddAfter("reopen", staff("transcript", f.transcript))
	reg.AddAfter("transcript", Command{Name: "support", Permission: community.RoleStaff, Where: InStaffChat | InDirect, Run: f.supportReport})
}

// ticketArg reads the ticket number a command names.
func ticketArg(r *Request) (int64, error) {
	s := strings.TrimPrefix(strings.TrimSpace(r.Arg("ticket")), "#")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, community.Errorf(community.EInvalid, "tickets.bad_number", map[string]any{"Text": r.Arg("ticket")}, "%q is not a ticket number", r.Arg("ticket"))
	}
	return id, nil
}

// claim makes the ticket the caller's.
func (f *supportFeature) claim(ctx context.Context, r *Request) (Reply, error) {
	id, err := ticketArg(r)
	if err != nil {
		return Reply{}, err
	}
	t, err := f.desk.Claim(ctx, id, r.Member)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("tickets.claimed", map[string]any{"ID": t.ID, "Name": t.Name, "Due": catalog.Raw(f.dueText(r.Lang, t))})}, nil
}

// assign hands the ticket to another staff member; a member who is not
// staff on any of their accounts is refused, and the refusal audited.
func (f *supportFeature) assign(ctx context.Context, r *Request) (Reply, error) {
	id, err := ticketArg(r)
	if err != nil {
		return Reply{}, err
	}
	to, err := r.TargetMember(ctx, "member")
	if err != nil {
		return Reply{}, err
	}
	role := community.RoleMember // the highest of their accounts'
	for _, ident := range to.Identities {
		got, err := f.router.access.RoleOf(ctx, ident.Account, to.ID)
		if err != nil {
			return Reply{}, err
		}
		role = max(role, got)
	}
	if role < community.RoleStaff {
		if err := f.router.store.Audit(ctx, community.AuditEntry{At: f.now(), Actor: r.Member, Action: "tickets.assign_refused", Target: to.ID,
			Chat: r.ChatID, Details: map[string]any{"ticket": id, "role": role.String()}}); err != nil {
			return Reply{}, err
		}
		return Reply{}, community.Errorf(community.EInvalid, "tickets.assign_not_staff", map[string]any{"Name": to.DisplayName},
			"member %d is not staff", to.ID)
	}
	t, err := f.desk.Assign(ctx, id, to.ID, r.Member)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("tickets.assigned", map[string]any{"ID": t.ID, "Name": t.Name, "Staff": to.DisplayName})}, nil
}

// closeTicket closes the ticket, with what staff write after its number.
func (f *supportFeature) closeTicket(ctx context.Context, r *Request) (Reply, error) {
	id, err := ticketArg(r)
	if err != nil {
		return Reply{}, err
	}
	t, err := f.desk.Close(ctx, id, r.Member, r.Arg("resolution"))
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("tickets.closed", map[string]any{"ID": t.ID, "Name": t.Name, "Resolution": t.Resolution})}, nil
}

// reopen opens a closed ticket again.
func (f *supportFeature) reopen(ctx context.Context, r *Request) (Reply, error) {
	id, err := ticketArg(r)
	if err != nil {
		return Reply{}, err
	}
	t, err := f.desk.Reopen(ctx, id, r.Member)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("tickets.reopened", map[string]any{"ID": t.ID, "Name": t.Name, "Due": catalog.Raw(f.dueText(r.Lang, t))})}, nil
}

// dueText says when a ticket is due: "due in 40 minutes", or "overdue by
// 2 hours" once its time has passed.
func (f *supportFeature) dueText(lang string, t support.Ticket) string {
	left := t.Due().Sub(f.now())
	if left < 0 {
		return f.router.catalog.Text(lang, "tickets.overdue", map[string]any{"For": catalog.Raw(durationText(f.router.catalog, lang, max(-left, time.Minute)))})
	}
	return f.router.catalog.Text(lang, "tickets.due_in", map[string]any{"In": catalog.Raw(durationText(f.router.catalog, lang, max(left, time.Minute)))})
}

// answerWithin tells a member roughly when a person will answer their
// ticket: the time to its first-response target, rounded up (to 5
// minutes, or to the hour beyond 2 hours) so that it never promises
// earlier than the target.
func (f *supportFeature) answerWithin(lang string, t support.Ticket) string {
	if t.FirstResponseDue.IsZero() {
		return "" // not known: a ticket opened before
	}
	d, step := t.FirstResponseDue.Sub(f.now()), 5*time.Minute
	if d > 2*time.Hour {
		step = time.Hour
	}
	d = max((d+step-1)/step*step, step)
	return durationText(f.router.catalog, lang, d)
}

// renderAlert tells of an SLA alert: a reminder goes to the ticket's
// assignee privately (to the staff chats when nobody has it, or Hearth
// may not write to them); a breach goes to the staff chats and to every
// owner Hearth may write to.
func (f *supportFeature) renderAlert(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	a, err := outbox.Decode[support.Alert](e)
	if err != nil {
		return nil, err
	}
	text := func(lang string) string {
		cat := f.router.catalog
		return cat.Text(lang, "tickets.sla_"+string(a.Kind), map[string]any{"ID": a.Ticket, "Name": a.Name,
			"Urgency": catalog.Raw(cat.Text(lang, "tickets.urgency."+string(a.Urgency), nil)),
			"Clock":   catalog.Raw(cat.Text(lang, "tickets.clock."+string(a.Clock), nil)),
			"Due":     catalog.Raw(f.dueText(lang, support.Ticket{FirstResponseDue: a.Due})), "Text": excerpt(a.Text, 200)})
	}
	message := func(lang string) outbox.Message { return Reply{Text: text(lang)} }
	if a.Kind == support.AlertReminder && a.Assignee != 0 {
		m, err := f.store.Member(ctx, a.Assignee)
		if err != nil && community.ErrorCode(err) != community.ENotFound {
			return nil, err
		}
		if err == nil {
			out, err := f.router.privately(ctx, m, time.Time{}, message)
			if err != nil || len(out) > 0 {
				return out, err
			}
		}
	}
	out, err := f.router.staffTexts(ctx, f.store, text)
	if err != nil || a.Kind != support.AlertBreach {
		return out, err
	}
	for _, acct := range f.router.access.Owners() {
		owner, err := f.router.store.FindMember(ctx, acct.Platform, community.MemberRef{UserID: acct.UserID, Text: acct.String()})
		if community.ErrorCode(err) == community.ENotFound {
			continue // an owner who never wrote to Hearth
		}
		if err != nil {
			return nil, err
		}
		private, err := f.router.privately(ctx, owner, time.Time{}, message)
		if err != nil {
			return nil, err
		}
		out = append(out, private...)
	}
	return out, nil
}

// supportReport shows staff the last week of the support desk: tickets by
// tier, the median times to a first answer and to resolution, breaches,
// CSAT and the knowledge base's hit rate.
func (f *supportFeature) supportReport(ctx context.Context, r *Request) (Reply, error) {
	rep, err := support.WeekReport(ctx, f.store, f.now())
	if err != nil {
		return Reply{}, err
	}
	cat := f.router.catalog
	var tiers []string
	for _, tier := range []string{"vip", "loyal", "regular", "newcomer", ""} {
		if n := rep.ByTier[tier]; n > 0 {
			name := cat.Text(r.Lang, "support.report_unranked", nil)
			if tier != "" {
				name = cat.Text(r.Lang, "tier."+tier, nil)
			}
			tiers = append(tiers, fmt.Sprintf("%s %d", name, n))
		}
	}
	none := cat.Text(r.Lang, "support.report_none", nil)
	median := func(n int, d time.Duration) string {
		if n == 0 {
			return none
		}
		return durationText(cat, r.Lang, max(d, time.Minute))
	}
	csat, hit := none, none
	if rep.Rated > 0 {
		csat = cat.Text(r.Lang, "support.report_csat", map[string]any{"Mean": strconv.FormatFloat(rep.MeanCSAT, 'f', 1, 64)})
	}
	if rep.Asked > 0 {
		hit = fmt.Sprintf("%.0f%%", 100*rep.KBHitRate())
	}
	return Reply{Text: r.Text("support.report", map[string]any{"Days": support.ReportDays, "Opened": rep.Opened,
		"Tiers": strings.Join(tiers, ", "), "Closed": rep.Closed, "OpenNow": rep.OpenNow,
		"FirstResponse": catalog.Raw(median(rep.Responded, rep.MedianFirstResponse)), "Responded": rep.Responded,
		"Resolution": catalog.Raw(median(rep.Resolved, rep.MedianResolution)), "Resolved": rep.Resolved,
		"Breaches": rep.Breaches, "CSAT": catalog.Raw(csat), "Rated": rep.Rated,
		"Asked": rep.Asked, "HitRate": catalog.Raw(hit), "Escalated": rep.Escalated})}, nil
}
