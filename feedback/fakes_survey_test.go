package feedback

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
)

// fakeSurveys is an in-memory SurveyStore: every member in members may be
// written to privately and is under the cap; asks keep their history.
type fakeSurveys struct {
	members  map[community.MemberID]Respondent
	surveys  []Survey
	asks     []Ask
	answers  []Answer
	events   []community.Event
	lastWave Wave
}

func newFakeSurveys(members map[community.MemberID]Respondent) *fakeSurveys {
	return &fakeSurveys{members: members}
}

func (f *fakeSurveys) OpenSurvey(_ context.Context, w Wave, choose func([]Candidate) []community.MemberID,
	effects func(Survey, []community.RecipientBatch) community.Effects) (Survey, error) {
	f.lastWave = w
	var cands []Candidate
	for id, r := range f.members {
		c := Candidate{Member: id, Tier: r.Tier}
		for _, a := range f.asks {
			if a.Member == id && a.AskedAt.After(c.LastAsked) {
				c.LastAsked = a.AskedAt
			}
		}
		cands = append(cands, c)
	}
	slices.SortFunc(cands, func(a, b Candidate) int { return int(a.Member - b.Member) })
	picked := choose(cands)
	if len(picked) == 0 {
		return Survey{}, nil
	}
	sv := Survey{ID: SurveyID(len(f.surveys) + 1), OpenedAt: w.At, ClosesAt: w.ClosesAt, Asked: len(picked)}
	f.surveys = append(f.surveys, sv)
	for _, m := range picked {
		f.asks = append(f.asks, Ask{Survey: sv, Member: m, Platform: community.Telegram, AskedAt: w.AskAt})
	}
	f.events = append(f.events, effects(sv, []community.RecipientBatch{{From: picked[0], To: picked[len(picked)-1]}}).Events...)
	return sv, nil
}

func (f *fakeSurveys) SurveyAsk(_ context.Context, survey SurveyID, member community.MemberID) (Ask, error) {
	for _, a := range f.asks {
		if a.Survey.ID == survey && a.Member == member {
			return a, nil
		}
	}
	return Ask{}, community.Errorf(community.ENotFound, "", nil, "not asked")
}

func (f *fakeSurveys) PendingAsk(_ context.Context, member community.MemberID, at time.Time) (Ask, error) {
	for _, a := range slices.Backward(f.asks) {
		answered := slices.ContainsFunc(f.answers, func(b Answer) bool { return b.Survey == a.Survey.ID && b.Member == member })
		if a.Member == member && at.Before(a.Survey.ClosesAt) && !answered {
			return a, nil
		}
	}
	return Ask{}, community.Errorf(community.ENotFound, "", nil, "none open")
}

func (f *fakeSurveys) Respondent(_ context.Context, member community.MemberID) (Respondent, error) {
	return f.members[member], nil
}

func (f *fakeSurveys) RecordAnswer(_ context.Context, a *Answer, effects func(Answer) community.Effects) error {
	for _, b := range f.answers {
		if b.Survey == a.Survey && b.Member == a.Member {
			return fmt.Errorf("answered: %w", community.ErrConflict)
		}
	}
	a.ID = int64(len(f.answers) + 1)
	f.answers = append(f.answers, *a)
	f.events = append(f.events, effects(*a).Events...)
	return nil
}

func (f *fakeSurveys) GiveReason(_ context.Context, survey SurveyID, member community.MemberID, reason string,
	effects func(Answer) community.Effects) (Answer, error) {
	for i, a := range f.answers {
		if a.Survey == survey && a.Member == member {
			if a.Reason != "" {
				return a, fmt.Errorf("reason: %w", community.ErrConflict)
			}
			f.answers[i].Reason = reason
			f.events = append(f.events, effects(f.answers[i]).Events...)
			return f.answers[i], nil
		}
	}
	return Answer{}, community.Errorf(community.ENotFound, "", nil, "no answer")
}

func (f *fakeSurveys) SurveyAnswer(_ context.Context, id int64) (Answer, error) {
	if id < 1 || int(id) > len(f.answers) {
		return Answer{}, community.Errorf(community.ENotFound, "", nil, "no answer")
	}
	return f.answers[id-1], nil
}

func (f *fakeSurveys) SurveyResults(_ context.Context, since time.Time) (int, []Answer, error) {
	asked := 0
	open := map[SurveyID]bool{}
	for _, sv := range f.surveys {
		if !sv.OpenedAt.Before(since) {
			open[sv.ID] = true
			asked += sv.Asked
		}
	}
	var out []Answer
	for _, a := range f.answers {
		if open[a.Survey] {
			out = append(out, a)
		}
	}
	return asked, out, nil
}
