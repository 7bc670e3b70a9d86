package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// NPSOptions configure the NPS survey (nps.*).
type NPSOptions struct {
	Schedule     community.Schedule
	Wave         feedback.WaveRules
	AnswerWindow time.Duration
}

// SurveyOutbox is what the NPS renderers need from persistence.
type SurveyOutbox interface {
	// SurveyAsks returns the members of a survey asked with ids from
	// from to to, each with their identities on the platform they are
	// asked on, and when the questions may go.
	SurveyAsks(ctx context.Context, survey feedback.SurveyID, from, to community.MemberID) ([]community.Member, time.Time, error)
}

// SurveyTickets is what the alert's Open a ticket button needs from
// persistence.
type SurveyTickets interface {
	// OpenAnswerTicket opens the support ticket of an NPS answer's alert
	// once, even when two staff press at the same moment: open opens it
	// through tickets, in the transaction that links it to the answer. It
	// returns the answer's ticket and whether this call opened it;
	// ENotFound (nps.no_answer) when the answer's member was erased.
	OpenAnswerTicket(ctx context.Context, answer int64,
		open func(a feedback.Answer, tickets support.Store) (support.Ticket, error)) (int64, bool, error)
}

// npsFeatureStore is what the NPS feature reads itself; the rules' own
// go through feedback.Surveys.
type npsFeatureStore interface {
	staffChatLister
	SurveyOutbox
	SurveyTickets
}

// npsFeature asks members the NPS question privately and takes their
// answers (buttons 0-10, then an optional reason), alerts staff of a
// valuable detractor with a button that opens a ticket, and shows staff
// the report (/nps).
type npsFeature struct {
	store   npsFeatureStore
	now     func() time.Time
	surveys *feedback.Surveys
	desk    *support.Desk // opens a ticket for a detractor's answer
	router  *Router
	wake    func()
}

func newNPSFeature(store npsFeatureStore, now func() time.Time, surveys *feedback.Surveys, desk *support.Desk) *npsFeature {
	return &npsFeature{store: store, now: now, surveys: surveys, desk: desk}
}

// Register adds /nps for staff and /survey for members (whose buttons and
// form answer the question), and the renderers of the questions and the
// alerts.
func (f *npsFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router, f.wake = router, dispatcher.Wake
	reg := router.Registry()
	reg.Add(Command{Name: "nps", Permission: community.RoleStaff, Where: InStaffChat | InDirect, Run: f.report, Button: f.ticketButton,
		Args: []Arg{{Name: "weeks", Kind: ArgNumber}}})
	reg.Add(Command{Name: "survey", Permission: community.RoleMember, Where: InDirect, Run: f.survey, Button: f.answerButton, Form: f.reason,
		Args: []Arg{{Name: "survey", Kind: ArgNumber}}})
	dispatcher.Render(feedback.EventNPSAsk, f.renderAsks)
	dispatcher.Render(feedback.EventNPSAlert, f.renderAlert)
}

// question is the NPS question of a survey with its eleven buttons, five
// to a row.
func (f *npsFeature) question(lang string, sv feedback.SurveyID) Reply {
	var rows [][]Button
	for score := range 11 {
		if score%outbox.MaxButtonsRow == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], Button{Label: strconv.Itoa(score), Data: fmt.Sprintf("survey:s:%d:%d", sv, score)})
	}
	text := f.router.catalog.Text(lang, "nps.question", map[string]any{"Community": f.router.community}) + "\n" +
		f.router.catalog.Text(lang, "nps.scale", nil)
	return Reply{Text: text, Buttons: rows}
}

// renderAsks writes the question privately to a batch of a wave's
// members, on the platform each is asked on, in their language; in quiet
// hours the messages wait until they end.
func (f *npsFeature) renderAsks(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[feedback.NPSAskBatch](e)
	if err != nil {
		return nil, err
	}
	members, at, err := f.store.SurveyAsks(ctx, p.Survey, p.From, p.To)
	if err != nil {
		return nil, err
	}
	var out []outbox.Outgoing
	for _, m := range members {
		msgs, err := f.router.privately(ctx, m, at, func(lang string) outbox.Message { return f.question(lang, p.Survey) })
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// survey shows again the question of the member's open survey, or of the
// survey named (/survey ID, the number its buttons carry).
func (f *npsFeature) survey(ctx context.Context, r *Request) (Reply, error) {
	var ask feedback.Ask
	var err error
	if arg := r.Arg("survey"); arg == "" {
		ask, err = f.surveys.Pending(ctx, r.Member)
	} else if n, perr := strconv.ParseInt(arg, 10, 64); perr != nil {
		return Reply{Text: r.Text("nps.survey_how", nil)}, nil
	} else {
		ask, err = f.surveys.Asked(ctx, feedback.SurveyID(n), r.Member)
	}
	if err != nil {
		return Reply{}, err
	}
	return f.question(r.Lang, ask.Survey.ID), nil
}

// answerButton takes a pressed score (survey:s:ID:SCORE), or the choice
// to give a reason (survey:why:ID) or not (survey:skip:ID).
func (f *npsFeature) answerButton(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	if len(parts) < 3 {
		return Reply{}, badButton(r.Data)
	}
	n, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || n <= 0 {
		return Reply{}, badButton(r.Data)
	}
	sv := feedback.SurveyID(n)
	switch {
	case parts[1] == "why":
		return Reply{Form: &Form{ID: "survey:reason:" + sv.String(), Title: r.Text("nps.reason_title", nil), Fields: []FormField{{
			ID: "reason", Label: r.Text("nps.reason_field", nil), Long: true, Required: true}}}}, nil
	case parts[1] == "skip":
		return Reply{Text: r.Text("nps.thanks", nil), Edit: true}, nil
	case parts[1] != "s" || len(parts) != 4:
		return Reply{}, badButton(r.Data)
	}
	score, err := strconv.Atoi(parts[3])
	if err != nil {
		return Reply{}, badButton(r.Data)
	}
	outcome, err := f.surveys.Answer(ctx, sv, r.Member, r.Platform, feedback.Score(score))
	if err != nil {
		return Reply{}, err
	}
	if outcome == feedback.Late {
		return Reply{Text: r.Text("nps.late", nil), Edit: true}, nil
	}
	f.wake()
	return Reply{Text: r.Text("nps.scored", map[string]any{"Score": score}) + "\n\n" + r.Text("nps.reason_question", nil), Edit: true,
		Buttons: [][]Button{{{Label: r.Text("nps.button_why", nil), Data: "survey:why:" + sv.String()},
			{Label: r.Text("nps.button_skip", nil), Data: "survey:skip:" + sv.String()}}}}, nil
}

// reason records the reason a member gives for their score.
func (f *npsFeature) reason(ctx context.Context, r *Request) (Reply, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(r.Data, "survey:reason:"), 10, 64)
	if err != nil {
		return Reply{}, fmt.Errorf("survey form %q: %w", r.Data, err)
	}
	if _, err := f.surveys.Explain(ctx, feedback.SurveyID(n), r.Member, r.Fields["reason"]); err != nil {
		return Reply{}, err
	}
	f.wake()
	return Reply{Text: r.Text("nps.thanks_reason", nil)}, nil
}
