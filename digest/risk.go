package digest

import (
	"cmp"
	"slices"

	"github.com/hearthbot/hearth/community"
)

// RiskFacts are what the store knows of a VIP who may be at risk: their
// engagement, their P(alive), their latest NPS answer and their open
// tickets past an SLA.
type RiskFacts struct {
	Member     community.MemberID
	Name       string
	Predicted  float64 // predicted CLV; 0 without a model
	Revenue    float64
	ThisWeek   float64 // weighted activity in the digest's week
	PrevWeekly float64 // and the weekly average of the four weeks before it
	HasModel   bool
	PAlive     float64
	// PrevPAlive is P(alive) when last week's digest was made, about a
	// week before this one (HadPAlive).
	HadPAlive  bool
	PrevPAlive float64
	// Score is their latest NPS answer within DetractorDays, -1 for none.
	Score int
	// Overdue are their open tickets whose SLA was breached, oldest first.
	Overdue []int64
}

// DetractorDays is how long an NPS answer of 0 to 6 makes a VIP at risk.
const DetractorDays = 90

// PAliveFall is how far a VIP's P(alive) must fall in a week (0.2: from
// 0.9 to 0.7, say) to put them at risk while it is above the threshold.
const PAliveFall = 0.2

// Reason is why a VIP is at risk.
type Reason string

// The reasons, in the order a digest names them.
const (
	ReasonOverdueTicket  Reason = "overdue_ticket"  // an open ticket past its SLA
	ReasonDetractor      Reason = "detractor"       // answered NPS 0 to 6
	ReasonUnlikelyToBuy  Reason = "p_alive"         // P(alive) below the tier rules' threshold
	ReasonPAliveFall     Reason = "p_alive_fall"    // P(alive) fell by PAliveFall or more since last week's digest
	ReasonEngagementDrop Reason = "engagement_drop" // engagement fell by the tier rules' share
)

// Action is the personal touch a digest suggests for a VIP at risk.
type Action string

// The actions: the most pressing reason decides.
const (
	ActionAnswerTicket  Action = "answer_ticket"  // answer their ticket today, personally
	ActionFollowUpNPS   Action = "follow_up_nps"  // write to them about what they scored
	ActionWinBack       Action = "win_back"       // a personal thank-you with an offer
	ActionPersonalCheck Action = "personal_check" // a personal message asking how they are
)

// AtRisk is a VIP the digest names, with why and what to do.
type AtRisk struct {
	Member     community.MemberID `json:"member"`
	Name       string             `json:"name"`
	Predicted  float64            `json:"predicted_clv"`
	Modelled   bool               `json:"has_prediction"` // Predicted is known
	Revenue    float64            `json:"revenue"`
	Reasons    []Reason           `json:"reasons"`
	Action     Action             `json:"action"`
	PAlive     float64            `json:"p_alive,omitempty"`
	PrevPAlive float64            `json:"prev_p_alive,omitempty"`      // with ReasonPAliveFall
	Drop       float64            `json:"engagement_change,omitempty"` // -0.6: 60% less than the four weeks' average
	Score      int                `json:"nps_score"`                   // -1: no recent answer
	Ticket     int64              `json:"ticket,omitempty"`            // the oldest overdue ticket
}

// RiskRules decide which VIPs are at risk: the tier rules' thresholds,
// the same the standings flag VIPs with.
type RiskRules struct{ Tiers community.TierRules }

// Assess says whether a VIP is at risk, why, and what to do; ok is false
// when nothing puts them at risk.
func (r RiskRules) Assess(f RiskFacts) (AtRisk, bool) {
	a := AtRisk{Member: f.Member, Name: f.Name, Predicted: f.Predicted, Modelled: f.HasModel, Revenue: f.Revenue, Score: f.Score}
	e := community.Engagement{ThisWeek: f.ThisWeek, PrevWeekly: f.PrevWeekly}
	unlikely, dropped := r.Tiers.RiskReasons(e, f.HasModel, f.PAlive)
	if len(f.Overdue) > 0 {
		a.Reasons, a.Ticket = append(a.Reasons, ReasonOverdueTicket), f.Overdue[0]
	}
	if f.Score >= 0 && f.Score <= 6 {
		a.Reasons = append(a.Reasons, ReasonDetractor)
	}
	switch {
	case unlikely:
		a.Reasons, a.PAlive = append(a.Reasons, ReasonUnlikelyToBuy), f.PAlive
	case f.HasModel && f.HadPAlive && f.PrevPAlive-f.PAlive >= PAliveFall-1e-9: // 0.7 − 0.5 is a hair under 0.2 in floating point
		a.Reasons, a.PAlive, a.PrevPAlive = append(a.Reasons, ReasonPAliveFall), f.PAlive, f.PrevPAlive
	}
	if dropped {
		change, _ := e.Trend()
		a.Reasons, a.Drop = append(a.Reasons, ReasonEngagementDrop), change
	}
	if len(a.Reasons) == 0 {
		return AtRisk{}, false
	}
	a.Action = map[Reason]Action{ReasonOverdueTicket: ActionAnswerTicket, ReasonDetractor: ActionFollowUpNPS,
		ReasonUnlikelyToBuy: ActionWinBack, ReasonPAliveFall: ActionWinBack, ReasonEngagementDrop: ActionPersonalCheck}[a.Reasons[0]]
	return a, true
}

// AtRiskListed is how many VIPs at risk a digest names at most.
const AtRiskListed = 10

// Rank keeps the VIPs at risk, the most valuable first (predicted CLV,
// then revenue, then the member's id), at most AtRiskListed of them, and
// says how many there are in all.
func (r RiskRules) Rank(candidates []RiskFacts) ([]AtRisk, int) {
	var out []AtRisk
	for _, f := range candidates {
		if a, ok := r.Assess(f); ok {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b AtRisk) int {
		return cmp.Or(cmp.Compare(b.Predicted, a.Predicted), cmp.Compare(b.Revenue, a.Revenue), cmp.Compare(a.Member, b.Member))
	})
	return out[:min(len(out), AtRiskListed)], len(out)
}
