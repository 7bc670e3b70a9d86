package bots

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/digest/chart"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
)

// DigestText is the weekly digest as staff read it, in lang: what the
// staff chats are sent, /digest answers and `hearth digest` prints.
// stored is false for a digest made on the spot rather than read back.
func DigestText(cat *catalog.Catalog, lang string, d digest.Digest, stored bool) string {
	t := digestWriter{cat: cat, lang: lang}
	t.line("digest.title", map[string]any{"Week": d.Week.String(), "From": d.Start.Format("2006-01-02"),
		"To": d.End.AddDate(0, 0, -1).Format("2006-01-02"), "Zone": d.Zone})
	if !stored {
		t.line("digest.made_now", nil)
	}
	t.line("digest.legend", nil)

	t.section("digest.members")
	t.figure("new_members", d.Members.New, count)
	t.figure("active_members", d.Members.Active, count)
	t.figure("returning_members", d.Members.Returning, count)
	t.figure("quiet_members", d.Members.GoneQuiet, count)

	t.section("digest.activity")
	t.figure("messages", d.Activity.Messages, count)
	for _, c := range d.Activity.Busiest {
		t.line("digest.busy_chat", map[string]any{"Chat": c.Title, "Platform": string(c.Platform), "Messages": c.Messages, "Prev": c.Prev})
	}

	t.section("digest.top")
	if len(d.Top) == 0 {
		t.line("digest.nobody", nil)
	}
	for i, c := range d.Top {
		value := t.text("digest.not_linked", nil)
		if c.Linked {
			value = t.text("digest.value", map[string]any{"Predicted": moneyIf(c.Predicted, c.Modelled), "Revenue": money(c.Revenue)})
		}
		t.line("digest.contributor", map[string]any{"Rank": i + 1, "Name": t.name(c.Name), "Tier": catalog.Raw(t.text("tier."+c.Tier.String(), nil)),
			"Points": oneDecimal(c.Points), "Messages": c.Messages, "Value": catalog.Raw(value)})
	}

	t.section("digest.at_risk")
	if d.AtRiskCount == 0 {
		t.line("digest.none_at_risk", nil)
	}
	for _, a := range d.AtRisk {
		var why []string
		for _, r := range a.Reasons {
			why = append(why, t.text("digest.reason."+string(r), map[string]any{"Ticket": a.Ticket, "Score": a.Score,
				"PAlive": percent(a.PAlive), "Before": percent(a.PrevPAlive), "Drop": percent(-a.Drop)}))
		}
		t.line("digest.vip_at_risk", map[string]any{"Name": t.name(a.Name), "Predicted": moneyIf(a.Predicted, a.Modelled),
			"Why":    catalog.Raw(strings.Join(why, "; ")),
			"Action": catalog.Raw(t.text("digest.action."+string(a.Action), map[string]any{"Ticket": a.Ticket, "Name": t.name(a.Name)}))})
	}
	if more := d.AtRiskCount - len(d.AtRisk); more > 0 {
		t.count("digest.more_at_risk", more, nil)
	}

	t.section("digest.ideas")
	t.figure("ideas_new", d.Ideas.New, count)
	t.figure("idea_changes", d.Ideas.StatusChanges, count)
	t.figure("voters_told", d.Ideas.VotersTold, count)
	for _, i := range d.Ideas.Top {
		t.line("digest.idea", map[string]any{"ID": i.ID, "Title": i.Title, "Votes": i.Votes, "New": i.NewVotes, "Value": money(i.Value),
			"Status": catalog.Raw(t.text("feedback.status."+string(i.Status), nil))})
	}

	t.section("digest.nps")
	t.figure("nps_answers", d.NPS.Answers, count)
	if d.NPS.Score.Responses > 0 {
		t.line("digest.nps_score", map[string]any{"NPS": catalog.Raw(npsSpan(cat, lang, d.NPS.Score)),
			"Weighted": t.weightedOrDash(d.NPS.Weighted), "Prev": catalog.Raw(t.npsOrDash(d.NPS.Prev))})
	}

	t.section("digest.support")
	s := d.Support
	t.figure("tickets_opened", s.Opened, count)
	t.figure("tickets_closed", s.Closed, count)
	t.line("digest.open_now", map[string]any{"Count": s.OpenNow})
	if s.Responded > 0 {
		t.figure("first_response", s.FirstResponseMins, func(v float64) string {
			return t.text("digest.minutes", map[string]any{"Minutes": count(v)})
		})
	}
	t.figure("sla_breaches", s.Breaches, count)
	if s.Rated > 0 {
		t.line("digest.csat", map[string]any{"Mean": oneDecimal(s.CSAT.This), "Rated": s.Rated, "Change": catalog.Raw(t.change(s.CSAT))})
	}
	if s.Asked > 0 {
		t.line("digest.kb", map[string]any{"Rate": percent(s.KBHitRate.This), "Asked": s.Asked, "Change": catalog.Raw(t.change(s.KBHitRate))})
	}

	t.section("digest.posts")
	t.figure("posts_submitted", d.Posts.Submitted, count)
	t.figure("posts_approved", d.Posts.Approved, count)
	t.figure("posts_consented", d.Posts.Consented, count)
	t.figure("posts_reshared", d.Posts.Reshared, count)

	t.section("digest.moderation")
	t.figure("moderation_actions", d.Moderation.Actions, count)
	t.figure("moderation_vips", d.Moderation.OnVIPs, count)
	if len(d.Moderation.VIPsNamed) > 0 {
		t.line("digest.moderated_vips", map[string]any{"Names": names(d.Moderation.VIPsNamed)})
	}

	t.section("digest.clv")
	t.figure("new_buyers", d.CLV.NewBuyers, count)
	t.figure("linked_revenue", d.CLV.Revenue, money)
	for _, l := range d.CLV.ByLevel {
		t.line("digest.level_value", map[string]any{"Level": catalog.Raw(t.text(fmt.Sprintf("level.%d", l.Level), nil)),
			"Members": l.Members, "Linked": l.Linked, "Predicted": moneyIf(l.AvgPredicted, l.Predicted > 0), "Revenue": money(l.Revenue)})
	}
	if d.Lift != nil {
		t.lines = append(t.lines, "", LiftText(cat, lang, *d.Lift))
	}
	return strings.Join(t.lines, "\n")
}

// digestWriter writes the digest's lines in one language.
type digestWriter struct {
	cat   *catalog.Catalog
	lang  string
	lines []string
}

// name is a member's name, or "a former member" once they are erased.
func (t *digestWriter) name(s string) string {
	if s == "" {
		return t.text("nps.former_member", nil)
	}
	return s
}

// names joins members' names with commas.
func names(list []digest.Named) string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = n.Name
	}
	return strings.Join(out, ", ")
}

func (t *digestWriter) text(id string, data map[string]any) string {
	return t.cat.Text(t.lang, id, data)
}

func (t *digestWriter) line(id string, data map[string]any) {
	t.lines = append(t.lines, t.text(id, data))
}

func (t *digestWriter) count(id string, n int, data map[string]any) {
	t.lines = append(t.lines, t.cat.Count(t.lang, id, n, data))
}

func (t *digestWriter) section(id string) { t.lines = append(t.lines, "", t.text(id, nil)) }

// figure writes a figure's line: its name, this week's value, and the
// changes against the week before and the four weeks' average.
func (t *digestWriter) figure(name string, f digest.Figure, format func(float64) string) {
	t.line("digest.figure", map[string]any{"Name": catalog.Raw(t.text("digest.name."+name, nil)), "Value": format(f.This),
		"Change": catalog.Raw(t.change(f))})
}

// change writes "(+12% · −3%)", a dash for a change that cannot be
// computed (nothing to compare with).
func (t *digestWriter) change(f digest.Figure) string {
	vsPrev, okPrev := f.VsPrev()
	vsAvg, okAvg := f.VsAvg4()
	if f.Before == 0 {
		return t.text("digest.change_first", nil)
	}
	return t.text("digest.change", map[string]any{"Prev": signedPercent(vsPrev, okPrev), "Avg": signedPercent(vsAvg, okAvg)})
}

// weightedOrDash is a CLV-weighted NPS, or a dash when no answer had a
// CLV to weigh it by.
func (t *digestWriter) weightedOrDash(n feedback.NPS) string {
	if n.EffectiveResponses == 0 {
		return "—"
	}
	return oneDecimal(n.Score)
}

func (t *digestWriter) npsOrDash(n feedback.NPS) string {
	if n.Responses == 0 {
		return "—"
	}
	return oneDecimal(n.Score)
}

// moneyIf writes an amount that is known, a dash for one that is not (a
// predicted CLV without a model).
func moneyIf(v float64, known bool) string {
	if !known {
		return "—"
	}
	return money(v)
}

func count(v float64) string { return strconv.FormatFloat(math.Round(v), 'f', 0, 64) }

// percent writes a share (0.25) as a percentage (25%).
func percent(v float64) string { return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + "%" }

// signedPercent writes a change as +12% or −3%, or a dash when unknown.
func signedPercent(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	r := math.Round(v * 100)
	switch {
	case r > 0:
		return "+" + strconv.FormatFloat(r, 'f', 0, 64) + "%"
	case r < 0:
		return "−" + strconv.FormatFloat(-r, 'f', 0, 64) + "%"
	}
	return "±0%"
}

// DigestCharts draws the digest's charts with titles in lang: active
// members and messages over the twelve weeks, the average predicted CLV
// by engagement level and the NPS by week.
func DigestCharts(cat *catalog.Catalog, lang string, d digest.Digest) ([]outbox.Image, error) {
	weeks := make([]digest.Week, len(d.Trend))
	active, messages := make([]float64, len(d.Trend)), make([]float64, len(d.Trend))
	for i, p := range d.Trend {
		w, err := digest.ParseWeek(p.Week)
		if err != nil {
			return nil, fmt.Errorf("digest %s: trend: %w", d.Week, err)
		}
		weeks[i], active[i], messages[i] = w, float64(p.Active), float64(p.Messages)
	}
	text := func(id string) string { return cat.Text(lang, id, nil) }
	var levels []string
	var avg []float64
	for _, l := range d.CLV.ByLevel {
		if l.Predicted > 0 { // a level without a prediction has no bar
			levels, avg = append(levels, text(fmt.Sprintf("level.%d", l.Level))), append(avg, l.AvgPredicted)
		}
	}
	type drawing struct {
		name string
		draw func() ([]byte, error)
	}
	drawings := []drawing{
		{"active", func() ([]byte, error) {
			return chart.Lines(text("digest.chart.active"), weeks, []chart.Series{{Name: text("digest.chart.active_series"), Values: active}})
		}},
		{"messages", func() ([]byte, error) {
			return chart.Lines(text("digest.chart.messages"), weeks, []chart.Series{{Name: text("digest.chart.messages_series"), Values: messages}})
		}},
	}
	if len(levels) > 0 {
		drawings = append(drawings, drawing{"clv-by-level", func() ([]byte, error) { return chart.Bars(text("digest.chart.clv_by_level"), levels, avg) }})
	}
	if nps := d.NPSSeries(); slices.ContainsFunc(nps, func(v float64) bool { return !math.IsNaN(v) }) {
		drawings = append(drawings, drawing{"nps", func() ([]byte, error) {
			return chart.Lines(text("digest.chart.nps"), weeks, []chart.Series{{Name: "NPS", Values: nps}})
		}})
	}
	var out []outbox.Image
	for _, c := range drawings {
		png, err := c.draw()
		if err != nil {
			return nil, fmt.Errorf("digest %s: chart %s: %w", d.Week, c.name, err)
		}
		out = append(out, outbox.Image{Data: png, Name: fmt.Sprintf("%s-%s.png", d.Week, c.name)})
	}
	return out, nil
}

// HighlightText is the week told to a group: a welcome to its newcomers
// (welcomed by name, more counted), the ideas that shipped and the
// customers' posts shared with consent, thanking the authors it may name.
func HighlightText(cat *catalog.Catalog, lang, community string, h digest.Highlight, welcomed []digest.Named, more int) string {
	t := digestWriter{cat: cat, lang: lang}
	t.line("highlight.title", map[string]any{"Community": community})
	switch {
	case len(welcomed) > 0 && more > 0:
		t.count("highlight.welcome_more", more, map[string]any{"Names": names(welcomed)})
	case len(welcomed) > 0:
		t.line("highlight.welcome", map[string]any{"Names": names(welcomed)})
	case more > 0:
		t.count("highlight.welcome_unnamed", more, nil)
	}
	if len(h.Shipped) > 0 {
		t.section("highlight.shipped")
		for _, i := range h.Shipped {
			t.count("highlight.shipped_idea", i.Votes, map[string]any{"ID": i.ID, "Title": i.Title})
		}
	}
	if h.Posts > 0 {
		t.section("highlight.posts")
		t.count("highlight.posts_count", h.Posts, nil)
		if len(h.Authors) > 0 {
			t.line("highlight.posts_thanks", map[string]any{"Names": names(h.Authors)})
		}
	}
	return strings.Join(t.lines, "\n")
}
