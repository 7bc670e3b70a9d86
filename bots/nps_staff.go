package bots

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// report shows staff the NPS report of the last weeks (12 unless given).
func (f *npsFeature) report(ctx context.Context, r *Request) (Reply, error) {
	weeks := feedback.DefaultReportWeeks
	if w := r.Arg("weeks"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil {
			return Reply{}, community.Errorf(community.EInvalid, "nps.bad_weeks", map[string]any{"Max": feedback.MaxReportWeeks, "Weeks": w}, "weeks %q", w)
		}
		weeks = n
	}
	rep, err := f.surveys.Report(ctx, weeks)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: ReportText(f.router.catalog, r.Lang, rep, weeks)}, nil
}

// oneDecimal writes a figure with one decimal: an NPS (14.3), a mean
// CSAT, points.
func oneDecimal(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64) }

// npsSpan writes a score with its interval: +14.3 (-47.4 to 76.0).
func npsSpan(cat *catalog.Catalog, lang string, n feedback.NPS) string {
	return cat.Text(lang, "nps.report_score", map[string]any{"Score": oneDecimal(n.Score), "Low": oneDecimal(n.Low), "High": oneDecimal(n.High)})
}

// ReportText is the NPS report as staff read it, in lang: the /nps
// answer and the text of `hearth nps report`.
func ReportText(cat *catalog.Catalog, lang string, rep feedback.Report, weeks int) string {
	lines := []string{cat.Count(lang, "nps.report_title", weeks, map[string]any{"Since": rep.Since.Format("2006-01-02")})}
	o := rep.Overall
	if o.Responses == 0 {
		return strings.Join(append(lines, cat.Count(lang, "nps.report_empty", rep.Asked, nil)), "\n")
	}
	lines = append(lines,
		cat.Text(lang, "nps.report_overall", map[string]any{"NPS": catalog.Raw(npsSpan(cat, lang, o)),
			"Promoters": o.Promoters, "Passives": o.Passives, "Detractors": o.Detractors}),
		cat.Text(lang, "nps.report_weighted", map[string]any{"NPS": catalog.Raw(npsSpan(cat, lang, rep.Weighted)),
			"Effective": oneDecimal(rep.Weighted.EffectiveResponses)}),
		cat.Count(lang, "nps.report_responses", o.Responses, map[string]any{"Asked": rep.Asked, "Rate": oneDecimal(100 * rep.ResponseRate)}),
		"", cat.Text(lang, "nps.report_by_tier", nil))
	for _, t := range rep.ByTier {
		lines = append(lines, cat.Count(lang, "nps.report_tier", t.NPS.Responses, map[string]any{
			"Tier": catalog.Raw(cat.Text(lang, "tier."+t.Tier.String(), nil)), "NPS": oneDecimal(t.NPS.Score)}))
	}
	lines = append(lines, "", cat.Text(lang, "nps.report_trend", nil))
	for _, w := range rep.Trend {
		score := "—"
		if w.NPS.Responses > 0 {
			score = oneDecimal(w.NPS.Score)
		}
		lines = append(lines, cat.Count(lang, "nps.report_week", w.NPS.Responses, map[string]any{
			"Week": fmt.Sprintf("%d-W%02d", w.Year, w.Week), "NPS": score}))
	}
	if len(rep.Comments) > 0 {
		lines = append(lines, "", cat.Text(lang, "nps.report_comments", nil))
	}
	for _, c := range rep.Comments {
		name := c.Name
		if name == "" {
			name = cat.Text(lang, "nps.former_member", nil)
		}
		lines = append(lines, cat.Text(lang, "nps.report_comment", map[string]any{"Score": int(c.Score), "Name": name,
			"Tier": catalog.Raw(cat.Text(lang, "tier."+c.Tier.String(), nil)), "Reason": c.Reason}))
	}
	return strings.Join(lines, "\n")
}

// renderAlert tells every staff chat of a VIP's or an at-risk VIP's
// detractor answer, with their tier and CLV and a button that opens a
// ticket for them.
func (f *npsFeature) renderAlert(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[feedback.NPSAlert](e)
	if err != nil {
		return nil, err
	}
	a, err := f.surveys.Alerted(ctx, p.Answer)
	if community.ErrorCode(err) == community.ENotFound || err == nil && a.Member == 0 {
		return nil, nil // the member asked to be forgotten: staff are told nothing about them
	}
	if err != nil {
		return nil, err
	}
	cat := f.router.catalog
	return f.router.staffMessages(ctx, f.store, func(lang string) (Reply, error) {
		text := cat.Text(lang, "nps.alert", map[string]any{"Name": a.Name, "Score": int(a.Score),
			"Tier": catalog.Raw(cat.Text(lang, "tier."+a.Tier.String(), nil)), "CLV": strconv.FormatFloat(a.CLV, 'f', 2, 64)})
		if a.Flags.Has(community.FlagAtRiskVIP) {
			text += "\n" + cat.Text(lang, "support.question_at_risk", nil)
		}
		if a.Reason != "" {
			text += "\n\n" + cat.Text(lang, "nps.alert_reason", map[string]any{"Reason": a.Reason})
		}
		reply := Reply{Text: text}
		if a.Ticket == 0 {
			reply.Buttons = [][]Button{{{Label: cat.Text(lang, "nps.button_ticket", nil), Data: fmt.Sprintf("nps:ticket:%d", a.ID)}}}
		}
		return reply, nil
	})
}

// ticketButton opens a support ticket for the member of an alert, once
// (a second press, even at the same moment, is told the ticket): the
// queue serves it at the member's priority. The ticket opens through a
// desk over the answer's transaction, so that it and its link to the
// answer are saved together.
func (f *npsFeature) ticketButton(ctx context.Context, r *Request) (Reply, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Data, "nps:ticket:"), 10, 64)
	if err != nil || id <= 0 {
		return Reply{}, badButton(r.Data)
	}
	var name string
	ticket, opened, err := f.store.OpenAnswerTicket(ctx, id, func(a feedback.Answer, tickets support.Store) (support.Ticket, error) {
		name = a.Name
		text := strings.TrimSpace(fmt.Sprintf("NPS %d/10. %s", a.Score, a.Reason))
		return f.desk.Over(tickets).Open(ctx, support.Question{Member: a.Member, Name: a.Name, Platform: a.Platform, Where: "NPS", Text: text})
	})
	switch {
	case err != nil:
		return Reply{}, err
	case !opened:
		return Reply{Text: r.Text("nps.ticket_open", map[string]any{"Ticket": ticket}), Ephemeral: true}, nil
	}
	f.wake()
	return Reply{Text: r.Text("nps.ticket_opened", map[string]any{"Ticket": ticket, "Name": name})}, nil
}
