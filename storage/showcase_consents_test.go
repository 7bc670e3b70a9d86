package storage_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
)

func TestConsentLedgerRoundTrip(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, staff := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, staff, mp4(100, 1))
	got, err := f.s.Consent(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 12, 6, 10, 0, 0, 0, time.UTC)
	if got.Member != ann || got.Text != "May we reshare it for 12 months?" || got.TextHash != sha256.Sum256([]byte(got.Text)) ||
		got.Lang != "en" || got.Decision != feedback.ConsentAllow || got.Credit != feedback.CreditNamed ||
		!got.GrantedAt.Equal(showcaseNow) || !got.ExpiresAt.Equal(want) || !got.RevokedAt.IsZero() ||
		got.Platform != community.Telegram || got.MessageID != "900" || len(got.Scopes) != 2 || got.Scopes[1] != feedback.ScopeBrand {
		t.Fatalf("ledger row %+v", got)
	}
	if sub, _ := f.sc.Submission(ctx, c.Submission); sub.Status != feedback.SubmissionConsented {
		t.Fatalf("submission %s, want consented", sub.Status)
	}
	if _, err := f.s.Consent(ctx, 404); errorKey(err) != "showcase.consent_not_found" {
		t.Fatalf("a missing consent: %v", err)
	}
}

func TestConsentOnlyForAnApprovedSubmission(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, staff := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, staff, mp4(100, 1))
	// The store refuses a second answer even when the domain's check
	// passed on a state read before (another replica answered first).
	_, err := f.s.RecordConsent(ctx, feedback.ConsentRecord{Consent: feedback.Consent{Member: ann, Submission: c.Submission, Scopes: c.Scopes, Text: "x",
		TextHash: sha256.Sum256([]byte("x")), Decision: feedback.ConsentDecline, Credit: feedback.CreditNone,
		GrantedAt: showcaseNow, ExpiresAt: showcaseNow.AddDate(1, 0, 0), Platform: community.Telegram},
		From: feedback.SubmissionApproved, To: feedback.SubmissionDeclined})
	if !errors.Is(err, community.ErrConflict) {
		t.Fatalf("second answer: %v", err)
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_consents`); n != 1 {
		t.Fatalf("%d ledger rows, want 1", n)
	}
}

// ledgerRefuses runs q on the ledger and wants the append-only trigger's
// refusal.
func ledgerRefuses(t *testing.T, s *storage.Store, what, q string, args ...any) {
	t.Helper()
	_, err := s.DB().Exec(q, args...)
	if err == nil || !strings.Contains(err.Error(), "showcase_consents is append-only") {
		t.Errorf("%s: got %v, want the append-only refusal", what, err)
	}
}

func TestConsentLedgerIsAppendOnly(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ann, bob, staff := f.member("ann", community.Telegram, true), f.member("bob", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, staff, mp4(100, 1))
	id := int64(c.ID)
	for _, tc := range []struct{ what, sql string }{
		{"delete", `DELETE FROM showcase_consents WHERE id = $1`},
		{"change the text", `UPDATE showcase_consents SET text = 'May we sell it?' WHERE id = $1`},
		{"change the hash", `UPDATE showcase_consents SET text_hash = sha256('other') WHERE id = $1`},
		{"extend", `UPDATE showcase_consents SET expires_at = expires_at + interval '10 years' WHERE id = $1`},
		{"widen the scope", `UPDATE showcase_consents SET scopes = ARRAY['community', 'brand', 'community'] WHERE id = $1`},
		{"change the decision", `UPDATE showcase_consents SET decision = 'allow_anonymous', credit = 'anonymous' WHERE id = $1`},
		{"change the message", `UPDATE showcase_consents SET message_id = '1' WHERE id = $1`},
	} {
		ledgerRefuses(t, f.s, tc.what, tc.sql, id)
	}
	ledgerRefuses(t, f.s, "give it to someone else", `UPDATE showcase_consents SET member_id = $2 WHERE id = $1`, id, int64(bob))
	ledgerRefuses(t, f.s, "truncate", `TRUNCATE showcase_consents CASCADE`)

	// Revoked once: NULL -> a time, never again, never back.
	if _, err := f.s.DB().Exec(`UPDATE showcase_consents SET revoked_at = $2 WHERE id = $1`, id, showcaseNow.Add(time.Hour)); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	ledgerRefuses(t, f.s, "revoke again", `UPDATE showcase_consents SET revoked_at = $2 WHERE id = $1`, id, showcaseNow.Add(2*time.Hour))
	ledgerRefuses(t, f.s, "unrevoke", `UPDATE showcase_consents SET revoked_at = NULL WHERE id = $1`, id)

	got, err := f.s.Consent(context.Background(), c.ID)
	if err != nil || got.Text != c.Text || !got.ExpiresAt.Equal(c.ExpiresAt) || !got.RevokedAt.Equal(showcaseNow.Add(time.Hour)) {
		t.Fatalf("after the refused changes: %+v, %v", got, err)
	}
	// Only an erasure takes the member and the text out, together and
	// from a consent revoked: a member row deleted outright cannot leave
	// an anonymous consent behind, nor can the text go alone.
	ledgerRefuses(t, f.s, "delete the member outright", `DELETE FROM members WHERE id = $1`, int64(ann))
	ledgerRefuses(t, f.s, "drop the text alone", `UPDATE showcase_consents SET text = '' WHERE id = $1`, id)
	ledgerRefuses(t, f.s, "drop the member alone", `UPDATE showcase_consents SET member_id = NULL WHERE id = $1`, id)
	live := f.consented(bob, staff, mp4(200, 2))
	ledgerRefuses(t, f.s, "anonymise a consent in force", `UPDATE showcase_consents SET member_id = NULL, text = '' WHERE id = $1`, int64(live.ID))
	if _, err := f.s.DB().Exec(`UPDATE showcase_consents SET member_id = NULL, text = '' WHERE id = $1`, id); err != nil {
		t.Fatalf("anonymise the revoked consent: %v", err)
	}
	if got, _ := f.s.Consent(context.Background(), c.ID); got.Member != 0 || got.Text != "" || got.TextHash != c.TextHash {
		t.Fatalf("after the anonymising: %+v", got)
	}
	if _, err := f.s.DB().Exec(`UPDATE showcase_consents SET revoked_at = granted_at - interval '1 year' WHERE id = $1`, int64(live.ID)); err == nil {
		t.Error("a revocation dated before the consent was given was accepted")
	}
}

func TestRevokeOnce(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, staff := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, staff, mp4(100, 1))
	f.now = showcaseNow.AddDate(0, 1, 0)
	if _, err := f.sc.CheckReshare(ctx, c.Submission, feedback.ScopeCommunity, f.now); err != nil {
		t.Fatalf("before the revocation: %v", err)
	}
	if _, err := f.sc.Revoke(ctx, c.ID, ann); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sc.Revoke(ctx, c.ID, ann); errorKey(err) != "showcase.already_revoked" {
		t.Fatalf("revoke twice: %v", err)
	}
	if err := f.s.RevokeConsent(ctx, feedback.Withdrawal{Submission: c.Submission, Consent: c.ID, Reason: feedback.WithdrawRevoked}, f.now.Add(time.Hour)); !errors.Is(err, community.ErrConflict) {
		t.Fatalf("store revoke twice: %v", err)
	}
	if err := f.s.RevokeConsent(ctx, feedback.Withdrawal{Consent: 404, Reason: feedback.WithdrawRevoked}, f.now); errorKey(err) != "showcase.consent_not_found" {
		t.Fatalf("revoke a missing one: %v", err)
	}
	got, _ := f.s.Consent(ctx, c.ID)
	if !got.RevokedAt.Equal(f.now) {
		t.Fatalf("revoked at %s, want %s (the first revocation)", got.RevokedAt, f.now)
	}
	if _, err := f.sc.CheckReshare(ctx, c.Submission, feedback.ScopeCommunity, f.now); errorKey(err) != "showcase.consent_revoked" {
		t.Fatalf("after the revocation: %v", err)
	}
}

func TestConsentExpires(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, staff := f.member("ann", community.Telegram, true), f.member("sam", community.Telegram, false)
	c := f.consented(ann, staff, mp4(100, 1))
	for _, tc := range []struct {
		at  time.Time
		key string
	}{
		{c.ExpiresAt.Add(-time.Second), ""},
		{c.ExpiresAt, "showcase.consent_expired"},
		{c.ExpiresAt.AddDate(0, 1, 0), "showcase.consent_expired"},
	} {
		got, err := f.sc.CheckReshare(ctx, c.Submission, feedback.ScopeBrand, tc.at)
		if errorKey(err) != tc.key || (tc.key == "" && got.ID != c.ID) {
			t.Errorf("at %s: got %v, %v; want %q", tc.at, got.ID, err, tc.key)
		}
	}
	f.now = showcaseNow
	never := f.submit(ann, mp4(200, 2))
	if _, err := f.sc.CheckReshare(ctx, never.ID, feedback.ScopeCommunity, showcaseNow); errorKey(err) != "showcase.no_consent" {
		t.Fatalf("never asked: %v", err)
	}
}

func TestErasureAnonymisesTheLedger(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, bob, staff := f.member("ann", community.Telegram, true), f.member("bob", community.Telegram, true), f.member("sam", community.Telegram, false)
	shared, own := mp4(100, 1), mp4(storage.MediaChunk+1, 2)
	c := f.consented(ann, staff, own)
	f.submit(ann, shared)
	bobs := f.consented(bob, staff, shared)
	at := showcaseNow.AddDate(0, 2, 0)
	if err := f.s.EraseMember(ctx, community.Erasure{Member: ann, At: at}, erasureRules(at)); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Consent(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Member != 0 || got.Text != "" || got.TextHash != sha256.Sum256([]byte(c.Text)) || !got.RevokedAt.Equal(at) ||
		!got.GrantedAt.Equal(c.GrantedAt) || !got.ExpiresAt.Equal(c.ExpiresAt) || len(got.Scopes) != 2 {
		t.Fatalf("ledger row after erasure %+v; want anonymous, revoked at %s, hash, dates and scope kept", got, at)
	}
	if _, err := f.sc.CheckReshare(ctx, c.Submission, feedback.ScopeCommunity, at); errorKey(err) != "showcase.consent_revoked" {
		t.Fatalf("reshare after erasure: %v", err)
	}
	sub, err := f.sc.Submission(ctx, c.Submission)
	if err != nil || sub.Member != 0 || sub.Caption != "" || len(sub.Media) != 0 {
		t.Fatalf("submission after erasure %+v, %v", sub, err)
	}
	ownHash := sha256.Sum256(own)
	if n := count(t, f.s, `SELECT count(*) FROM showcase_media_chunks WHERE sha256 = $1`, ownHash[:]); n != 0 {
		t.Fatalf("%d chunks of the erased member's file left", n)
	}
	// bob submitted the same file: his copy and consent stay as they were.
	if _, err := f.sc.CheckReshare(ctx, bobs.Submission, feedback.ScopeCommunity, at); err != nil {
		t.Fatalf("bob's reshare: %v", err)
	}
	if got, _ := readAll(t, f.s, feedback.MediaHash(sha256.Sum256(shared))); len(got) != len(shared) {
		t.Fatalf("bob's file: %d bytes", len(got))
	}
	if n := count(t, f.s, `SELECT count(*) FROM showcase_consents WHERE member_id = $1 OR text <> '' AND member_id IS NULL`, int64(ann)); n != 0 {
		t.Fatalf("%d ledger rows still name ann", n)
	}
}
