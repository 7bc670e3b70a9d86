package digest

import (
	"math"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/support"
)

// ChartWeeks is how many weeks a digest reads: its charts show twelve,
// and each figure compares the week with the four before it.
const ChartWeeks = 12

// Listed is how many lines a section's list shows at most (busiest
// groups, top contributors, top ideas, VIPs at risk).
const Listed = 5

// Span is the weeks a digest reads, oldest first, the last being the
// digest's own, with their bounds in the community's zone.
type Span struct {
	Weeks []Week
	// Bounds are the weeks' starts and the last week's end: len(Weeks)+1
	// moments. Week i is [Bounds[i], Bounds[i+1]).
	Bounds []time.Time
}

// SpanOf is the ChartWeeks weeks that end with w, read in loc.
func SpanOf(w Week, loc *time.Location) Span {
	s := Span{Weeks: w.Last(ChartWeeks)}
	for _, wk := range s.Weeks {
		s.Bounds = append(s.Bounds, wk.Start(loc))
	}
	s.Bounds = append(s.Bounds, w.End(loc))
	return s
}

// Facts are what a digest is made from, as the store reads them for a
// Span. A weekly series has a value per week of the span, oldest first.
type Facts struct {
	NewMembers, ActiveMembers, ReturningMembers, QuietMembers []int
	Messages                                                  []int
	BusiestChats                                              []ChatLine // the digest's week, busiest first
	Contributors                                              []Contributor
	AtRisk                                                    []RiskFacts // VIPs who may be at risk, any order
	IdeasNew, IdeaStatusChanges, VotersTold                   []int
	TopIdeas                                                  []IdeaLine
	// NPSAnswers are each week's answers, weighted by the member's CLV
	// when they answered.
	NPSAnswers                                                   [][]feedback.Weighted
	Support                                                      []support.Report // the last five weeks only, oldest first
	PostsSubmitted, PostsApproved, PostsConsented, PostsReshared []int
	ModerationActions, ModerationOnVIPs                          []int
	ModeratedVIPs                                                []Named // the VIPs moderated in the digest's week
	NewBuyers                                                    []int   // linked members whose first paid order fell in the week
	LinkedRevenue                                                []float64
	ByLevel                                                      []LevelValue
	Highlight                                                    HighlightFacts
}

// Named is a member as a digest names them.
type Named struct {
	Member community.MemberID `json:"member"`
	Name   string             `json:"name"`
}

// ChatLine is a group or topic and its messages in the week and the week
// before.
type ChatLine struct {
	Title    string             `json:"title"`
	Platform community.Platform `json:"platform"`
	Messages int                `json:"messages"`
	Prev     int                `json:"prev"`
}

// Contributor is one of the week's most active members: their weighted
// activity of the week, messages, tier and value.
type Contributor struct {
	Member    community.MemberID `json:"member"`
	Name      string             `json:"name"`
	Tier      community.Tier     `json:"tier"`
	Points    float64            `json:"points"`
	Messages  int                `json:"messages"`
	Predicted float64            `json:"predicted_clv"`
	Modelled  bool               `json:"has_prediction"` // Predicted is known
	Revenue   float64            `json:"revenue"`
	Linked    bool               `json:"linked"`
}

// IdeaLine is an open idea with its votes, CLV-weighted.
type IdeaLine struct {
	ID       int64           `json:"id"`
	Title    string          `json:"title"`
	Status   feedback.Status `json:"status"`
	Votes    int             `json:"votes"`
	NewVotes int             `json:"new_votes"` // in the digest's week
	Value    float64         `json:"voters_value"`
}

// LevelValue is what the linked members of one engagement level are worth.
type LevelValue struct {
	Level        int     `json:"level"` // 1 (most engaged) to 4
	Members      int     `json:"members"`
	Linked       int     `json:"linked"`    // linked to a shop customer
	Predicted    int     `json:"predicted"` // of them, with a predicted CLV
	AvgPredicted float64 `json:"avg_predicted_clv"`
	Revenue      float64 `json:"revenue"` // their customers' revenue so far
}

// Digest is one week of the community, as owners and staff read it.
type Digest struct {
	Week   Week      `json:"week"`
	Start  time.Time `json:"start"` // Monday 00:00, community time
	End    time.Time `json:"end"`   // the next Monday 00:00
	Zone   string    `json:"zone"`
	MadeAt time.Time `json:"made_at"`

	Members  MembersSection  `json:"members"`
	Activity ActivitySection `json:"activity"`
	Top      []Contributor   `json:"top_contributors"`
	AtRisk   []AtRisk        `json:"vips_at_risk"`
	// AtRiskCount is how many VIPs are at risk, listed or not.
	AtRiskCount int               `json:"vips_at_risk_count"`
	Ideas       IdeasSection      `json:"ideas"`
	NPS         NPSSection        `json:"nps"`
	Support     SupportSection    `json:"support"`
	Posts       PostsSection      `json:"customer_posts"`
	Moderation  ModerationSection `json:"moderation"`
	CLV         CLVSection        `json:"clv"`

	// Lift is the community-to-CLV lift report as of the week's end.
	Lift *Lift `json:"lift,omitempty"`

	// Highlight is what the groups that asked for it are told.
	Highlight Highlight `json:"highlight"`

	// PAlive is every VIP's P(alive) at the making, kept with the stored
	// digest (not in it) for next week's ReasonPAliveFall.
	PAlive map[community.MemberID]float64 `json:"-"`

	// Trend is the chart's twelve weeks, oldest first.
	Trend []WeekPoint `json:"trend"`
}

// MembersSection counts members: first seen in the week; active in it;
// returning (active, not in the week before, first seen before that);
// gone quiet (active in one of the four weeks before, not in this one).
type MembersSection struct {
	New       Figure `json:"new"`
	Active    Figure `json:"active"`
	Returning Figure `json:"returning"`
	GoneQuiet Figure `json:"gone_quiet"`
}

// ActivitySection is the week's messages and where they were written.
type ActivitySection struct {
	Messages Figure     `json:"messages"`
	Busiest  []ChatLine `json:"busiest"`
}

// IdeasSection is the board's week.
type IdeasSection struct {
	New           Figure     `json:"new"`
	StatusChanges Figure     `json:"status_changes"`
	VotersTold    Figure     `json:"voters_told"`
	Top           []IdeaLine `json:"top"`
}

// NPSSection is the NPS of the week's answers, weighted by CLV too, and
// the trend.
type NPSSection struct {
	Answers  Figure       `json:"answers"`
	Score    feedback.NPS `json:"score"`
	Weighted feedback.NPS `json:"clv_weighted"`
	Prev     feedback.NPS `json:"prev"` // the week before's, to compare
}

// SupportSection is the desk's week.
type SupportSection struct {
	Opened            Figure `json:"opened"`
	Closed            Figure `json:"closed"`
	OpenNow           int    `json:"open_now"`
	FirstResponseMins Figure `json:"median_first_response_minutes"`
	Responded         int    `json:"responded"`
	Breaches          Figure `json:"breaches"`
	CSAT              Figure `json:"csat"`
	Rated             int    `json:"rated"`
	KBHitRate         Figure `json:"kb_hit_rate"`
	Asked             int    `json:"asked"`
}

// PostsSection is the showcase's week.
type PostsSection struct {
	Submitted Figure `json:"submitted"`
	Approved  Figure `json:"approved"`
	Consented Figure `json:"consented"`
	Reshared  Figure `json:"reshared"`
}

// ModerationSection is the week's moderation actions and the VIPs they
// touched.
type ModerationSection struct {
	Actions    Figure  `json:"actions"`
	OnVIPs     Figure  `json:"on_vips"`
	VIPsNamed  []Named `json:"vips"`
	MoreVIPsBy int     `json:"more_vips"` // named beyond the list
}

// CLVSection is what the community's members are worth.
type CLVSection struct {
	NewBuyers Figure       `json:"new_buyers"`
	Revenue   Figure       `json:"linked_revenue"`
	ByLevel   []LevelValue `json:"by_level"`
}

// WeekPoint is one week of the charts.
type WeekPoint struct {
	Week       string  `json:"week"`
	Active     int     `json:"active_members"`
	Messages   int     `json:"messages"`
	NPS        float64 `json:"nps"` // meaningful only with Responses > 0
	Responses  int     `json:"nps_responses"`
	NewMembers int     `json:"new_members"`
}

// Build makes the digest of the span's last week from its facts, at
// made (the clock's time), in the zone named zone.
func Build(s Span, f Facts, risk RiskRules, made time.Time, zone string) Digest {
	n := len(s.Weeks)
	w := s.Weeks[n-1]
	d := Digest{Week: w, Start: s.Bounds[n-1], End: s.Bounds[n], Zone: zone, MadeAt: made}
	d.Members = MembersSection{New: counts(f.NewMembers), Active: counts(f.ActiveMembers),
		Returning: counts(f.ReturningMembers), GoneQuiet: counts(f.QuietMembers)}
	d.Activity = ActivitySection{Messages: counts(f.Messages), Busiest: head(f.BusiestChats)}
	d.Top = head(f.Contributors)
	d.AtRisk, d.AtRiskCount = risk.Rank(f.AtRisk)
	d.Ideas = IdeasSection{New: counts(f.IdeasNew), StatusChanges: counts(f.IdeaStatusChanges),
		VotersTold: counts(f.VotersTold), Top: head(f.TopIdeas)}
	d.NPS = npsSection(f.NPSAnswers)
	d.Support = supportSection(f.Support)
	d.Posts = PostsSection{Submitted: counts(f.PostsSubmitted), Approved: counts(f.PostsApproved),
		Consented: counts(f.PostsConsented), Reshared: counts(f.PostsReshared)}
	d.Moderation = ModerationSection{Actions: counts(f.ModerationActions), OnVIPs: counts(f.ModerationOnVIPs),
		VIPsNamed: head(f.ModeratedVIPs), MoreVIPsBy: max(0, len(f.ModeratedVIPs)-Listed)}
	d.CLV = CLVSection{NewBuyers: counts(f.NewBuyers), Revenue: FigureOf(f.LinkedRevenue), ByLevel: f.ByLevel}
	d.Highlight = HighlightOf(f.Highlight)
	d.PAlive = map[community.MemberID]float64{}
	for _, r := range f.AtRisk {
		if r.HasModel {
			d.PAlive[r.Member] = r.PAlive
		}
	}
	for i, wk := range s.Weeks {
		p := WeekPoint{Week: wk.String(), Active: at(f.ActiveMembers, i), Messages: at(f.Messages, i), NewMembers: at(f.NewMembers, i)}
		if i < len(f.NPSAnswers) && len(f.NPSAnswers[i]) > 0 {
			p.NPS, p.Responses = feedback.ComputeWeighted(unweighted(f.NPSAnswers[i])).Score, len(f.NPSAnswers[i])
		}
		d.Trend = append(d.Trend, p)
	}
	return d
}

// NPSSeries is the trend's NPS by week, NaN where a week had no answer
// (a gap in the chart).
func (d Digest) NPSSeries() []float64 {
	out := make([]float64, len(d.Trend))
	for i, p := range d.Trend {
		out[i] = math.NaN()
		if p.Responses > 0 {
			out[i] = p.NPS
		}
	}
	return out
}

func npsSection(weeks [][]feedback.Weighted) NPSSection {
	var out NPSSection
	sizes := make([]int, len(weeks))
	for i, w := range weeks {
		sizes[i] = len(w)
	}
	out.Answers = counts(sizes)
	if n := len(weeks); n > 0 {
		out.Score = feedback.ComputeWeighted(unweighted(weeks[n-1]))
		out.Weighted = feedback.ComputeWeighted(weeks[n-1])
		if n > 1 {
			out.Prev = feedback.ComputeWeighted(unweighted(weeks[n-2]))
		}
	}
	return out
}

// unweighted gives every answer the same weight.
func unweighted(answers []feedback.Weighted) []feedback.Weighted {
	out := make([]feedback.Weighted, len(answers))
	for i, a := range answers {
		out[i] = feedback.Weighted{Score: a.Score, Weight: 1}
	}
	return out
}

func supportSection(weeks []support.Report) SupportSection {
	var out SupportSection
	if len(weeks) == 0 {
		return out
	}
	series := func(value func(support.Report) float64) Figure {
		v := make([]float64, len(weeks))
		for i, r := range weeks {
			v[i] = value(r)
		}
		return FigureOf(v)
	}
	last := weeks[len(weeks)-1]
	out.Opened = series(func(r support.Report) float64 { return float64(r.Opened) })
	out.Closed = series(func(r support.Report) float64 { return float64(r.Closed) })
	out.Breaches = series(func(r support.Report) float64 { return float64(r.Breaches) })
	out.FirstResponseMins = series(func(r support.Report) float64 { return r.MedianFirstResponse.Minutes() })
	out.CSAT = series(func(r support.Report) float64 { return r.MeanCSAT })
	out.KBHitRate = series(func(r support.Report) float64 { return r.KBHitRate() })
	out.OpenNow, out.Responded, out.Rated, out.Asked = last.OpenNow, last.Responded, last.Rated, last.Asked
	return out
}

// counts is the Figure of weekly counts.
func counts(weekly []int) Figure {
	v := make([]float64, len(weekly))
	for i, n := range weekly {
		v[i] = float64(n)
	}
	return FigureOf(v)
}

func head[T any](s []T) []T { return slices.Clone(s[:min(len(s), Listed)]) }

func at(s []int, i int) int {
	if i < len(s) {
		return s[i]
	}
	return 0
}
