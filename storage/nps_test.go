package storage_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
)

func telegramOnly() map[community.Platform]community.MessagingCapabilities {
	return map[community.Platform]community.MessagingCapabilities{community.Telegram: {}}
}

// TestSurveyOnTheDatabase: a wave asks the members Hearth may write to
// privately (alice, who opened a private chat; not bob), on that
// platform; the ask counts against the weekly cap, for the next wave and
// for announcements; her answer is weighted by her CLV, exported without
// it, and stays counted, anonymous, once she is erased.
func TestSurveyOnTheDatabase(t *testing.T) {
	s, alice, rules, surveys, sv, now := aliceAsked(t)
	ctx := context.Background()
	members, at, err := s.SurveyAsks(ctx, sv.ID, alice, alice)
	if err != nil || len(members) != 1 || members[0].Identities[0].Platform != community.Telegram || !at.Equal(now) {
		t.Fatalf("asks %+v at %s, %v", members, at, err)
	}
	rules.WeeklyCap = 2
	rules.Wave.MinInterval = 0
	again, err := feedback.NewSurveys(s, rules, telegramOnly, func() time.Time { return now.Add(time.Hour) }, 1).OpenWave(ctx)
	if err != nil || again.Asked != 1 {
		t.Fatalf("second wave %+v, %v; want alice asked again under a cap of 2", again, err)
	}
	if _, err := s.DB().Exec(`UPDATE members SET announcements_dm = true WHERE id = $1`, alice); err != nil {
		t.Fatal(err)
	}
	if reach, err := s.AnnouncementReach(ctx, community.Audience{Tiers: community.Tiers, Platforms: []community.Platform{community.Telegram},
		Cap: 2, Window: community.AnnouncementCapWindow}, now.Add(2*time.Hour)); err != nil || reach.Capped != 1 {
		t.Errorf("reach %+v, %v; want alice capped by her two NPS questions", reach, err)
	}
	if ask, err := surveys.Pending(ctx, alice); err != nil || ask.Survey.ID != again.ID {
		t.Errorf("pending ask %+v, %v; want the latest survey, %d", ask, err, again.ID)
	}
	if _, err := surveys.Answer(ctx, sv.ID, alice, community.Telegram, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := surveys.Explain(ctx, sv.ID, alice, "the tin arrived dented"); err != nil {
		t.Fatal(err)
	}
	if _, err := surveys.Answer(ctx, sv.ID, alice, community.Telegram, 9); community.ErrorCode(err) != community.EConflict {
		t.Errorf("second answer: %v; want EConflict", err)
	}
	asked, answers, err := s.SurveyResults(ctx, now.Add(-time.Hour))
	if err != nil || asked != 2 || len(answers) != 1 || answers[0].CLV <= 0 || answers[0].Reason != "the tin arrived dented" {
		t.Fatalf("results: %d asked, %+v, %v", asked, answers, err)
	}
	data, err := s.ExportMember(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(data["nps_answers"])
	if len(data["nps_answers"]) != 1 || len(data["nps_asks"]) != 2 || strings.Contains(string(raw), `"clv"`) {
		t.Errorf("export: answers %s, %d asks; want her answer without its CLV", raw, len(data["nps_asks"]))
	}
	if err := s.EraseMember(ctx, community.Erasure{Member: alice, At: now}, erasureRules(now)); err != nil {
		t.Fatal(err)
	}
	asked, answers, err = s.SurveyResults(ctx, now.Add(-time.Hour))
	if err != nil || asked != 2 || len(answers) != 1 || answers[0].Member != 0 || answers[0].Score != 4 {
		t.Errorf("after erasure: %d asked, %+v, %v; want her answer counted, anonymous", asked, answers, err)
	}
}

// aliceAsked opens a wave of a survey that asks everyone (only alice may
// be written to) once a week, now.
func aliceAsked(t *testing.T) (*storage.Store, community.MemberID, feedback.SurveyRules, *feedback.Surveys, feedback.Survey, time.Time) {
	t.Helper()
	s, alice, _ := forgetFixture(t)
	now := time.Now().UTC().Truncate(time.Second)
	rules := feedback.SurveyRules{Schedule: "0 11 * * TUE", Wave: feedback.WaveRules{SamplePercent: 100, MinInterval: 90 * 24 * time.Hour},
		AnswerWindow: 7 * 24 * time.Hour, WeeklyCap: 1}
	surveys := feedback.NewSurveys(s, rules, telegramOnly, func() time.Time { return now }, 1)
	sv, err := surveys.OpenWave(context.Background())
	if err != nil || sv.Asked != 1 {
		t.Fatalf("survey %+v, %v; want alice asked", sv, err)
	}
	return s, alice, rules, surveys, sv, now
}
