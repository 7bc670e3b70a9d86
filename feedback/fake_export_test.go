package feedback

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
)

// fakeExport lists the fake showcase's consented submissions as a store
// that read them a moment ago might: every submission consented to,
// whatever its consent says now, so that the export's own check is what
// a test sees at work.
type fakeExport struct {
	*fakeShowcase
	names map[community.MemberID]string
	err   error // returned instead of the listing when set
}

func (f *fakeExport) ConsentedSubmissions(_ context.Context, _ ConsentScope, _ time.Time) ([]ExportCandidate, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []ExportCandidate
	for _, s := range f.subs {
		if s.Status == SubmissionConsented {
			out = append(out, ExportCandidate{Submission: s, AuthorName: f.names[s.Member]})
		}
	}
	slices.SortFunc(out, func(a, b ExportCandidate) int {
		return cmp.Or(b.Submission.CreatedAt.Compare(a.Submission.CreatedAt), cmp.Compare(b.Submission.ID, a.Submission.ID))
	})
	return out, nil
}
