package feedback

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
)

// ExportStore is what the showcase's export needs from persistence.
type ExportStore interface {
	// ConsentedSubmissions returns the consented submissions whose latest
	// consent is in force at now for scope, with their files in order and
	// their author's name, newest first.
	ConsentedSubmissions(ctx context.Context, scope ConsentScope, now time.Time) ([]ExportCandidate, error)
}

// ExportCandidate is a submission the store found consented to, with its
// author's display name ("" for a former member or one without a name).
type ExportCandidate struct {
	Submission Submission
	AuthorName string
}

// ExportItem is a post the brand's social team may use: the submission,
// the consent that allows it, and the credit to print with it.
type ExportItem struct {
	Submission Submission
	Consent    Consent
	Credit     string // the author's name; "" when they chose no credit
}

// ShowcaseExport lists the posts the brand may reshare outside the
// community (ScopeBrand): the export for its social team is a reshare
// path like any other, so each post passes Showcase.CheckReshare.
type ShowcaseExport struct {
	showcase *Showcase
	store    ExportStore
}

// NewShowcaseExport returns the export of sc's posts, listed by store.
func NewShowcaseExport(sc *Showcase, store ExportStore) *ShowcaseExport {
	return &ShowcaseExport{showcase: sc, store: store}
}

// Items returns the posts whose consent lets the brand use them at now,
// newest first, each credited as its author chose. A post the store lists
// but whose consent CheckReshare refuses (revoked a moment ago, for
// instance) is left out.
func (e *ShowcaseExport) Items(ctx context.Context, now time.Time) ([]ExportItem, error) {
	candidates, err := e.store.ConsentedSubmissions(ctx, ScopeBrand, now)
	if err != nil {
		return nil, err
	}
	out := make([]ExportItem, 0, len(candidates))
	for _, cand := range candidates {
		c, err := e.showcase.CheckReshare(ctx, cand.Submission.ID, ScopeBrand, now)
		if community.ErrorCode(err) == community.EForbidden {
			continue
		}
		if err != nil {
			return nil, err
		}
		item := ExportItem{Submission: cand.Submission, Consent: c}
		if c.Credit == CreditNamed {
			item.Credit = cand.AuthorName
		}
		out = append(out, item)
	}
	return out, nil
}
