package community

import (
	"context"
	"fmt"
	"time"
)

// StandingStore is what the standings need from persistence.
type StandingStore interface {
	// EngagementTotals returns every member's activity totals at q.Now,
	// with their standing and milestones as last saved, and the snapshot
	// of the activities it read.
	EngagementTotals(ctx context.Context, q EngagementQuery) ([]EngagementTotal, Snapshot, error)
	// LinkedValues returns the latest CLV of every linked customer.
	LinkedValues(ctx context.Context) ([]LinkedValue, error)
	// SaveStandings stores the standings, the milestones reached and the
	// events, in one transaction. Activities uncounted since u.Seen (by
	// automod, while the standings were computed) are taken out of the
	// saved scores and points, counted as u.Query counts them.
	SaveStandings(ctx context.Context, u StandingsUpdate) error
	// MemberStanding returns one member's saved standing; a member not yet
	// scored is ENotFound.
	MemberStanding(ctx context.Context, member MemberID) (MemberStanding, error)
}

// EngagementQuery asks for activity totals.
type EngagementQuery struct {
	Now    time.Time
	Decay  float64 // λ per second
	Weight Weights // engagement weight per kind
	Points Weights // loyalty points per kind
}

// Snapshot names what a read of the activities saw, in the store's terms
// (for PostgreSQL, its transaction snapshot); "" is none.
type Snapshot string

// Uncounted are messages whose activities stop counting toward
// engagement and points, because automod removed them. Scoring is how
// the standings count activities (its Now unused), so that a standing
// saved already can be corrected at once rather than at the next
// recomputation.
type Uncounted struct {
	Chat     ChatID
	Messages []string // the platform's message ids
	Scoring  EngagementQuery
}

// EngagementTotal is one member's activity, summed.
type EngagementTotal struct {
	Member         MemberID
	Since          time.Time
	Score          float64 // decayed weighted activities
	LastActive     time.Time
	ThisWeek       float64 // weighted activities of the last 7 days
	PrevFourWeeks  float64 // weighted activities of the 28 days before
	ActivityPoints float64
	Messages       int
	Helpful        int
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
	// Query and Seen are how the totals were read, so that activities
	// uncounted meanwhile can be taken back out.
	Query EngagementQuery
	Seen  Snapshot
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

// Recompute scores every member now and saves the result; it returns how
// many members changed tier.
func (s *Standings) Recompute(ctx context.Context) (int, error) {
	now := s.now()
	q := s.Scoring()
	q.Now = now
	totals, seen, err := s.store.EngagementTotals(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("engagement totals: %w", err)
	}
	values, err := s.store.LinkedValues(ctx)
	if err != nil {
		return 0, fmt.Errorf("linked values: %w", err)
	}
	u := s.decide(totals, values, now)
	u.Query, u.Seen = q, seen
	if err := s.store.SaveStandings(ctx, u); err != nil {
		return 0, fmt.Errorf("save standings: %w", err)
	}
	changed := 0
	for _, e := range u.Events {
		if e.Kind == EventTierChanged {
			changed++
		}
	}
	return changed, nil
}

// Scoring is how activities count: their engagement weights, decay and
// loyalty points (Now left zero).
func (s *Standings) Scoring() EngagementQuery {
	return EngagementQuery{Decay: s.engagement.Decay(), Weight: s.engagement.Weights, Points: s.loyalty.Points}
}

// decide turns totals and values into standings, milestones and events.
func (s *Standings) decide(totals []EngagementTotal, values []LinkedValue, now time.Time) StandingsUpdate {
	scores := make([]float64, len(totals))
	for i, t := range totals {
		scores[i] = t.Score
	}
	engaged := Percentiles(scores)
	value := valuePercentiles(values)
	u := StandingsUpdate{At: now, Standings: make([]MemberStanding, 0, len(totals))}
	var summary StandingsSummary
	for i, t := range totals {
		e := Engagement{Score: t.Score, Percentile: engaged[i], LastActive: t.LastActive, ThisWeek: t.ThisWeek, PrevWeekly: t.PrevFourWeeks / 4}
		if t.Score <= 0 {
			e.Percentile = 0
		}
		e.Level = s.engagement.Level(e.Percentile)
		in := StandingInput{Member: t.Member, Since: t.Since, Engagement: e}
		progress := Progress{ActivityPoints: t.ActivityPoints, Messages: t.Messages, Helpful: t.Helpful, Level: e.Level}
		if v, ok := value[t.Member]; ok {
			in.Via, in.Orders, in.HasModel, in.PAlive = v.Via, v.Orders, v.HasModel, v.PAlive
			in.HistoricalPercentile, in.PredictedPercentile = v.historical, v.predicted
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
	if len(summary.Changes) > 0 || len(summary.AtRisk) > 0 {
		u.Events = append(u.Events, NewEvent(EventStandingsChanged, summary, now))
	}
	return u
}

type rankedValue struct {
	LinkedValue
	historical, predicted float64
}

// valuePercentiles ranks linked customers by historical and predicted CLV.
func valuePercentiles(values []LinkedValue) map[MemberID]rankedValue {
	hist, pred := make([]float64, len(values)), make([]float64, len(values))
	for i, v := range values {
		hist[i], pred[i] = v.Historical, v.Predicted
	}
	hp, pp := Percentiles(hist), Percentiles(pred)
	out := make(map[MemberID]rankedValue, len(values))
	for i, v := range values {
		out[v.Member] = rankedValue{LinkedValue: v, historical: hp[i], predicted: pp[i]}
	}
	return out
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
