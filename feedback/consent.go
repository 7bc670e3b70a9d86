package feedback

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
)

// ConsentID numbers a row of the consent ledger.
type ConsentID int64

// ConsentScope is where a consent lets the brand reshare a post.
type ConsentScope string

// The scopes of a consent.
const (
	// ScopeCommunity: the community's own channels, where Hearth reshares.
	ScopeCommunity ConsentScope = "community"
	// ScopeBrand: the brand's social accounts and website.
	ScopeBrand ConsentScope = "brand"
)

// ConsentDecision is the author's answer to the consent request.
type ConsentDecision string

// The answers, one button each.
const (
	ConsentAllow          ConsentDecision = "allow"
	ConsentAllowAnonymous ConsentDecision = "allow_anonymous"
	ConsentDecline        ConsentDecision = "decline"
)

// Credit is how a reshare names its author.
type Credit string

// The credits: by name, without it, or none (a declined consent).
const (
	CreditNamed     Credit = "named"
	CreditAnonymous Credit = "anonymous"
	CreditNone      Credit = "none"
)

// Credit is the credit the decision chose.
func (d ConsentDecision) Credit() Credit {
	switch d {
	case ConsentAllow:
		return CreditNamed
	case ConsentAllowAnonymous:
		return CreditAnonymous
	}
	return CreditNone
}

// Consent is a row of the consent ledger: an author's answer to the
// request to reshare a submission, with the exact words they were shown.
// Rows are only appended; a revocation is recorded once on its row, and
// an erasure leaves the row anonymous (no member, no text) with the
// hash of the text as proof of what was allowed.
type Consent struct {
	ID         ConsentID
	Member     community.MemberID // 0: a former member
	Submission SubmissionID
	Scopes     []ConsentScope
	Text       string   // the request as shown; "" once its author is erased
	TextHash   [32]byte // SHA-256 of Text
	Lang       string   // the language Text is in
	Decision   ConsentDecision
	Credit     Credit
	GrantedAt  time.Time // when the author answered
	ExpiresAt  time.Time
	RevokedAt  time.Time // zero: not revoked
	Platform   community.Platform
	MessageID  string // the message the answer came through
}

// Valid tells whether c lets its submission be reshared at now: allowed,
// not revoked, not expired.
func (c Consent) Valid(now time.Time) bool {
	return c.Decision != ConsentDecline && c.Decision != "" && c.RevokedAt.IsZero() && now.Before(c.ExpiresAt)
}

// Allows tells whether c is valid at now for scope.
func (c Consent) Allows(scope ConsentScope, now time.Time) bool {
	return c.Valid(now) && slices.Contains(c.Scopes, scope)
}

// ConsentAnswer is the author's press of a consent button.
type ConsentAnswer struct {
	Submission SubmissionID
	Member     community.MemberID // who pressed
	Decision   ConsentDecision
	Scopes     []ConsentScope // as the request stated them
	Text       string         // the request as shown
	Lang       string
	Months     int // how long the request said the consent lasts
	Platform   community.Platform
	MessageID  string
}

// MaxConsentMonths is the longest a consent may last.
const MaxConsentMonths = 120

// ConsentRecord is what recording an answer changes: the ledger row, the
// submission's status, the author's points for a first consent, and the
// reshare an allowing answer queues.
type ConsentRecord struct {
	Consent  Consent
	From, To SubmissionStatus
	Activity community.ActivityKind // "": none
	Reshare  community.Event        // zero Kind: none; kept as the consent's reshare
	// Withdraw ends the consent a renewal replaces (expired, its
	// reshares not yet taken down), in the same transaction.
	Withdraw []Withdrawal
}

// RequestID numbers a consent request as shown.
type RequestID int64

// ConsentRequest is the request to reshare a submission as its author was
// shown it: the answer records exactly this text, language and duration.
type ConsentRequest struct {
	ID         RequestID
	Submission SubmissionID
	Member     community.MemberID
	Text       string
	Lang       string
	Months     int
	CreatedAt  time.Time
}

// Ask keeps the consent request text, in lang, about to be shown to the
// author of sub, lasting the showcase's months: its buttons name the
// request's id.
func (s *Showcase) Ask(ctx context.Context, sub Submission, text, lang string) (ConsentRequest, error) {
	if sub.Member == 0 || text == "" {
		return ConsentRequest{}, community.Errorf(community.EInvalid, "showcase.consent_unstated", nil, "a request needs an author and a text")
	}
	return s.store.SaveRequest(ctx, ConsentRequest{Submission: sub.ID, Member: sub.Member, Text: text, Lang: lang, Months: s.months,
		CreatedAt: s.now()})
}

// Press is the author's press of a consent request's button.
type Press struct {
	Request   RequestID
	Member    community.MemberID // who pressed
	Decision  ConsentDecision
	Platform  community.Platform
	MessageID string
}

// Answer records a press of a consent request's button: the consent of
// the request's text, language and duration as shown (Consent).
// Someone else's press is EForbidden.
func (s *Showcase) Answer(ctx context.Context, p Press) (Consent, ConsentRequest, error) {
	req, err := s.store.Request(ctx, p.Request)
	if err != nil {
		return Consent{}, ConsentRequest{}, err
	}
	if req.Member != p.Member {
		return Consent{}, ConsentRequest{}, community.Errorf(community.EForbidden, "showcase.not_yours", nil,
			"member %d answered request %d of member %d", p.Member, req.ID, req.Member)
	}
	c, err := s.Consent(ctx, ConsentAnswer{Submission: req.Submission, Member: p.Member, Decision: p.Decision,
		Scopes: []ConsentScope{ScopeCommunity, ScopeBrand}, Text: req.Text, Lang: req.Lang, Months: req.Months,
		Platform: p.Platform, MessageID: p.MessageID})
	return c, req, err
}

// Consent records the author's answer to the consent request of an
// approved submission in the ledger: it lasts the months the request
// stated, from now. An allowing answer earns the author the showcase's
// points the first time and queues the reshare. A submission whose
// consent expired may be consented again (a renewal). Someone else's
// answer is EForbidden; a submission not waiting for consent (not
// approved yet, answered already and still in force) is EConflict.
func (s *Showcase) Consent(ctx context.Context, a ConsentAnswer) (Consent, error) {
	if err := checkAnswer(a); err != nil {
		return Consent{}, err
	}
	sub, err := s.store.Submission(ctx, a.Submission)
	if err != nil {
		return Consent{}, err
	}
	if sub.Member == 0 || sub.Member != a.Member {
		return Consent{}, community.Errorf(community.EForbidden, "showcase.not_yours", nil,
			"member %d answered for submission %d of member %d", a.Member, sub.ID, sub.Member)
	}
	now := s.now()
	expired, renewal, err := s.renewable(ctx, sub, now)
	if err != nil {
		return Consent{}, err
	}
	if sub.Status != SubmissionApproved && !renewal {
		return Consent{}, notAwaitingConsent(sub.ID)
	}
	c := Consent{Member: a.Member, Submission: a.Submission, Scopes: a.Scopes, Text: a.Text, TextHash: sha256.Sum256([]byte(a.Text)),
		Lang: a.Lang, Decision: a.Decision, Credit: a.Decision.Credit(), GrantedAt: now, ExpiresAt: now.AddDate(0, a.Months, 0),
		Platform: a.Platform, MessageID: a.MessageID}
	r := ConsentRecord{Consent: c, From: sub.Status, To: SubmissionConsented}
	if renewal {
		r.Withdraw = []Withdrawal{{Submission: sub.ID, Consent: expired.ID, Reason: WithdrawExpired}}
	}
	switch {
	case a.Decision == ConsentDecline && renewal: // not renewed: it stays as it ended
	case a.Decision == ConsentDecline:
		r.To = SubmissionDeclined
	case renewal:
		r.Reshare = ReshareEvent(sub.ID, now)
	default:
		r.Activity, r.Reshare = community.ActivityUGCApproved, ReshareEvent(sub.ID, now)
	}
	c, err = s.store.RecordConsent(ctx, r)
	if errors.Is(err, community.ErrConflict) {
		return Consent{}, notAwaitingConsent(sub.ID)
	}
	return c, err
}

// renewable tells whether a consented submission's consent expired (and
// returns it): its author may consent again. A revoked one may not: the
// author said no.
func (s *Showcase) renewable(ctx context.Context, sub Submission, now time.Time) (Consent, bool, error) {
	if sub.Status != SubmissionConsented {
		return Consent{}, false, nil
	}
	last, err := s.store.LatestConsent(ctx, sub.ID)
	if community.ErrorCode(err) == community.ENotFound {
		return Consent{}, false, nil
	}
	if err != nil {
		return Consent{}, false, err
	}
	return last, last.Member != 0 && last.Decision != ConsentDecline && last.RevokedAt.IsZero() && !now.Before(last.ExpiresAt), nil
}

// checkAnswer refuses an answer that is not one of the buttons, or that
// states no scope or no text (EInvalid).
func checkAnswer(a ConsentAnswer) error {
	switch a.Decision {
	case ConsentAllow, ConsentAllowAnonymous, ConsentDecline:
	default:
		return community.Errorf(community.EInvalid, "showcase.bad_decision", nil, "consent decision %q", a.Decision)
	}
	if len(a.Scopes) == 0 || a.Text == "" || a.Months < 1 || a.Months > MaxConsentMonths {
		return community.Errorf(community.EInvalid, "showcase.consent_unstated", nil, "a consent needs its scope, the text shown and 1 to %d months", MaxConsentMonths)
	}
	for _, sc := range a.Scopes {
		if sc != ScopeCommunity && sc != ScopeBrand {
			return community.Errorf(community.EInvalid, "showcase.consent_unstated", nil, "consent scope %q", sc)
		}
	}
	return nil
}

func notAwaitingConsent(id SubmissionID) error {
	return community.Errorf(community.EConflict, "showcase.not_awaiting_consent", map[string]any{"ID": int64(id)},
		"submission %d is not waiting for consent", id)
}

// Revoke records that the member takes back their consent to a post from
// now on (consent id, or the one that renewed it since), and queues the
// withdrawal of its reshares. A consent that ended already (declined,
// withdrawn, expired) is EConflict. Someone else's consent is EForbidden; one revoked already is
// EConflict.
func (s *Showcase) Revoke(ctx context.Context, id ConsentID, member community.MemberID) (Consent, error) {
	c, err := s.store.Consent(ctx, id)
	if err != nil {
		return Consent{}, err
	}
	if c.Member == 0 || c.Member != member {
		return Consent{}, community.Errorf(community.EForbidden, "showcase.not_yours", nil,
			"member %d revoking consent %d of member %d", member, id, c.Member)
	}
	// The member means the post: a consent renewed since (an older
	// message's button) is withdrawn through the one now in force.
	if latest, err := s.store.LatestConsent(ctx, c.Submission); err != nil {
		return Consent{}, err
	} else if latest.ID != c.ID && latest.Member == member {
		c = latest
	}
	now := s.now()
	switch {
	case !c.RevokedAt.IsZero():
		return Consent{}, alreadyRevoked(c.ID)
	case c.Decision == ConsentDecline:
		return Consent{}, community.Errorf(community.EConflict, "showcase.nothing_to_withdraw", map[string]any{"ID": int64(c.Submission)},
			"consent %d declined: nothing to withdraw", c.ID)
	case !now.Before(c.ExpiresAt):
		return Consent{}, community.Errorf(community.EConflict, "showcase.consent_ended", map[string]any{"ID": int64(c.Submission)},
			"consent %d expired already", c.ID)
	}
	c.RevokedAt = now
	err = s.store.RevokeConsent(ctx, Withdrawal{Submission: c.Submission, Consent: c.ID, Reason: WithdrawRevoked}, c.RevokedAt)
	if errors.Is(err, community.ErrConflict) {
		return Consent{}, alreadyRevoked(c.ID)
	}
	return c, err
}

func alreadyRevoked(id ConsentID) error {
	return community.Errorf(community.EConflict, "showcase.already_revoked", map[string]any{"ID": int64(id)}, "consent %d is revoked already", id)
}

// CheckReshare is the one check every path that reshares a submission
// calls, when it decides and again when it delivers: it returns the
// submission's consent valid at now for scope, or EForbidden saying why
// there is none (never asked or not answered, declined, revoked,
// expired, or not for that scope).
func (s *Showcase) CheckReshare(ctx context.Context, id SubmissionID, scope ConsentScope, now time.Time) (Consent, error) {
	c, err := s.store.LatestConsent(ctx, id)
	if community.ErrorCode(err) == community.ENotFound {
		return Consent{}, noConsent(id, "showcase.no_consent", "no consent")
	}
	if err != nil {
		return Consent{}, err
	}
	switch {
	case c.Member == 0: // its member was erased: revoked with them
		return Consent{}, noConsent(id, "showcase.consent_revoked", "consent revoked")
	case c.Decision == ConsentDecline:
		return Consent{}, noConsent(id, "showcase.consent_declined", "consent declined")
	case !c.RevokedAt.IsZero():
		return Consent{}, noConsent(id, "showcase.consent_revoked", "consent revoked")
	case !now.Before(c.ExpiresAt):
		return Consent{}, noConsent(id, "showcase.consent_expired", "consent expired")
	case !c.Allows(scope, now):
		return Consent{}, noConsent(id, "showcase.consent_out_of_scope", "consent not for "+string(scope))
	}
	return c, nil
}

func noConsent(id SubmissionID, key, why string) error {
	return community.Errorf(community.EForbidden, key, map[string]any{"ID": int64(id)}, "submission %d may not be reshared: %s", id, why)
}

// ExpiryEvery is how often the showcase looks for consents that expired.
const ExpiryEvery = 10 * time.Minute

// ExpiryJob withdraws the reshares of consents that expired: Hearth's
// are deleted, staff are told to stop other uses, and the author may
// renew.
func (s *Showcase) ExpiryJob() community.Job {
	return community.Job{Name: "showcase.expiry", Schedule: community.Every(ExpiryEvery), Run: func(ctx context.Context) error {
		_, err := s.store.WithdrawExpired(ctx, s.now())
		return err
	}}
}

// MemberEntries lists a member's submissions, newest first, each with its
// latest consent: what /mycontent shows.
func (s *Showcase) MemberEntries(ctx context.Context, member community.MemberID) ([]Entry, error) {
	return s.store.MemberEntries(ctx, member)
}

// MaxListed is the most entries a list shows.
const MaxListed = 20

// Consented lists the posts that may be reshared now, newest first: what
// /showcase shows staff.
func (s *Showcase) Consented(ctx context.Context) ([]Entry, error) {
	return s.store.ConsentedEntries(ctx, s.now(), MaxListed)
}

// Reshares returns the messages consent id's reshare went out as, and
// those being sent right now.
func (s *Showcase) Reshares(ctx context.Context, id ConsentID) ([]Reshare, error) {
	return s.store.Reshares(ctx, id)
}

// LatestConsent returns the submission's last consent, zero when there
// is none.
func (s *Showcase) LatestConsent(ctx context.Context, id SubmissionID) (Consent, error) {
	c, err := s.store.LatestConsent(ctx, id)
	if community.ErrorCode(err) == community.ENotFound {
		return Consent{}, nil
	}
	return c, err
}

// Ledger returns the ledger's row id: the proof of what its author
// allowed (ConsentNotFound).
func (s *Showcase) Ledger(ctx context.Context, id ConsentID) (Consent, error) {
	return s.store.Consent(ctx, id)
}
