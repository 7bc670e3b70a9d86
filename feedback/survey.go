package feedback

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// SurveyID identifies a wave of the NPS survey.
type SurveyID int64

// String formats the id for button data.
func (id SurveyID) String() string { return strconv.FormatInt(int64(id), 10) }

// The events of the NPS survey.
const (
	EventNPSAsk   = "nps.ask"   // ask a batch of a wave's members privately
	EventNPSAlert = "nps.alert" // a valuable detractor answered: tell staff at once
)

// MaxReason is the longest reason a member may give for their score, in
// characters (the database refuses longer ones).
const MaxReason = 1000

// NPSAskBatch is the payload of EventNPSAsk: the members of a survey
// asked whose ids lie between From and To, inclusive.
type NPSAskBatch struct {
	Survey SurveyID           `json:"survey"`
	From   community.MemberID `json:"from"`
	To     community.MemberID `json:"to"`
}

// NPSAlert is the payload of EventNPSAlert: a VIP or at-risk VIP's
// detractor answer, for staff to act on.
type NPSAlert struct {
	Answer int64              `json:"answer"`
	Member community.MemberID `json:"member"`
}

// Survey is one wave of the NPS survey.
type Survey struct {
	ID       SurveyID
	OpenedAt time.Time
	ClosesAt time.Time // answers after it are thanked, not counted
	Asked    int
}

// Wave is what opening a survey at At asks of the store: the members who
// may be written to privately on Platforms (always on HearthOpens; on the
// others through a private chat they opened), under the weekly Cap of
// private messages over Window, their questions going at AskAt.
type Wave struct {
	At, AskAt, ClosesAt time.Time
	Platforms           []community.Platform
	HearthOpens         []community.Platform
	Cap                 int
	Window              time.Duration
}

// Ask is a member's question in a survey.
type Ask struct {
	Survey   Survey
	Member   community.MemberID
	Platform community.Platform
	AskedAt  time.Time
}

// Respondent is what an answer records of its member: their tier and
// flags, and the CLV it is weighted by (predicted, historical without a
// model, 0 when not a customer).
type Respondent struct {
	Tier  community.Tier
	Flags community.Flags
	CLV   float64
}

// Answer is a member's answer to a survey.
type Answer struct {
	ID       int64
	Survey   SurveyID
	Member   community.MemberID // 0 once the member is erased
	Name     string             // the member's display name, for staff
	Score    Score
	Reason   string
	Platform community.Platform
	At       time.Time
	Ticket   int64 // the ticket staff opened from the alert; 0: none
	Respondent
}

// Valuable reports an answer staff must hear of at once: a detractor
// who is VIP or an at-risk VIP.
func (a Answer) Valuable() bool {
	return a.Score.Detractor() && (a.Tier == community.TierVIP || a.Flags.Has(community.FlagAtRiskVIP))
}

// SurveyStore is what the NPS survey needs from persistence.
type SurveyStore interface {
	// OpenSurvey lists the members w may ask (Candidates), records the
	// survey and an ask of each member choose picks (on a platform Hearth
	// may write to them on) and the effects of the batches of asks, in one
	// transaction under the lock announcements' sends take. No member
	// picked: no survey, a zero Survey.
	OpenSurvey(ctx context.Context, w Wave, choose func([]Candidate) []community.MemberID,
		effects func(Survey, []community.RecipientBatch) community.Effects) (Survey, error)
	// SurveyAsk returns a member's ask in a survey; ENotFound when the
	// member was not asked.
	SurveyAsk(ctx context.Context, survey SurveyID, member community.MemberID) (Ask, error)
	// PendingAsk returns the member's latest ask, in a survey open at at,
	// that they have not answered; ENotFound when there is none.
	PendingAsk(ctx context.Context, member community.MemberID, at time.Time) (Ask, error)
	// Respondent returns what an answer records of a member.
	Respondent(ctx context.Context, member community.MemberID) (Respondent, error)
	// RecordAnswer records an answer, sets its ID and writes its effects;
	// community.ErrConflict (wrapped) when the member answered already.
	RecordAnswer(ctx context.Context, a *Answer, effects func(Answer) community.Effects) error
	// GiveReason records the reason of a member's answer that has none and
	// writes its effects; ENotFound without an answer, ErrConflict when it
	// has a reason.
	GiveReason(ctx context.Context, survey SurveyID, member community.MemberID, reason string,
		effects func(Answer) community.Effects) (Answer, error)
	// SurveyAnswer returns an answer by id; ENotFound when there is none.
	SurveyAnswer(ctx context.Context, id int64) (Answer, error)
	// SurveyResults returns how many members the surveys opened since
	// asked, and their answers, oldest first.
	SurveyResults(ctx context.Context, since time.Time) (asked int, answers []Answer, err error)
}

// SurveyRules configure the NPS survey.
type SurveyRules struct {
	Schedule     community.Schedule // when a wave opens, in Location
	Location     *time.Location     // the community's time zone
	Wave         WaveRules
	AnswerWindow time.Duration // how long a wave takes answers, from when it asks
	// WeeklyCap and Quiet are the announcements': asks count against the
	// cap and wait for quiet hours to end.
	WeeklyCap int
	Quiet     community.QuietHours
}

// Surveys holds the rules of the NPS survey: whom a wave asks, which
// answers count, and the report.
type Surveys struct {
	store     SurveyStore
	rules     SurveyRules
	messaging func() map[community.Platform]community.MessagingCapabilities
	now       func() time.Time
	seed      uint64
	mu        sync.Mutex // one wave at a time in a process
}

// NewSurveys returns the NPS survey. messaging says how each platform
// Hearth runs on now lets it write to members; seed makes each wave's
// draw repeatable (with the wave's time).
func NewSurveys(store SurveyStore, rules SurveyRules, messaging func() map[community.Platform]community.MessagingCapabilities,
	now func() time.Time, seed uint64) *Surveys {
	if rules.Location == nil {
		rules.Location = time.UTC
	}
	return &Surveys{store: store, rules: rules, messaging: messaging, now: now, seed: seed}
}

// Rules returns the survey's rules.
func (s *Surveys) Rules() SurveyRules { return s.rules }

// Job opens a wave on the survey's schedule.
func (s *Surveys) Job() community.Job {
	return community.Job{Name: "nps.wave", Schedule: s.rules.Schedule, Location: s.rules.Location, Run: func(ctx context.Context) error {
		_, err := s.OpenWave(ctx)
		return err
	}}
}

// OpenWave asks a sample of the members Hearth may write to privately
// (SampleWave), under the weekly cap; during quiet hours the questions
// wait for them to end, and the wave's window starts then. A zero Survey
// when nobody may be asked.
func (s *Surveys) OpenWave(ctx context.Context) (Survey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.now()
	caps := s.messaging()
	if s.rules.WeeklyCap <= 0 || len(caps) == 0 || s.rules.Wave.SamplePercent <= 0 {
		return Survey{}, nil
	}
	w := Wave{At: at, AskAt: at, Platforms: slices.Sorted(maps.Keys(caps)), HearthOpens: community.OpensPrivateChatsOn(caps),
		Cap: s.rules.WeeklyCap, Window: community.AnnouncementCapWindow}
	if due := s.rules.Quiet.Next(at.In(s.rules.Location)); due.After(at) {
		w.AskAt = due
	}
	w.ClosesAt = w.AskAt.Add(s.rules.AnswerWindow)
	rng := rand.New(rand.NewPCG(s.seed, uint64(at.UnixNano())))
	choose := func(c []Candidate) []community.MemberID { return SampleWave(c, s.rules.Wave, w.AskAt, rng) }
	return s.store.OpenSurvey(ctx, w, choose, waveEffects)
}

// waveEffects are what opening a survey causes: one EventNPSAsk per batch
// of its asks.
func waveEffects(sv Survey, batches []community.RecipientBatch) community.Effects {
	var e community.Effects
	for _, b := range batches {
		e.Events = append(e.Events, community.NewEvent(EventNPSAsk, NPSAskBatch{Survey: sv.ID, From: b.From, To: b.To}, sv.OpenedAt))
	}
	return e
}

// Outcome is what became of a pressed score.
type Outcome int

// The outcomes of a pressed score.
const (
	Counted Outcome = iota // recorded: the answer of the survey
	Late                   // after the survey closed: thanked, not counted
)

// Answer records a member's score in a survey: one answer per survey and
// member; a press after the survey closed is Late and changes nothing. A
// score outside 0-10 is EInvalid, a member who was not asked EForbidden,
// a second answer EConflict.
func (s *Surveys) Answer(ctx context.Context, survey SurveyID, member community.MemberID, platform community.Platform, score Score) (Outcome, error) {
	if !score.Valid() {
		return Counted, community.Errorf(community.EInvalid, "nps.bad_score", map[string]any{"Score": int(score)}, "score %d is not 0 to 10", score)
	}
	ask, err := s.ask(ctx, survey, member)
	if err != nil {
		return Counted, err
	}
	at := s.now()
	if !at.Before(ask.Survey.ClosesAt) {
		return Late, nil
	}
	who, err := s.store.Respondent(ctx, member)
	if err != nil {
		return Counted, err
	}
	a := Answer{Survey: survey, Member: member, Score: score, Platform: platform, At: at, Respondent: who}
	if err := s.store.RecordAnswer(ctx, &a, alertEffects); err != nil {
		if errors.Is(err, community.ErrConflict) {
			return Counted, answeredAlready(survey)
		}
		return Counted, err
	}
	return Counted, nil
}

// ask is a member's ask in a survey; a member who was not asked is
// refused.
func (s *Surveys) ask(ctx context.Context, survey SurveyID, member community.MemberID) (Ask, error) {
	ask, err := s.store.SurveyAsk(ctx, survey, member)
	if community.ErrorCode(err) == community.ENotFound {
		return ask, community.Errorf(community.EForbidden, "nps.not_asked", nil, "member %d was not asked in survey %d", member, survey)
	}
	return ask, err
}

func answeredAlready(survey SurveyID) error {
	return community.Errorf(community.EConflict, "nps.answered", nil, "survey %d is answered already", survey)
}

// alertEffects are what an answer causes: a staff alert when it is
// Valuable.
func alertEffects(a Answer) community.Effects {
	if !a.Valuable() {
		return community.Effects{}
	}
	return community.Effects{Events: []community.Event{community.NewEvent(EventNPSAlert, NPSAlert{Answer: a.ID, Member: a.Member}, a.At)}}
}

// Explain records the reason a member gives for their score, once,
// trimmed: empty or longer than MaxReason is EInvalid; without an answer
// ENotFound. A valuable detractor's reason goes to staff as well.
func (s *Surveys) Explain(ctx context.Context, survey SurveyID, member community.MemberID, reason string) (Answer, error) {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return Answer{}, community.Errorf(community.EInvalid, "nps.reason_empty", nil, "an empty reason")
	case n > MaxReason:
		return Answer{}, community.Errorf(community.EInvalid, "nps.reason_too_long", map[string]any{"Max": MaxReason, "Length": n},
			"a reason of %d characters; at most %d", n, MaxReason)
	}
	a, err := s.store.GiveReason(ctx, survey, member, reason, alertEffects)
	switch {
	case community.ErrorCode(err) == community.ENotFound:
		return a, community.Errorf(community.ENotFound, "nps.not_answered", nil, "member %d has not answered survey %d", member, survey)
	case errors.Is(err, community.ErrConflict):
		return a, community.Errorf(community.EConflict, "nps.reason_given", nil, "survey %d has a reason already", survey)
	}
	return a, err
}

// Asked returns a member's ask in a survey, to show the question again;
// EForbidden when the member was not asked.
func (s *Surveys) Asked(ctx context.Context, survey SurveyID, member community.MemberID) (Ask, error) {
	return s.ask(ctx, survey, member)
}

// Pending returns the member's latest unanswered ask of an open survey,
// to show its question again; ENotFound (nps.none_open) when there is
// none.
func (s *Surveys) Pending(ctx context.Context, member community.MemberID) (Ask, error) {
	ask, err := s.store.PendingAsk(ctx, member, s.now())
	if community.ErrorCode(err) == community.ENotFound {
		return ask, community.Errorf(community.ENotFound, "nps.none_open", nil, "member %d has no open survey to answer", member)
	}
	return ask, err
}

// Alerted returns the answer an alert is about.
func (s *Surveys) Alerted(ctx context.Context, answer int64) (Answer, error) {
	return s.store.SurveyAnswer(ctx, answer)
}
