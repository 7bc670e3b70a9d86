package community

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// More activities: what members do besides writing, recorded by the
// features that see them.
const (
	ActivityReactionReceived ActivityKind = "reaction_received" // someone reacted to the member's message
	ActivityThreadStarted    ActivityKind = "thread_started"    // a Discord thread or Telegram topic
	ActivityHelpfulAnswer    ActivityKind = "helpful_answer"    // marked helpful by staff or the asker
	ActivityIdea             ActivityKind = "idea"
	ActivityVote             ActivityKind = "vote"
	ActivityFeedback         ActivityKind = "feedback"
	ActivityUGCApproved      ActivityKind = "ugc_approved" // a post of theirs approved for resharing
	ActivityEventAttended    ActivityKind = "event_attended"
)

// ActivityKinds lists every kind of activity, in the order staff read them.
var ActivityKinds = []ActivityKind{
	ActivityMessage, ActivityReply, ActivityReaction, ActivityReactionReceived, ActivityThreadStarted,
	ActivityHelpfulAnswer, ActivityIdea, ActivityVote, ActivityFeedback, ActivityUGCApproved,
	ActivityEventAttended, ActivityJoin,
}

// Weights say how much one activity of each kind counts: toward the
// engagement score, or in loyalty points. A kind not listed counts 0.
type Weights map[ActivityKind]float64

// DefaultEngagementWeights rank what takes more effort and helps others
// more above a quick message or reaction.
func DefaultEngagementWeights() Weights {
	return Weights{
		ActivityMessage: 1, ActivityReply: 1.5, ActivityReaction: 0.25, ActivityReactionReceived: 0.5,
		ActivityThreadStarted: 2, ActivityHelpfulAnswer: 5, ActivityIdea: 3, ActivityVote: 0.5,
		ActivityFeedback: 3, ActivityUGCApproved: 5, ActivityEventAttended: 4,
	}
}

// DefaultPointWeights are the loyalty points one activity earns.
func DefaultPointWeights() Weights {
	return Weights{
		ActivityMessage: 1, ActivityReply: 2, ActivityReactionReceived: 1, ActivityThreadStarted: 3,
		ActivityHelpfulAnswer: 20, ActivityIdea: 10, ActivityVote: 1, ActivityFeedback: 10,
		ActivityUGCApproved: 25, ActivityEventAttended: 15,
	}
}

// ParseWeights reads "kind=number" entries over defaults, such as
// "message=1" or "helpful_answer=5"; it names the entry that is wrong.
func ParseWeights(entries []string, defaults Weights) (Weights, error) {
	out := maps.Clone(defaults)
	if out == nil {
		out = Weights{}
	}
	for i, e := range entries {
		name, num, ok := strings.Cut(strings.TrimSpace(e), "=")
		kind := ActivityKind(strings.TrimSpace(name))
		if !ok || !slices.Contains(ActivityKinds, kind) {
			return nil, fmt.Errorf("entry %d %q: want kind=number with a kind among %s", i+1, e, kindList())
		}
		w, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || w < 0 || math.IsInf(w, 0) || math.IsNaN(w) {
			return nil, fmt.Errorf("entry %d %q: %q is not a number of 0 or more", i+1, e, num)
		}
		out[kind] = w
	}
	return out, nil
}

func kindList() string {
	var names []string
	for _, k := range ActivityKinds {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// EngagementRules configure how engagement is scored.
type EngagementRules struct {
	Weights Weights
	// HalfLife is how long it takes an activity to count half as much.
	HalfLife time.Duration
	// LevelPercentiles are the engagement percentiles at or above which a
	// member is at level 1, 2 and 3; everyone else is at level 4 (the
	// Orbit model: advocates, contributors, participants, explorers).
	LevelPercentiles [3]float64
}

// DefaultEngagementRules: a month's half-life, and levels for the top 5%,
// the next 15% and the next 30% of members.
func DefaultEngagementRules() EngagementRules {
	return EngagementRules{Weights: DefaultEngagementWeights(), HalfLife: 30 * 24 * time.Hour, LevelPercentiles: [3]float64{95, 80, 50}}
}

// Decay is the rate λ of the exponential decay: an activity a time t ago
// counts weight·e^(−λt).
func (r EngagementRules) Decay() float64 { return math.Ln2 / r.HalfLife.Seconds() }

// Level returns the engagement level of a member at percentile p: 1 is
// the most engaged.
func (r EngagementRules) Level(p float64) int {
	for i, cut := range r.LevelPercentiles {
		if p >= cut {
			return i + 1
		}
	}
	return 4
}

// Engagement is how engaged a member is at a moment.
type Engagement struct {
	Score      float64   // weighted activities, decayed with the half-life
	Percentile float64   // 0-100: the share of members with a lower score (ties count half)
	Level      int       // 1 (most engaged) to 4
	LastActive time.Time // zero: never active
	ThisWeek   float64   // weighted activity of the last 7 days, not decayed
	// PrevWeekly is the average weekly weighted activity of the four
	// weeks before this one.
	PrevWeekly float64
}

// Trend compares this week with the average of the four before: +0.5 is
// half again as much, −0.5 half as much. ok is false with no earlier
// activity to compare with.
func (e Engagement) Trend() (change float64, ok bool) {
	if e.PrevWeekly <= 0 {
		return 0, false
	}
	return e.ThisWeek/e.PrevWeekly - 1, true
}

// Percentiles ranks values: out[i] is the share of values below values[i],
// counting ties as half below, in percent. One value alone is at 50.
func Percentiles(values []float64) []float64 {
	order := make([]int, len(values))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmpFloat(values[a], values[b]) })
	out := make([]float64, len(values))
	n := float64(len(values))
	for lo := 0; lo < len(order); {
		hi := lo
		for hi < len(order) && values[order[hi]] == values[order[lo]] {
			hi++
		}
		p := (float64(lo) + float64(hi-lo)/2) / n * 100
		for _, i := range order[lo:hi] {
			out[i] = p
		}
		lo = hi
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
