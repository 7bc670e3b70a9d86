package feedback

import (
	"context"
	"errors"
	"testing"

	"github.com/hearthbot/hearth/community"
)

// TestExportKeepsOnlyWhatTheBrandMayUse: of the posts a store lists as
// consented, the export keeps those CheckReshare allows for the brand's
// accounts, newest first, credited by name only when the author chose it.
func TestExportKeepsOnlyWhatTheBrandMayUse(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	consent := func(seed string, a func(SubmissionID) ConsentAnswer) (Submission, Consent) {
		t.Helper()
		sub := st.approved(seed)
		c, err := st.sc.Consent(ctx, a(sub.ID))
		if err != nil {
			t.Fatal(err)
		}
		sub, _ = st.sc.Submission(ctx, sub.ID)
		return sub, c
	}
	allow := func(d ConsentDecision) func(SubmissionID) ConsentAnswer {
		return func(id SubmissionID) ConsentAnswer { return answer(id, d) }
	}
	st.now = showcaseNow.AddDate(-1, 0, 0) // expires at showcaseNow
	consent("expired", allow(ConsentAllow))
	st.now = showcaseNow
	named, nc := consent("named", allow(ConsentAllow))
	_, rc := consent("revoked", allow(ConsentAllow))
	if _, err := st.sc.Revoke(ctx, rc.ID, 7); err != nil {
		t.Fatal(err)
	}
	consent("community only", func(id SubmissionID) ConsentAnswer {
		a := answer(id, ConsentAllow)
		a.Scopes = []ConsentScope{ScopeCommunity}
		return a
	})
	_, ec := consent("erased", allow(ConsentAllow))
	st.f.consents[ec.ID-1].Member = 0
	consent("declined", allow(ConsentDecline))
	st.approved("unanswered")
	anonymous, ac := consent("anonymous", allow(ConsentAllowAnonymous))

	store := &fakeExport{fakeShowcase: st.f, names: map[community.MemberID]string{7: "Ann"}}
	items, err := NewShowcaseExport(st.sc, store).Items(ctx, showcaseNow.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []ExportItem{
		{Submission: anonymous, Consent: ac, Credit: ""},
		{Submission: named, Consent: nc, Credit: "Ann"},
	}
	if len(items) != len(want) {
		t.Fatalf("exported %+v; want submissions %d and %d", items, anonymous.ID, named.ID)
	}
	for i, w := range want {
		got := items[i]
		if got.Submission.ID != w.Submission.ID || got.Consent.ID != w.Consent.ID || got.Credit != w.Credit ||
			len(got.Submission.Media) != 1 || got.Submission.Media[0].Hash != w.Submission.Media[0].Hash {
			t.Errorf("item %d: got submission %d, consent %d, credit %q; want %d, %d, %q",
				i, got.Submission.ID, got.Consent.ID, got.Credit, w.Submission.ID, w.Consent.ID, w.Credit)
		}
	}
}

func TestExportPassesTheStoresErrorOn(t *testing.T) {
	st := newShowcaseTest(t)
	boom := errors.New("connection lost")
	_, err := NewShowcaseExport(st.sc, &fakeExport{fakeShowcase: st.f, err: boom}).Items(context.Background(), showcaseNow)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the store's error", err)
	}
}
