package feedback

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// clock is a settable time for the service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func onTelegram() map[community.Platform]community.MessagingCapabilities {
	return map[community.Platform]community.MessagingCapabilities{community.Telegram: {}}
}

func surveyRules() SurveyRules {
	return SurveyRules{Schedule: "0 11 * * TUE", Wave: WaveRules{SamplePercent: 25, MinInterval: 90 * 24 * time.Hour},
		AnswerWindow: 7 * 24 * time.Hour, WeeklyCap: 2, Quiet: community.QuietHours{From: 22 * time.Hour, To: 8 * time.Hour}}
}

func community20() map[community.MemberID]Respondent {
	out := map[community.MemberID]Respondent{}
	for i := 1; i <= 20; i++ {
		out[community.MemberID(i)] = Respondent{Tier: community.TierRegular}
	}
	return out
}

// TestNobodyIsAskedTwiceWithinTheInterval: weekly waves of at most 5 of
// 20 members ask 5 each week; nobody is asked again within 90 days, so the
// fifth week finds nobody left and asks nobody.
func TestNobodyIsAskedTwiceWithinTheInterval(t *testing.T) {
	store := newFakeSurveys(community20())
	c := &clock{time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)}
	r := surveyRules()
	r.Wave.SamplePercent, r.Wave.MaxPerWave = 100, 5
	s := NewSurveys(store, r, onTelegram, c.now, 7)
	last := map[community.MemberID]time.Time{}
	for week := range 8 {
		sv, err := s.OpenWave(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 5, false: 0}[week < 4]; sv.Asked != want {
			t.Errorf("week %d asked %d, want %d", week, sv.Asked, want)
		}
		c.t = c.t.AddDate(0, 0, 7)
	}
	for _, a := range store.asks {
		if prev, ok := last[a.Member]; ok && a.AskedAt.Sub(prev) < 90*24*time.Hour {
			t.Errorf("member %d asked on %s and again on %s", a.Member, prev, a.AskedAt)
		}
		last[a.Member] = a.AskedAt
	}
	if len(last) != 20 {
		t.Errorf("%d members asked; want all 20 once", len(last))
	}
}

// TestWaveInQuietHoursWaits: a wave at 23:00 asks at 08:00, and its window
// runs from then.
func TestWaveInQuietHoursWaits(t *testing.T) {
	store := newFakeSurveys(community20())
	c := &clock{time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)}
	sv, err := NewSurveys(store, surveyRules(), onTelegram, c.now, 7).OpenWave(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	askAt := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	if !store.lastWave.AskAt.Equal(askAt) || !sv.ClosesAt.Equal(askAt.Add(7*24*time.Hour)) {
		t.Errorf("asks at %s, closes at %s; want %s and a week later", store.lastWave.AskAt, sv.ClosesAt, askAt)
	}
	if len(store.events) != 1 || store.events[0].Kind != EventNPSAsk {
		t.Errorf("events %v; want one %s", store.events, EventNPSAsk)
	}
}

// TestNoCapNoPlatformNoWave: a weekly cap of 0, or no platform to write
// on, asks nobody.
func TestNoCapNoPlatformNoWave(t *testing.T) {
	c := &clock{time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)}
	r := surveyRules()
	r.WeeklyCap = 0
	for name, s := range map[string]*Surveys{
		"cap 0":       NewSurveys(newFakeSurveys(community20()), r, onTelegram, c.now, 1),
		"no platform": NewSurveys(newFakeSurveys(community20()), surveyRules(), func() map[community.Platform]community.MessagingCapabilities { return nil }, c.now, 1),
	} {
		if sv, err := s.OpenWave(context.Background()); err != nil || sv.ID != 0 {
			t.Errorf("%s: survey %+v, %v; want none", name, sv, err)
		}
	}
}

// answering is a survey that asked members 1 (VIP), 2 (loyal, at-risk
// VIP flag) and 3 (regular) at 11:00, open for a week.
func answering(t *testing.T) (*Surveys, *fakeSurveys, *clock, SurveyID) {
	t.Helper()
	store := newFakeSurveys(map[community.MemberID]Respondent{
		1: {Tier: community.TierVIP, CLV: 900}, 2: {Tier: community.TierLoyal, Flags: community.FlagAtRiskVIP, CLV: 400}, 3: {Tier: community.TierRegular}})
	c := &clock{time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)}
	r := surveyRules()
	r.Wave.SamplePercent = 100
	s := NewSurveys(store, r, onTelegram, c.now, 1)
	sv, err := s.OpenWave(context.Background())
	if err != nil || sv.Asked != 3 {
		t.Fatalf("survey %+v, %v; want 3 asked", sv, err)
	}
	store.events = nil
	c.t = c.t.Add(time.Hour)
	return s, store, c, sv.ID
}

// TestAnswerRules: a score counts once; not asked, out of range, twice
// are refused with their keys; a press after the window is late and
// changes nothing.
func TestAnswerRules(t *testing.T) {
	s, store, c, sv := answering(t)
	ctx := context.Background()
	if out, err := s.Answer(ctx, sv, 3, community.Telegram, 8); err != nil || out != Counted {
		t.Fatalf("answer: %v, %v", out, err)
	}
	for name, tc := range map[string]struct {
		member community.MemberID
		score  Score
		key    string
	}{
		"twice":     {3, 9, "nps.answered"},
		"not asked": {4, 9, "nps.not_asked"},
		"11":        {1, 11, "nps.bad_score"},
		"-1":        {1, -1, "nps.bad_score"},
	} {
		_, err := s.Answer(ctx, sv, tc.member, community.Telegram, tc.score)
		if e, ok := err.(*community.Error); !ok || e.Key != tc.key {
			t.Errorf("%s: %v; want %s", name, err, tc.key)
		}
	}
	if ask, err := s.Pending(ctx, 1); err != nil || ask.Survey.ID != sv {
		t.Errorf("member 1's pending ask: %+v, %v; want survey %d", ask, err, sv)
	}
	if _, err := s.Pending(ctx, 3); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("member 3 answered, yet has a pending ask: %v", err)
	}
	c.t = time.Date(2026, 12, 8, 11, 0, 0, 0, time.UTC)
	if out, err := s.Answer(ctx, sv, 1, community.Telegram, 2); err != nil || out != Late {
		t.Errorf("late press: %v, %v; want Late", out, err)
	}
	if len(store.answers) != 1 || store.answers[0].Score != 8 {
		t.Errorf("answers %+v; want only the 8", store.answers)
	}
}

// TestValuableDetractorsAlertStaff: a VIP's 3 and an at-risk VIP's 6
// raise an alert, the VIP's reason another; a regular's 0 does not.
func TestValuableDetractorsAlertStaff(t *testing.T) {
	s, store, _, sv := answering(t)
	ctx := context.Background()
	for m, score := range map[community.MemberID]Score{1: 3, 2: 6, 3: 0} {
		if _, err := s.Answer(ctx, sv, m, community.Telegram, score); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Explain(ctx, sv, 1, "  delivery took three weeks  "); err != nil {
		t.Fatal(err)
	}
	alerted := map[community.MemberID]int{}
	for _, e := range store.events {
		alerted[e.Payload.(NPSAlert).Member]++
	}
	if alerted[1] != 2 || alerted[2] != 1 || alerted[3] != 0 {
		t.Errorf("alerts per member %v; want VIP 2, at-risk 1, regular 0", alerted)
	}
	var a Answer
	for _, b := range store.answers {
		if b.Member == 1 {
			a = b
		}
	}
	if a.Reason != "delivery took three weeks" || a.CLV != 900 || a.Tier != community.TierVIP {
		t.Errorf("answer %+v", a)
	}
	for name, tc := range map[string]struct {
		member community.MemberID
		reason string
		key    string
	}{"again": {1, "more", "nps.reason_given"}, "empty": {2, "   ", "nps.reason_empty"},
		"long": {2, string(make([]rune, MaxReason+1)), "nps.reason_too_long"}, "no answer": {4, "why", "nps.not_answered"}} {
		if _, err := s.Explain(ctx, sv, tc.member, tc.reason); community.ErrorCode(err) == "" || err.(*community.Error).Key != tc.key {
			t.Errorf("%s: %v; want %s", name, err, tc.key)
		}
	}
}

// reportAnswers: seven answers, by hand: 3 promoters, 2 passives, 2
// detractors.
func reportAnswers(at time.Time) []Answer {
	a := func(score Score, tier community.Tier, clv float64, reason string, days int) Answer {
		return Answer{Score: score, Reason: reason, At: at.AddDate(0, 0, days), Respondent: Respondent{Tier: tier, CLV: clv}}
	}
	return []Answer{
		a(10, community.TierRegular, 100, "", -14), a(10, community.TierNewcomer, 0, "", -14), a(9, community.TierLoyal, 50, "", -7),
		a(8, community.TierLoyal, 200, "", -7), a(7, community.TierRegular, 0, "", 0), a(3, community.TierVIP, 300, "slow", 0),
		a(0, community.TierRegular, 50, "rude", 0),
	}
}

func exact(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestReportByHand: NPS (3-2)/7 = 14.2857 with the interval ±1.96·√((5/7 -
// (1/7)²)/7) = -47.4233 to 75.9947; CLV-weighted (150-350)/700 = -28.5714
// with n_eff = 700²/145000 = 3.3793 and the interval up to 56.2342 (the
// low end clamped at -100); by tier; 7 of 10 asked; three weeks.
func TestReportByHand(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC) // a Wednesday
	since := weekStart(now).AddDate(0, 0, -14)
	r := BuildReport(since, 3, 10, reportAnswers(now))
	o, w := r.Overall, r.Weighted
	if !exact(o.Score, 100.0/7) || math.Abs(o.Low+47.42328018) > 1e-6 || math.Abs(o.High-75.99470874) > 1e-6 {
		t.Errorf("overall %+v", o)
	}
	if o.Promoters != 3 || o.Passives != 2 || o.Detractors != 2 || o.Responses != 7 {
		t.Errorf("overall counts %+v", o)
	}
	if !exact(w.Score, -200.0/7) || w.Low != -100 || math.Abs(w.High-56.23423159) > 1e-6 || math.Abs(w.EffectiveResponses-3.37931034) > 1e-6 {
		t.Errorf("weighted %+v", w)
	}
	want := map[community.Tier]float64{community.TierVIP: -100, community.TierLoyal: 50, community.TierRegular: 0, community.TierNewcomer: 100}
	if len(r.ByTier) != 4 || r.ByTier[0].Tier != community.TierVIP {
		t.Errorf("by tier %+v; want four, VIP first", r.ByTier)
	}
	for _, bt := range r.ByTier {
		if !exact(bt.NPS.Score, want[bt.Tier]) {
			t.Errorf("tier %s: %g, want %g", bt.Tier, bt.NPS.Score, want[bt.Tier])
		}
	}
	if !exact(r.ResponseRate, 0.7) {
		t.Errorf("response rate %g; want 0.7", r.ResponseRate)
	}
	if len(r.Trend) != 3 || r.Trend[0].NPS.Responses != 2 || r.Trend[1].NPS.Responses != 2 || r.Trend[2].NPS.Responses != 3 ||
		!exact(r.Trend[2].NPS.Score, -200.0/3) || r.Trend[2].Week != 49 {
		t.Errorf("trend %+v", r.Trend)
	}
	if len(r.Comments) != 2 || r.Comments[0].Reason != "rude" || r.Comments[1].Reason != "slow" {
		t.Errorf("comments %+v; want rude, then slow", r.Comments)
	}
}

// TestReportWeeks: 0 or more than MaxReportWeeks weeks are refused.
func TestReportWeeks(t *testing.T) {
	s, _, _, _ := answering(t)
	for _, n := range []int{0, MaxReportWeeks + 1} {
		if _, err := s.Report(context.Background(), n); community.ErrorCode(err) != community.EInvalid {
			t.Errorf("%d weeks: %v; want EInvalid", n, err)
		}
	}
	if r, err := s.Report(context.Background(), 12); err != nil || r.Asked != 3 || len(r.Trend) != 12 {
		t.Errorf("report %+v, %v", r, err)
	}
}
