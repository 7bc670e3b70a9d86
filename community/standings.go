package community

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// StandingStore is what the standings need from persistence.
type StandingStore interface {
	// RecomputeStandings reads, as q counts activities, the members whose
	// standing may have changed since the last recomputation: those whose
	// activities, link or CLV changed, whom the passing days moved, whose
	// percentiles crossed one of q's cuts or moved by q.Slack, and
	// everyone on the first run or when q.Rules changed. Each comes with
	// their engagement percentile among all members and their customer's
	// value ranked among all linked customers. decide turns them into
	// standings, which it saves with the milestones and events, in one
	// transaction; it writes only the standings whose values changed.
	// decide is called with the members in batches, in order, then once
	// with none: what it returns then (the run's summary) is saved too.
	RecomputeStandings(ctx context.Context, q EngagementQuery, decide func([]EngagementTotal) StandingsUpdate) error
	// MemberStanding returns one member's saved standing; a member not yet
	// scored is ENotFound.
	MemberStanding(ctx context.Context, member MemberID) (MemberStanding, error)
}

// EngagementQuery says how activities count and when a standing must be
// decided again.
type EngagementQuery struct {
	Now    time.Time
	Decay  float64 // λ per second
	Weight Weights // engagement weight per kind
	Points Weights // loyalty points per kind
	// EngagementCuts and ValueCuts are the percentiles where a level or a
	// tier changes; Slack is how far a percentile may drift from the one
	// saved before the standing is written again.
	EngagementCuts []float64
	ValueCuts      []float64
	Slack          float64
	// NewcomerFor is how long a member is new: a member whose first
	// days end is decided again.
	NewcomerFor time.Duration
	// Rules fingerprints every rule a standing follows: when it changes,
	// every member is decided again.
	Rules string
}

// Uncounted are messages whose activities stop counting toward
// engagement and points, because automod removed them. Scoring is how
// the standings count activities, its Now when automod acted, so that a
// standing saved already can be corrected at once rather than at the
// next recomputation.
type Uncounted struct {
	Chat     ChatID
	Messages []string // the platform's message ids
	Scoring  EngagementQuery
}

// EngagementTotal is one member's activity, summed, and where it ranks.
type EngagementTotal struct {
	Member         MemberID
	Since          time.Time
	Score          float64 // decayed weighted activities
	Percentile     float64 // among all members, 0 for a score of 0
	LastActive     time.Time
	ThisWeek       float64 // weighted activities of the last 7 days
	PrevFourWeeks  float64 // weighted activities of the 28 days before
	ActivityPoints float64
	Messages       int
	Helpful        int
	// Value is the CLV of the member's customer, nil when not linked or
	// not scored yet.
	Value *LinkedValue
	// Scored says the member had a standing; Previous is it.
	Scored     bool
	Previous   Tier
	PrevFlags  Flags
	Milestones []string
}

// LinkedValue is the CLV of a customer linked to a member.
type LinkedValue struct {
	Member     MemberID
	Via        LinkVia
	Orders     int // paid orders
	Revenue    float64
	Historical float64
	HasModel   bool
	Predicted  float64
	PAlive     float64
	// HistoricalPercentile and PredictedPercentile rank the customer among
	// all linked customers.
	HistoricalPercentile float64
	PredictedPercentile  float64
}

// MemberStanding is a standing with what a member sees of it: points and
// badges.
type MemberStanding struct {
	Standing
	Points     int64
	Milestones []string
}

// StandingsUpdate is the result of one recomputation, to be saved.
type StandingsUpdate struct {
	At         time.Time
	Standings  []MemberStanding
	Milestones []MilestoneReached
	Events     []Event
}

// MilestoneReached is a member reaching a milestone.
type MilestoneReached struct {
	Member    MemberID `json:"member"`
	Milestone string   `json:"milestone"`
}

// The events of standings.
const (
	// EventTierChanged is one member's tier or flags changing: the
	// platforms grant or withdraw the tiers' perks.
	EventTierChanged = "tier.changed"
	// EventStandingsChanged sums up a recomputation for the staff log.
	EventStandingsChanged = "standings.changed"
	// EventMilestoneReached congratulates a member.
	EventMilestoneReached = "milestone.reached"
)

// TierChange is the payload of EventTierChanged.
type TierChange struct {
	Member   MemberID `json:"member"`
	From     Tier     `json:"from"`
	To       Tier     `json:"to"`
	First    bool     `json:"first,omitempty"` // the member's first standing: From means nothing
	Flags    Flags    `json:"flags"`
	Value    float64  `json:"value"`      // value percentile
	Engaged  float64  `json:"engagement"` // engagement percentile
	Orders   int      `json:"orders"`
	Newcomer bool     `json:"newcomer,omitempty"` // still within the newcomer period
}

// StandingsSummary is the payload of EventStandingsChanged: the changes of
// members who had a standing before, for staff.
type StandingsSummary struct {
	Changes []TierChange `json:"changes"`
	// AtRisk are VIPs newly flagged at risk.
	AtRisk []TierChange `json:"at_risk,omitempty"`
}

// Standings scores every member's engagement, decides tiers and flags,
// counts loyalty points and milestones, and reports what changed.
type Standings struct {
	store      StandingStore
	engagement EngagementRules
	tiers      TierRules
	loyalty    LoyaltyRules
	now        func() time.Time
}

// NewStandings returns the standings service.
func NewStandings(store StandingStore, e EngagementRules, t TierRules, l LoyaltyRules, now func() time.Time) *Standings {
	return &Standings{store: store, engagement: e, tiers: t, loyalty: l, now: now}
}

// Recompute decides the standings of the members whose inputs changed
// and saves them; it returns how many members changed tier.
func (s *Standings) Recompute(ctx context.Context) (int, error) {
	now := s.now()
	q := s.Scoring()
	q.Now = now
	changed := 0
	var summary StandingsSummary
	err := s.store.RecomputeStandings(ctx, q, func(totals []EngagementTotal) StandingsUpdate {
		if len(totals) == 0 {
			u := StandingsUpdate{At: now}
			if len(summary.Changes) > 0 || len(summary.AtRisk) > 0 {
				u.Events = append(u.Events, NewEvent(EventStandingsChanged, summary, now))
			}
			return u
		}
		u := s.decide(totals, now, &summary)
		for _, e := range u.Events {
			if e.Kind == EventTierChanged {
				changed++
			}
		}
		return u
	})
	if err != nil {
		return 0, fmt.Errorf("recompute standings: %w", err)
	}
	return changed, nil
}

// percentileSlack is how far, in percentile points, an engagement or
// value percentile may drift before the standing is written again: the
// priority it feeds orders queues, where a point is no difference.
const percentileSlack = 1.0

// Scoring is how activities count and standings are decided (Now left
// zero).
func (s *Standings) Scoring() EngagementQuery {
	e, t := s.engagement, s.tiers
	return EngagementQuery{Decay: e.Decay(), Weight: e.Weights, Points: s.loyalty.Points,
		EngagementCuts: append(e.LevelPercentiles[:], t.LoyalEngagement), ValueCuts: []float64{t.VIPValue, t.LoyalValue},
		Slack: percentileSlack, NewcomerFor: t.NewcomerFor, Rules: s.fingerprint()}
}

// fingerprint names the rules the standings follow.
func (s *Standings) fingerprint() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%v|%v|%v|%v", s.engagement, s.tiers, s.loyalty, percentileSlack))
	return hex.EncodeToString(sum[:8])
}

// decide turns totals into standings, milestones and events, and adds
// the changes staff hear of to summary.
func (s *Standings) decide(totals []EngagementTotal, now time.Time, summary *StandingsSummary) StandingsUpdate {
	u := StandingsUpdate{At: now, Standings: make([]MemberStanding, 0, len(totals))}
	for _, t := range totals {
		e := Engagement{Score: t.Score, Percentile: t.Percentile, LastActive: t.LastActive, ThisWeek: t.ThisWeek, PrevWeekly: t.PrevFourWeeks / 4}
		if t.Score <= 0 {
			e.Percentile = 0
		}
		e.Level = s.engagement.Level(e.Percentile)
		in := StandingInput{Member: t.Member, Since: t.Since, Engagement: e}
		progress := Progress{ActivityPoints: t.ActivityPoints, Messages: t.Messages, Helpful: t.Helpful, Level: e.Level}
		if v := t.Value; v != nil {
			in.Via, in.Orders, in.HasModel, in.PAlive = v.Via, v.Orders, v.HasModel, v.PAlive
			in.HistoricalPercentile, in.PredictedPercentile = v.HistoricalPercentile, v.PredictedPercentile
			progress.Via, progress.Orders, progress.Revenue = v.Via, v.Orders, v.Revenue
		}
		st := s.tiers.Classify(in, now)
		points := s.loyalty.Total(progress)
		reached := NewMilestones(progress, points, t.Milestones)
		u.Standings = append(u.Standings, MemberStanding{Standing: st, Points: points, Milestones: append(t.Milestones, reached...)})
		for _, m := range reached {
			u.Milestones = append(u.Milestones, MilestoneReached{Member: t.Member, Milestone: m})
			u.Events = append(u.Events, NewEvent(EventMilestoneReached, MilestoneReached{Member: t.Member, Milestone: m}, now))
		}
		change := TierChange{Member: t.Member, From: t.Previous, To: st.Tier, First: !t.Scored, Flags: st.Flags,
			Value: st.Value, Engaged: e.Percentile, Orders: in.Orders, Newcomer: now.Sub(t.Since) < s.tiers.NewcomerFor}
		if !t.Scored || t.Previous != st.Tier {
			u.Events = append(u.Events, NewEvent(EventTierChanged, change, now))
			if t.Scored {
				summary.Changes = append(summary.Changes, change)
			}
		}
		if t.Scored && st.Flags.Has(FlagAtRiskVIP) && !t.PrevFlags.Has(FlagAtRiskVIP) {
			summary.AtRisk = append(summary.AtRisk, change)
		}
	}
	return u
}

// RankValues ranks linked customers by historical and predicted CLV,
// setting each one's percentiles.
func RankValues(values []LinkedValue) {
	hist, pred := make([]float64, len(values)), make([]float64, len(values))
	for i, v := range values {
		hist[i], pred[i] = v.Historical, v.Predicted
	}
	hp, pp := Percentiles(hist), Percentiles(pred)
	for i := range values {
		values[i].HistoricalPercentile, values[i].PredictedPercentile = hp[i], pp[i]
	}
}

// Standing returns a member's standing as last computed. A member not yet
// scored stands as a Newcomer at level 4 with no points.
func (s *Standings) Standing(ctx context.Context, member MemberID) (MemberStanding, error) {
	st, err := s.store.MemberStanding(ctx, member)
	if ErrorCode(err) == ENotFound {
		return UnscoredStanding(member), nil
	}
	return st, err
}

// LeaderboardEntry is one line of /top: the leaderboard ranks members by
// engagement score.
type LeaderboardEntry struct {
	Member      MemberID
	DisplayName string
	Score       float64
	Level       int
	Points      int64
	ComputedAt  time.Time // when the standing was last recomputed
}
