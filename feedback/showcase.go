package feedback

import (
	"context"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// SubmissionID numbers a post a member submitted to the showcase.
type SubmissionID int64

// SubmissionStatus is where a submission is on its way to a reshare.
type SubmissionStatus string

// The statuses of a submission: staff review it (pending -> approved or
// rejected), then its author answers the consent request (approved ->
// consented or declined). Only a consented one may be reshared, and only
// while its consent is valid (Showcase.CheckReshare).
const (
	SubmissionPending   SubmissionStatus = "pending"
	SubmissionApproved  SubmissionStatus = "approved" // waiting for the author's consent
	SubmissionRejected  SubmissionStatus = "rejected"
	SubmissionConsented SubmissionStatus = "consented"
	SubmissionDeclined  SubmissionStatus = "declined"
)

// SubmissionMedia is one file of a submission and the message it came in.
type SubmissionMedia struct {
	Hash      MediaHash
	MessageID string // the platform's id of the member's message
	Type      MediaType
	Size      int64
}

// Submission is a member's post for the showcase: one file, or an album
// of several in their order.
type Submission struct {
	ID         SubmissionID
	Member     community.MemberID // 0: a former member
	Platform   community.Platform
	Chat       community.ChatID // where it was posted; 0: not known
	Album      string           // the platform's album the files came in; "" for one post
	Media      []SubmissionMedia
	Caption    string
	Status     SubmissionStatus
	Reason     string // why staff rejected it
	ReviewedBy community.MemberID
	ReviewedAt time.Time
	CreatedAt  time.Time
}

// Limits of a submission.
const (
	// MaxAlbum is the most files one submission holds (a Telegram album
	// holds ten).
	MaxAlbum = 10
	// MaxCaption is the longest caption kept (Telegram's limit).
	MaxCaption = 1024
	// MaxRejectReason is the longest reason staff may give a rejection.
	MaxRejectReason = 500
)

// Audit action names of the showcase.
const (
	AuditShowcaseApproved = "showcase.approve"
	AuditShowcaseRejected = "showcase.reject"
	AuditShowcasePlace    = "showcase.place"
)

// ShowcaseStore is what the showcase needs from persistence.
type ShowcaseStore interface {
	// PutMedia copies the file m reads into the store, a piece at a time,
	// and keeps it by its hash; a file kept already stays one copy. An
	// error from m (a type not accepted, a file too big) leaves nothing.
	PutMedia(ctx context.Context, m *MediaReader) (Media, error)
	// OpenMedia streams a kept file back (MediaNotFound).
	OpenMedia(ctx context.Context, h MediaHash) (io.ReadCloser, Media, error)
	// SaveSubmission keeps a submission of kept files, pending, and queues
	// the event submitted gives for its id (delayed by AlbumWait for an
	// album); a file the member
	// submitted already is AlreadySubmitted.
	SaveSubmission(ctx context.Context, s Submission, submitted func(SubmissionID) community.Event) (Submission, error)
	// AddToAlbum adds a file to the member's pending submission of album
	// on platform p (SubmissionNotFound when there is none; EInvalid past
	// MaxAlbum files; AlreadySubmitted as SaveSubmission).
	AddToAlbum(ctx context.Context, member community.MemberID, p community.Platform, album string, m SubmissionMedia) (Submission, error)
	// AlbumSubmission returns the member's pending submission of album on
	// platform p (SubmissionNotFound when there is none).
	AlbumSubmission(ctx context.Context, member community.MemberID, p community.Platform, album string) (Submission, error)
	// Submission returns submission id (SubmissionNotFound).
	Submission(ctx context.Context, id SubmissionID) (Submission, error)
	// ReviewSubmission moves submission s.ID from pending to s.Status with s's
	// reason and reviewer, writing the effects (ErrConflict when it is no
	// longer pending).
	ReviewSubmission(ctx context.Context, s Submission, effects community.Effects) error
	// RecordConsent appends r.Consent to the consent ledger and moves its
	// submission from r.From to r.To, with the activity and the reshare r
	// asks for, in one transaction (ErrConflict when the submission is no
	// longer at r.From, or has a consent in force at r.Consent.GrantedAt).
	RecordConsent(ctx context.Context, r ConsentRecord) (Consent, error)
	// Consent returns consent id (ConsentNotFound).
	Consent(ctx context.Context, id ConsentID) (Consent, error)
	// LatestConsent returns the submission's last consent
	// (ConsentNotFound when there is none).
	LatestConsent(ctx context.Context, id SubmissionID) (Consent, error)
	// RevokeConsent records the revocation of consent w.Consent at, and
	// queues its withdrawal (WithdrawnEvent), in one transaction
	// (ErrConflict when it was revoked already).
	RevokeConsent(ctx context.Context, w Withdrawal, at time.Time) error
	// WithdrawExpired queues the withdrawal of every allowing consent
	// expired at now and not withdrawn yet, once whatever the replicas,
	// and returns them.
	WithdrawExpired(ctx context.Context, now time.Time) ([]Withdrawal, error)
	// MemberEntries returns the member's submissions, newest first, each
	// with its latest consent.
	MemberEntries(ctx context.Context, member community.MemberID) ([]Entry, error)
	// ConsentedEntries returns up to limit submissions whose latest
	// consent allows a reshare at now, newest first.
	ConsentedEntries(ctx context.Context, now time.Time, limit int) ([]Entry, error)
	// Reshares returns the messages consent id's reshare went out as, and
	// those of its messages being sent right now.
	Reshares(ctx context.Context, id ConsentID) ([]Reshare, error)
	// SaveRequest keeps a consent request as shown.
	SaveRequest(ctx context.Context, r ConsentRequest) (ConsentRequest, error)
	// Request returns consent request id (RequestNotFound).
	Request(ctx context.Context, id RequestID) (ConsentRequest, error)
	// SameFiles returns the other members' submissions that hold one of
	// submission id's files, oldest first.
	SameFiles(ctx context.Context, id SubmissionID) ([]SubmissionID, error)
}

// Entry is a submission with its latest consent (a zero ID: none yet)
// and the author's name, for the lists.
type Entry struct {
	Submission Submission
	Consent    Consent
	AuthorName string
}

// Reshare is a message a submission was reshared as: its platform ids
// (several for an album), for deleting it when the consent ends. One
// being sent right now has none yet (Sending).
type Reshare struct {
	Platform   community.Platform
	ChatID     string
	ThreadID   string
	MessageIDs []string
	Sending    bool
}

// Showcase holds the rules of customers' posts reshared by the brand:
// what files are kept, the staff review, and the consent ledger without
// which nothing is reshared. It knows nothing about chats or SQL.
type Showcase struct {
	store    ShowcaseStore
	now      func() time.Time
	maxBytes int64
	months   int
}

// DefaultConsentMonths is how long a consent lasts unless configured
// otherwise.
const DefaultConsentMonths = 12

// NewShowcase returns the showcase, which keeps files of at most maxBytes
// (0: DefaultMaxMediaBytes) and asks consents for months (0:
// DefaultConsentMonths).
func NewShowcase(store ShowcaseStore, now func() time.Time, maxBytes int64, months int) *Showcase {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxMediaBytes
	}
	if months <= 0 {
		months = DefaultConsentMonths
	}
	return &Showcase{store: store, now: now, maxBytes: maxBytes, months: months}
}

// MaxBytes is the largest file kept.
func (s *Showcase) MaxBytes() int64 { return s.maxBytes }

// ConsentMonths is how long a consent given now lasts.
func (s *Showcase) ConsentMonths() int { return s.months }

// KeepMedia keeps the file r reads, streamed, if it is an accepted type
// within the limit.
func (s *Showcase) KeepMedia(ctx context.Context, r io.Reader) (Media, error) {
	return s.store.PutMedia(ctx, NewMediaReader(r, s.maxBytes))
}

// OpenMedia streams a kept file back.
func (s *Showcase) OpenMedia(ctx context.Context, h MediaHash) (io.ReadCloser, Media, error) {
	return s.store.OpenMedia(ctx, h)
}

// Submit records a member's post of kept files (in the order given; a
// file given twice counts once) for staff review.
func (s *Showcase) Submit(ctx context.Context, sub Submission) (Submission, error) {
	sub.Media = distinctMedia(sub.Media)
	sub.Caption = strings.TrimSpace(sub.Caption)
	if err := CheckPost(sub.Caption, len(sub.Media)); err != nil {
		return Submission{}, err
	}
	sub.ID, sub.Status, sub.CreatedAt = 0, SubmissionPending, s.now()
	sub.Reason, sub.ReviewedBy, sub.ReviewedAt = "", 0, time.Time{}
	return s.store.SaveSubmission(ctx, sub, func(id SubmissionID) community.Event { return SubmittedEvent(id, sub.CreatedAt) })
}

// SameFiles returns the other members' submissions of the same files as
// submission id: a post that is not its author's own, for staff to see
// before they approve it.
func (s *Showcase) SameFiles(ctx context.Context, id SubmissionID) ([]SubmissionID, error) {
	return s.store.SameFiles(ctx, id)
}

// AlbumSubmission returns the member's pending submission of an album
// (SubmissionNotFound when there is none: the album's first message did
// not ask for the showcase), before its other files are downloaded.
func (s *Showcase) AlbumSubmission(ctx context.Context, member community.MemberID, p community.Platform, album string) (Submission, error) {
	if album == "" {
		return Submission{}, SubmissionNotFound(0)
	}
	return s.store.AlbumSubmission(ctx, member, p, album)
}

// AddToAlbum adds a file that came in an album to the member's pending
// submission of that album (SubmissionNotFound when there is none: the
// album's first message did not ask for the showcase).
func (s *Showcase) AddToAlbum(ctx context.Context, member community.MemberID, p community.Platform, album string, m SubmissionMedia) (Submission, error) {
	if album == "" {
		return Submission{}, SubmissionNotFound(0)
	}
	return s.store.AddToAlbum(ctx, member, p, album, m)
}

// CheckPost refuses a post of files files with caption that Submit would
// refuse (no file, too many, a caption too long): the chat layer asks it
// before downloading anything.
func CheckPost(caption string, files int) error {
	switch {
	case files == 0:
		return community.Errorf(community.EInvalid, "showcase.no_media", nil, "a submission needs a photo or a video")
	case files > MaxAlbum:
		return community.Errorf(community.EInvalid, "showcase.too_many_files", map[string]any{"Count": files, "Max": MaxAlbum},
			"%d files; at most %d", files, MaxAlbum)
	}
	if n := utf8.RuneCountInString(caption); n > MaxCaption {
		return community.Errorf(community.EInvalid, "showcase.caption_too_long", map[string]any{"Length": n, "Max": MaxCaption},
			"caption of %d characters; at most %d", n, MaxCaption)
	}
	return nil
}

// distinctMedia keeps the first of each file, in order.
func distinctMedia(in []SubmissionMedia) []SubmissionMedia {
	seen := make(map[MediaHash]bool, len(in))
	out := make([]SubmissionMedia, 0, len(in))
	for _, m := range in {
		if !seen[m.Hash] {
			seen[m.Hash] = true
			out = append(out, m)
		}
	}
	return out
}

// Submission returns submission id.
func (s *Showcase) Submission(ctx context.Context, id SubmissionID) (Submission, error) {
	return s.store.Submission(ctx, id)
}

// Approve approves a pending submission: its author is asked for consent
// next. Anything but a pending submission is EConflict.
func (s *Showcase) Approve(ctx context.Context, id SubmissionID, by community.MemberID) (Submission, error) {
	return s.review(ctx, id, by, SubmissionApproved, "")
}

// Reject rejects a pending submission with a reason its author is told
// (EInvalid when empty or too long). Anything but a pending submission is
// EConflict.
func (s *Showcase) Reject(ctx context.Context, id SubmissionID, by community.MemberID, reason string) (Submission, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Submission{}, community.Errorf(community.EInvalid, "showcase.reason_empty", nil, "a rejection needs a reason")
	}
	if n := utf8.RuneCountInString(reason); n > MaxRejectReason {
		return Submission{}, community.Errorf(community.EInvalid, "showcase.reason_too_long", map[string]any{"Length": n, "Max": MaxRejectReason},
			"reason of %d characters; at most %d", n, MaxRejectReason)
	}
	return s.review(ctx, id, by, SubmissionRejected, reason)
}

func (s *Showcase) review(ctx context.Context, id SubmissionID, by community.MemberID, to SubmissionStatus, reason string) (Submission, error) {
	sub, err := s.store.Submission(ctx, id)
	if err != nil {
		return Submission{}, err
	}
	if sub.Status != SubmissionPending {
		return Submission{}, AlreadyReviewed(id)
	}
	sub.Status, sub.Reason, sub.ReviewedBy, sub.ReviewedAt = to, reason, by, s.now()
	action := AuditShowcaseApproved
	if to == SubmissionRejected {
		action = AuditShowcaseRejected
	}
	effects := community.Effects{Audit: []community.AuditEntry{{At: sub.ReviewedAt, Actor: by, Action: action, Target: sub.Member,
		Chat: sub.Chat, Reason: reason, Details: map[string]any{"submission": int64(id)}}},
		Events: []community.Event{community.NewEvent(EventShowcaseReviewed, SubmissionRef{Submission: id}, sub.ReviewedAt)}}
	if err := s.store.ReviewSubmission(ctx, sub, effects); err != nil {
		if community.ErrorCode(err) == community.EConflict {
			return Submission{}, AlreadyReviewed(id)
		}
		return Submission{}, err
	}
	return sub, nil
}
