package support

import (
	"context"
	"time"
)

// Report is how the support desk did over a span: the tickets opened (by
// the member's tier when they opened), how fast staff first answered and
// resolved them (medians over the tickets opened in the span that got
// there), the SLA breaches raised in it, the members' satisfaction with
// the tickets closed in it, and how many questions the knowledge base
// answered on its own.
type Report struct {
	Since, Until        time.Time
	Opened              int
	ByTier              map[string]int // "vip", "loyal", "regular", "newcomer"; "" for members not ranked
	Closed              int
	OpenNow             int // open at the report's making, whenever opened
	Responded           int
	MedianFirstResponse time.Duration
	Resolved            int
	MedianResolution    time.Duration
	Breaches            int
	Rated               int
	MeanCSAT            float64
	Asked               int // questions to the knowledge base
	AnsweredByKB        int // answered at once or by a picked suggestion, or solved
	Escalated           int
}

// KBHitRate is the share of the questions asked that the knowledge base
// answered; 0 when none were asked.
func (r Report) KBHitRate() float64 {
	if r.Asked == 0 {
		return 0
	}
	return float64(r.AnsweredByKB) / float64(r.Asked)
}

// ReportStore makes reports.
type ReportStore interface {
	// SupportReport returns the report of [since, until].
	SupportReport(ctx context.Context, since, until time.Time) (Report, error)
}

// ReportDays is the span of the staff's /support report.
const ReportDays = 7

// WeekReport is the report of the last ReportDays days.
func WeekReport(ctx context.Context, store ReportStore, now time.Time) (Report, error) {
	return store.SupportReport(ctx, now.AddDate(0, 0, -ReportDays), now)
}
