package feedback

import (
	"context"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

const consentText = "May we reshare your post in our community and on our social accounts and website for 12 months?"

// approved is member 7's submission, approved and waiting for consent.
func (st *showcaseTest) approved(seed string) Submission {
	st.t.Helper()
	sub := st.submit(7, seed)
	sub, err := st.sc.Approve(context.Background(), sub.ID, 99)
	if err != nil {
		st.t.Fatal(err)
	}
	return sub
}

// consent records member 7's answer d for submission id.
func (st *showcaseTest) consent(id SubmissionID, d ConsentDecision) Consent {
	st.t.Helper()
	c, err := st.sc.Consent(context.Background(), answer(id, d))
	if err != nil {
		st.t.Fatal(err)
	}
	return c
}

func answer(id SubmissionID, d ConsentDecision) ConsentAnswer {
	return ConsentAnswer{Submission: id, Member: 7, Decision: d, Scopes: []ConsentScope{ScopeCommunity, ScopeBrand},
		Text: consentText, Lang: "en", Months: 12, Platform: community.Telegram, MessageID: "501"}
}

func TestConsentIsRecordedForTwelveMonths(t *testing.T) {
	st := newShowcaseTest(t)
	sub := st.approved("a")
	c, err := st.sc.Consent(context.Background(), answer(sub.ID, ConsentAllowAnonymous))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 12, 6, 10, 0, 0, 0, time.UTC)
	if !c.GrantedAt.Equal(showcaseNow) || !c.ExpiresAt.Equal(want) || c.Credit != CreditAnonymous || c.TextHash != sha256.Sum256([]byte(consentText)) {
		t.Fatalf("consent %+v; want granted now, expiring %s, anonymous, hashed", c, want)
	}
	if got, _ := st.sc.Submission(context.Background(), sub.ID); got.Status != SubmissionConsented {
		t.Fatalf("status %s, want consented", got.Status)
	}
}

func TestDeclineMovesTheSubmissionToDeclined(t *testing.T) {
	st := newShowcaseTest(t)
	sub := st.approved("a")
	c, err := st.sc.Consent(context.Background(), answer(sub.ID, ConsentDecline))
	if err != nil || c.Credit != CreditNone {
		t.Fatalf("got %+v, %v", c, err)
	}
	if got, _ := st.sc.Submission(context.Background(), sub.ID); got.Status != SubmissionDeclined {
		t.Fatalf("status %s, want declined", got.Status)
	}
}

func TestConsentRefusals(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	pending := st.submit(7, "p")
	sub := st.approved("a")
	answered := st.approved("b")
	st.consent(answered.ID, ConsentAllow)
	other := answer(sub.ID, ConsentAllow)
	other.Member = 8
	noScope := answer(sub.ID, ConsentAllow)
	noScope.Scopes = nil
	badScope := answer(sub.ID, ConsentAllow)
	badScope.Scopes = []ConsentScope{"everywhere"}
	noText := answer(sub.ID, ConsentAllow)
	noText.Text = ""
	noMonths := answer(sub.ID, ConsentAllow)
	noMonths.Months = 0
	forever := answer(sub.ID, ConsentAllow)
	forever.Months = MaxConsentMonths + 1
	for _, tc := range []struct {
		name string
		a    ConsentAnswer
		code community.Code
		key  string
	}{
		{"someone else", other, community.EForbidden, "showcase.not_yours"},
		{"not reviewed", answer(pending.ID, ConsentAllow), community.EConflict, "showcase.not_awaiting_consent"},
		{"answered already", answer(answered.ID, ConsentDecline), community.EConflict, "showcase.not_awaiting_consent"},
		{"unknown decision", answer(sub.ID, "maybe"), community.EInvalid, "showcase.bad_decision"},
		{"no scope", noScope, community.EInvalid, "showcase.consent_unstated"},
		{"bad scope", badScope, community.EInvalid, "showcase.consent_unstated"},
		{"no text", noText, community.EInvalid, "showcase.consent_unstated"},
		{"no duration", noMonths, community.EInvalid, "showcase.consent_unstated"},
		{"too long", forever, community.EInvalid, "showcase.consent_unstated"},
		{"missing", answer(404, ConsentAllow), community.ENotFound, "showcase.not_found"},
	} {
		_, err := st.sc.Consent(ctx, tc.a)
		if community.ErrorCode(err) != tc.code || errorKey(err) != tc.key {
			t.Errorf("%s: got %v, want %s %s", tc.name, err, tc.code, tc.key)
		}
	}
	if len(st.f.consents) != 1 {
		t.Fatalf("%d consents recorded, want 1", len(st.f.consents))
	}
}

func TestValid(t *testing.T) {
	at := showcaseNow
	allowed := Consent{Decision: ConsentAllow, Scopes: []ConsentScope{ScopeCommunity}, GrantedAt: at, ExpiresAt: at.AddDate(1, 0, 0)}
	revoked := allowed
	revoked.RevokedAt = at.Add(time.Hour)
	declined := allowed
	declined.Decision = ConsentDecline
	for _, tc := range []struct {
		name string
		c    Consent
		now  time.Time
		want bool
	}{
		{"allowed", allowed, at.Add(time.Hour), true},
		{"a moment before expiry", allowed, allowed.ExpiresAt.Add(-time.Nanosecond), true},
		{"at expiry", allowed, allowed.ExpiresAt, false},
		{"revoked", revoked, at.Add(2 * time.Hour), false},
		{"declined", declined, at, false},
		{"no decision", Consent{ExpiresAt: allowed.ExpiresAt}, at, false},
	} {
		if got := tc.c.Valid(tc.now); got != tc.want {
			t.Errorf("%s: Valid = %v, want %v", tc.name, got, tc.want)
		}
	}
	if allowed.Allows(ScopeBrand, at) {
		t.Error("a community-only consent allows the brand's accounts")
	}
}

func TestCheckReshare(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	never := st.approved("never")
	declined := st.approved("declined")
	revoked := st.approved("revoked")
	allowed := st.approved("allowed")
	communityOnly := st.approved("community")
	erased := st.approved("erased")
	mustConsent := func(a ConsentAnswer) Consent {
		c, err := st.sc.Consent(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mustConsent(answer(declined.ID, ConsentDecline))
	rc := mustConsent(answer(revoked.ID, ConsentAllow))
	if _, err := st.sc.Revoke(ctx, rc.ID, 7); err != nil {
		t.Fatal(err)
	}
	ok := mustConsent(answer(allowed.ID, ConsentAllow))
	co := answer(communityOnly.ID, ConsentAllow)
	co.Scopes = []ConsentScope{ScopeCommunity}
	mustConsent(co)
	ec := mustConsent(answer(erased.ID, ConsentAllow))
	st.f.consents[ec.ID-1].Member = 0 // its author was erased (the ledger revokes it then: this one was not)

	later := showcaseNow.AddDate(0, 6, 0)
	for _, tc := range []struct {
		name  string
		id    SubmissionID
		scope ConsentScope
		now   time.Time
		key   string
	}{
		{"never answered", never.ID, ScopeCommunity, later, "showcase.no_consent"},
		{"declined", declined.ID, ScopeCommunity, later, "showcase.consent_declined"},
		{"revoked", revoked.ID, ScopeCommunity, later, "showcase.consent_revoked"},
		{"anonymous", erased.ID, ScopeCommunity, later, "showcase.consent_revoked"},
		{"expired", allowed.ID, ScopeCommunity, showcaseNow.AddDate(1, 0, 0), "showcase.consent_expired"},
		{"out of scope", communityOnly.ID, ScopeBrand, later, "showcase.consent_out_of_scope"},
		{"valid", allowed.ID, ScopeBrand, later, ""},
		{"valid in scope", communityOnly.ID, ScopeCommunity, later, ""},
	} {
		c, err := st.sc.CheckReshare(ctx, tc.id, tc.scope, tc.now)
		if tc.key == "" {
			if err != nil || (tc.id == allowed.ID && c.ID != ok.ID) {
				t.Errorf("%s: got %+v, %v; want the consent", tc.name, c, err)
			}
			continue
		}
		if community.ErrorCode(err) != community.EForbidden || errorKey(err) != tc.key {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.key)
		}
	}
}

func TestRevoke(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	c := st.consent(st.approved("a").ID, ConsentAllow)
	if _, err := st.sc.Revoke(ctx, c.ID, 8); community.ErrorCode(err) != community.EForbidden {
		t.Fatalf("someone else revoking: %v", err)
	}
	st.now = showcaseNow.Add(48 * time.Hour)
	got, err := st.sc.Revoke(ctx, c.ID, 7)
	if err != nil || !got.RevokedAt.Equal(st.now) || got.Valid(st.now) {
		t.Fatalf("revoke: %+v, %v", got, err)
	}
	if _, err := st.sc.Revoke(ctx, c.ID, 7); errorKey(err) != "showcase.already_revoked" {
		t.Fatalf("revoke twice: %v", err)
	}
	if _, err := st.sc.Revoke(ctx, 99, 7); errorKey(err) != "showcase.consent_not_found" {
		t.Fatalf("revoke a missing one: %v", err)
	}
}

func TestAllowEarnsPointsOnceAndQueuesTheReshare(t *testing.T) {
	st := newShowcaseTest(t)
	sub := st.approved("a")
	st.consent(sub.ID, ConsentAllow)
	r := st.f.records[0]
	if r.From != SubmissionApproved || r.To != SubmissionConsented || r.Activity != community.ActivityUGCApproved ||
		r.Reshare.Kind != EventShowcaseReshare || r.Reshare.Payload != (SubmissionRef{Submission: sub.ID}) {
		t.Fatalf("record %+v; want approved -> consented with points and the reshare", r)
	}
	declined := st.approved("b")
	st.consent(declined.ID, ConsentDecline)
	if r := st.f.records[1]; r.Activity != "" || r.Reshare.Kind != "" {
		t.Fatalf("a decline earned %q and queued %q", r.Activity, r.Reshare.Kind)
	}
}

func TestExpiredConsentMayBeRenewedNotARevokedOne(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	short := answer(st.approved("a").ID, ConsentAllow)
	short.Months = 1
	first, err := st.sc.Consent(ctx, short)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.sc.Consent(ctx, answer(first.Submission, ConsentAllow)); errorKey(err) != "showcase.not_awaiting_consent" {
		t.Fatalf("a second consent while the first is in force: %v", err)
	}
	st.now = first.ExpiresAt
	if _, err := st.sc.CheckReshare(ctx, first.Submission, ScopeCommunity, st.now); errorKey(err) != "showcase.consent_expired" {
		t.Fatalf("expired consent: %v", err)
	}
	renewed, err := st.sc.Consent(ctx, answer(first.Submission, ConsentAllow))
	if err != nil || !renewed.ExpiresAt.Equal(st.now.AddDate(0, 12, 0)) {
		t.Fatalf("renewal: %+v, %v", renewed, err)
	}
	if r := st.f.records[1]; r.From != SubmissionConsented || r.Activity != "" || r.Reshare.Kind != EventShowcaseReshare {
		t.Fatalf("renewal record %+v; want a reshare without points again", r)
	}
	if _, err := st.sc.CheckReshare(ctx, first.Submission, ScopeCommunity, st.now); err != nil {
		t.Fatalf("renewed consent: %v", err)
	}
	if _, err := st.sc.Revoke(ctx, renewed.ID, 7); err != nil {
		t.Fatal(err)
	}
	st.now = renewed.ExpiresAt.Add(time.Hour)
	if _, err := st.sc.Consent(ctx, answer(first.Submission, ConsentAllow)); errorKey(err) != "showcase.not_awaiting_consent" {
		t.Fatalf("renewing a revoked consent: %v", err)
	}
}

func TestRevokeAndExpiryWithdrawOnce(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	revoked := st.consent(st.approved("a").ID, ConsentAllow)
	expiring := st.consent(st.approved("b").ID, ConsentAllow)
	st.consent(st.approved("c").ID, ConsentDecline)
	if _, err := st.sc.Revoke(ctx, revoked.ID, 7); err != nil {
		t.Fatal(err)
	}
	job := st.sc.ExpiryJob()
	if err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	st.now = expiring.ExpiresAt
	for range 2 {
		if err := job.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := []Withdrawal{{Submission: revoked.Submission, Consent: revoked.ID, Reason: WithdrawRevoked},
		{Submission: expiring.Submission, Consent: expiring.ID, Reason: WithdrawExpired}}
	if !slices.Equal(st.f.withdrawn, want) {
		t.Fatalf("withdrawn %+v, want %+v", st.f.withdrawn, want)
	}
}

func TestAnswerRecordsTheRequestAsShown(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	sub := st.approved("a")
	req, err := st.sc.Ask(ctx, sub, "Μπορούμε να το κοινοποιήσουμε για 12 μήνες;", "el")
	if err != nil || req.Months != DefaultConsentMonths {
		t.Fatalf("ask: %+v, %v", req, err)
	}
	if _, _, err := st.sc.Answer(ctx, Press{Request: req.ID, Member: 8, Decision: ConsentAllow}); errorKey(err) != "showcase.not_yours" {
		t.Fatalf("someone else's press: %v", err)
	}
	if _, _, err := st.sc.Answer(ctx, Press{Request: 99, Member: 7, Decision: ConsentAllow}); errorKey(err) != "showcase.request_not_found" {
		t.Fatalf("a request never shown: %v", err)
	}
	c, got, err := st.sc.Answer(ctx, Press{Request: req.ID, Member: 7, Decision: ConsentAllow, Platform: community.Discord, MessageID: "m1"})
	if err != nil || got.ID != req.ID {
		t.Fatal(err)
	}
	if c.Text != req.Text || c.Lang != "el" || !c.ExpiresAt.Equal(showcaseNow.AddDate(0, 12, 0)) || c.MessageID != "m1" {
		t.Fatalf("consent %+v; want the request's text, language and months", c)
	}
}

func TestRenewalWithdrawsTheExpiredConsentAndDeclineHasNothingToWithdraw(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	first := st.consent(st.approved("a").ID, ConsentAllow)
	st.now = first.ExpiresAt.Add(time.Minute) // before the expiry job ran
	st.consent(first.Submission, ConsentAllow)
	want := []Withdrawal{{Submission: first.Submission, Consent: first.ID, Reason: WithdrawExpired}}
	if !slices.Equal(st.f.withdrawn, want) {
		t.Fatalf("withdrawn %+v, want %+v", st.f.withdrawn, want)
	}
	declined := st.consent(st.approved("b").ID, ConsentDecline)
	if _, err := st.sc.Revoke(ctx, declined.ID, 7); errorKey(err) != "showcase.nothing_to_withdraw" {
		t.Fatalf("revoking a decline: %v", err)
	}
}

func TestRevokeAnOlderConsentWithdrawsTheOneInForce(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	first := st.consent(st.approved("a").ID, ConsentAllow)
	st.now = first.ExpiresAt
	if _, err := st.sc.Revoke(ctx, first.ID, 7); errorKey(err) != "showcase.consent_ended" {
		t.Fatalf("revoking an expired consent: %v", err)
	}
	renewed := st.consent(first.Submission, ConsentAllow)
	got, err := st.sc.Revoke(ctx, first.ID, 7) // an older /mycontent's button
	if err != nil || got.ID != renewed.ID {
		t.Fatalf("revoke through the old consent: %+v, %v; want consent %d withdrawn", got, err, renewed.ID)
	}
	if _, err := st.sc.CheckReshare(ctx, first.Submission, ScopeCommunity, st.now); errorKey(err) != "showcase.consent_revoked" {
		t.Fatalf("after the withdrawal: %v", err)
	}
}

func TestADeclinedRenewalIsNotRenewable(t *testing.T) {
	st := newShowcaseTest(t)
	ctx := context.Background()
	first := st.consent(st.approved("a").ID, ConsentAllow)
	st.now = first.ExpiresAt
	st.consent(first.Submission, ConsentDecline)
	st.now = st.now.AddDate(2, 0, 0)
	if _, err := st.sc.Consent(ctx, answer(first.Submission, ConsentAllow)); errorKey(err) != "showcase.not_awaiting_consent" {
		t.Fatalf("an answer after a declined renewal: %v", err)
	}
	if len(st.f.withdrawn) != 1 {
		t.Fatalf("withdrawals %+v; want only the first consent's", st.f.withdrawn)
	}
}
