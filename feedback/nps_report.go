package feedback

import (
	"context"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Limits of the NPS report.
const (
	DefaultReportWeeks = 12 // the trend's weeks unless asked otherwise
	MaxReportWeeks     = 104
	ReportComments     = 5 // the latest detractors' comments shown
)

// TierNPS is the NPS of one tier's answers.
type TierNPS struct {
	Tier community.Tier `json:"tier"`
	NPS  NPS            `json:"nps"`
}

// WeekNPS is the NPS of the answers of one ISO week.
type WeekNPS struct {
	Year  int       `json:"year"`
	Week  int       `json:"week"`
	Start time.Time `json:"start"` // Monday 00:00, community time
	NPS   NPS       `json:"nps"`
}

// Comment is a detractor's reason for their score, for staff.
type Comment struct {
	Score  Score          `json:"score"`
	Reason string         `json:"reason"`
	Tier   community.Tier `json:"tier"`
	Name   string         `json:"name"` // "" once the member is erased
	At     time.Time      `json:"at"`
}

// Report is the NPS of the surveys opened since Since: overall with its
// 95% interval, by tier, weighted by the members' CLV, the response rate,
// the trend by ISO week and the latest detractors' comments.
type Report struct {
	Since        time.Time `json:"since"`
	Overall      NPS       `json:"overall"`
	Weighted     NPS       `json:"clv_weighted"` // each answer weighted by the member's CLV at answer time
	ByTier       []TierNPS `json:"by_tier"`
	Asked        int       `json:"asked"`
	ResponseRate float64   `json:"response_rate"` // answers per member asked, 0 to 1
	Trend        []WeekNPS `json:"trend"`
	Comments     []Comment `json:"detractor_comments"` // newest first
}

// Report reports on the surveys of the last weeks ISO weeks (this one
// included); weeks outside 1-MaxReportWeeks is EInvalid.
func (s *Surveys) Report(ctx context.Context, weeks int) (Report, error) {
	if weeks < 1 || weeks > MaxReportWeeks {
		return Report{}, community.Errorf(community.EInvalid, "nps.bad_weeks", map[string]any{"Max": MaxReportWeeks, "Weeks": weeks},
			"%d weeks; want 1 to %d", weeks, MaxReportWeeks)
	}
	since := weekStart(s.now().In(s.rules.Location)).AddDate(0, 0, -7*(weeks-1))
	asked, answers, err := s.store.SurveyResults(ctx, since)
	if err != nil {
		return Report{}, err
	}
	return BuildReport(since, weeks, asked, answers), nil
}

// BuildReport computes the report of answers given since (the start of
// a week, in the community's zone) over weeks weeks, of surveys that
// asked asked members.
func BuildReport(since time.Time, weeks, asked int, answers []Answer) Report {
	r := Report{Since: since, Asked: asked}
	scores := make([]Score, len(answers))
	weighted := make([]Weighted, len(answers))
	byTier := map[community.Tier][]Score{}
	for i, a := range answers {
		scores[i] = a.Score
		weighted[i] = Weighted{Score: a.Score, Weight: a.CLV}
		byTier[a.Tier] = append(byTier[a.Tier], a.Score)
	}
	r.Overall, r.Weighted = Compute(scores), ComputeWeighted(weighted)
	for _, t := range slices.Backward(community.Tiers) {
		if len(byTier[t]) > 0 {
			r.ByTier = append(r.ByTier, TierNPS{Tier: t, NPS: Compute(byTier[t])})
		}
	}
	if asked > 0 {
		r.ResponseRate = float64(len(answers)) / float64(asked)
	}
	r.Trend = trend(since, weeks, answers)
	r.Comments = comments(answers, ReportComments)
	return r
}

// trend is the NPS of each of weeks ISO weeks from since, oldest first;
// a week without answers has none.
func trend(since time.Time, weeks int, answers []Answer) []WeekNPS {
	byWeek := make([][]Score, weeks)
	for _, a := range answers {
		i := int(weekStart(a.At.In(since.Location())).Sub(since).Hours()+12) / (7 * 24) // +12h: a DST week is 167 or 169 hours
		if i >= 0 && i < weeks {
			byWeek[i] = append(byWeek[i], a.Score)
		}
	}
	out := make([]WeekNPS, weeks)
	for i := range out {
		start := since.AddDate(0, 0, 7*i)
		y, w := start.ISOWeek()
		out[i] = WeekNPS{Year: y, Week: w, Start: start, NPS: Compute(byWeek[i])}
	}
	return out
}

// comments are the latest limit detractors' reasons, newest first.
func comments(answers []Answer, limit int) []Comment {
	var out []Comment
	for _, a := range slices.Backward(answers) {
		if len(out) == limit {
			break
		}
		if a.Score.Detractor() && a.Reason != "" {
			out = append(out, Comment{Score: a.Score, Reason: a.Reason, Tier: a.Tier, Name: a.Name, At: a.At})
		}
	}
	return out
}

// weekStart is Monday 00:00 of t's ISO week, in t's zone.
func weekStart(t time.Time) time.Time {
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	y, m, d := t.AddDate(0, 0, -back).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
