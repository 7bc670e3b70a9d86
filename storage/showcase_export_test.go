package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
)

// answer records member's decision on their approved submission sub, for
// scopes, at the fixture's clock.
func (f *showcaseFixture) answer(sub feedback.Submission, member community.MemberID, d feedback.ConsentDecision, scopes ...feedback.ConsentScope) feedback.Consent {
	f.t.Helper()
	c, err := f.sc.Consent(context.Background(), feedback.ConsentAnswer{Submission: sub.ID, Member: member, Decision: d, Scopes: scopes,
		Months: 12, Text: "May we reshare it for 12 months?", Lang: "en", Platform: community.Telegram, MessageID: "900"})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// TestShowcaseExportListsTheConsentsInForce: the export's listing holds the
// consented submissions whose latest consent is in force for the scope,
// newest first, with their files in order and their author's name; no
// submission that is pending, rejected, approved and unanswered,
// declined, revoked, expired, for another scope or overruled by a later
// ledger row.
func TestShowcaseExportListsTheConsentsInForce(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, bob, staff := f.member("ann", community.Telegram, true), f.member("bob", community.Discord, true), f.member("sam", community.Telegram, false)
	both := []feedback.ConsentScope{feedback.ScopeCommunity, feedback.ScopeBrand}
	approve := func(sub feedback.Submission) feedback.Submission {
		t.Helper()
		sub, err := f.sc.Approve(ctx, sub.ID, staff)
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}

	f.now = showcaseNow.AddDate(-1, 0, -1)
	f.answer(approve(f.submit(ann, mp4(100, 1))), ann, feedback.ConsentAllow, both...) // expired yesterday
	f.now = showcaseNow.Add(-3 * 24 * time.Hour)
	album := approve(f.submit(ann, mp4(200, 2), mp4(300, 3)))
	named := f.answer(album, ann, feedback.ConsentAllow, both...)
	f.now = showcaseNow.Add(-2 * 24 * time.Hour)
	revoked := f.answer(approve(f.submit(ann, mp4(100, 4))), ann, feedback.ConsentAllow, both...)
	if _, err := f.sc.Revoke(ctx, revoked.ID, ann); err != nil {
		t.Fatal(err)
	}
	f.answer(approve(f.submit(bob, mp4(100, 5))), bob, feedback.ConsentDecline, both...)
	f.answer(approve(f.submit(bob, mp4(100, 6))), bob, feedback.ConsentAllow, feedback.ScopeCommunity)
	if _, err := f.sc.Reject(ctx, f.submit(bob, mp4(100, 7)).ID, staff, "Not our tea"); err != nil {
		t.Fatal(err)
	}
	f.submit(bob, mp4(100, 8))          // pending
	approve(f.submit(bob, mp4(100, 9))) // never answered
	overruled := f.answer(approve(f.submit(bob, mp4(100, 10))), bob, feedback.ConsentAllow, both...)
	f.exec(`INSERT INTO showcase_consents (member_id, submission_id, scopes, text, text_hash, language, decision, credit, granted_at, expires_at, revoked_at, platform)
SELECT member_id, submission_id, scopes, text, text_hash, language, decision, credit, granted_at, expires_at, granted_at, platform
FROM showcase_consents WHERE id = $1`, int64(overruled.ID))
	f.now = showcaseNow.Add(-24 * time.Hour)
	anonymous := f.answer(approve(f.submit(bob, mp4(400, 11))), bob, feedback.ConsentAllowAnonymous, both...)

	got, err := f.s.ConsentedSubmissions(ctx, feedback.ScopeBrand, showcaseNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Submission.ID != anonymous.Submission || got[1].Submission.ID != named.Submission {
		t.Fatalf("listed %+v; want submissions %d then %d", got, anonymous.Submission, named.Submission)
	}
	if got[0].AuthorName != "bob" || got[1].AuthorName != "ann" {
		t.Errorf("authors %q, %q; want bob, ann", got[0].AuthorName, got[1].AuthorName)
	}
	want, err := f.sc.Submission(ctx, album.ID)
	if err != nil {
		t.Fatal(err)
	}
	sub := got[1].Submission
	if sub.Member != ann || sub.Caption != "my tea" || sub.Status != feedback.SubmissionConsented || !sub.CreatedAt.Equal(want.CreatedAt) ||
		sub.ReviewedBy != staff || len(sub.Media) != 2 || sub.Media[0] != want.Media[0] || sub.Media[1] != want.Media[1] {
		t.Errorf("album %+v; want %+v", sub, want)
	}
	// The community's own channels may use one more: bob's community-only post.
	if got, err := f.s.ConsentedSubmissions(ctx, feedback.ScopeCommunity, showcaseNow); err != nil || len(got) != 3 {
		t.Errorf("for the community: %d listed (%v), want 3", len(got), err)
	}
	// At the instant of its expiry a consent is out of force (Consent.Valid).
	if got, err := f.s.ConsentedSubmissions(ctx, feedback.ScopeBrand, named.ExpiresAt); err != nil || len(got) != 1 || got[0].Submission.ID != anonymous.Submission {
		t.Errorf("at the album's expiry: %+v (%v), want only %d", got, err, anonymous.Submission)
	}
}
