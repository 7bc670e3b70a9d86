package outbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Target says where a delivery goes and how it relates to what came in.
type Target struct {
	Platform community.Platform `json:"platform"`
	ChatID   string             `json:"chat,omitempty"` // a chat; empty with UserID for a direct message
	UserID   string             `json:"user,omitempty"` // the member a direct message goes to
	ThreadID string             `json:"thread,omitempty"`
	ReplyTo  string             `json:"reply_to,omitempty"` // the message to reply to
	// Handle is the interaction or callback query to answer (see
	// the chat layer's Update.Handle), and EditID the message a pressed button is on.
	Handle string `json:"handle,omitempty"`
	EditID string `json:"edit,omitempty"`
	// Lang is the language the message was written in, for adapters that
	// add words of their own (a form prompt on Telegram).
	Lang string `json:"lang,omitempty"`
}

// Key groups deliveries that must go out in order: one chat, or one
// member's direct messages. The answer to an interaction stands alone: it
// must not wait behind a chat's queue.
func (t Target) Key() string {
	if t.Handle != "" {
		return string(t.Platform) + ":handle:" + t.Handle
	}
	if t.ChatID != "" {
		return string(t.Platform) + ":" + t.ChatID
	}
	return string(t.Platform) + ":user:" + t.UserID
}

// Outgoing is a message to send: where, and what.
type Outgoing struct {
	Target  Target
	Message Message
	// NotBefore holds the message until then (quiet hours); zero sends it
	// at once.
	NotBefore time.Time
}

// Delivery is an Outgoing message claimed from the outbox for sending.
type Delivery struct {
	ID       int64
	Target   Target
	Message  Message
	Attempts int // including this one
	// SentIDs are the platform message ids of parts already sent by an
	// earlier attempt (a long text goes out in several messages); the
	// adapter sends only the rest.
	SentIDs []string
	// Claim is the token of the claim this attempt works under (see
	// Store.ClaimDeliveries).
	Claim string
	// CreatedAt is when the message was queued; with ID it makes PartKey.
	CreatedAt time.Time

	// Progress records the parts sent so far, set by the dispatcher that
	// claimed the delivery; not stored.
	Progress func(ctx context.Context, sentIDs []string) error `json:"-"`
}

// Accepted records at once that the platform accepted every part in
// sentIDs (the ids of all parts sent so far, in order), so that a crash
// before the next part does not send these again. Adapters call it after
// each part the platform accepted. It fails with ErrClaimLost when another
// dispatcher has taken the delivery over (this one's lease ran out): the
// adapter must then stop sending and return the error.
func (d Delivery) Accepted(ctx context.Context, sentIDs []string) error {
	if d.Progress == nil {
		return nil
	}
	return d.Progress(ctx, sentIDs)
}

// PartKey names part (counted from 0) of this delivery for platforms that
// recognise a retried request by a key of the client's (Discord's message
// nonce): every attempt at that part, by whichever process, uses the same
// key, and no other message does. It is at most 25 characters, Discord's
// limit. The time the message was queued is folded in so that a database
// recreated from scratch, whose ids start again at 1, does not reuse the
// keys of messages the platform still remembers.
func (d Delivery) PartKey(part int) string {
	const saltSpan = 36 * 36 * 36 * 36 * 36 // 5 base-36 digits: a minute of microseconds
	salt := d.CreatedAt.UnixMicro() % saltSpan
	if salt < 0 {
		salt += saltSpan
	}
	return strconv.FormatInt(d.ID, 36) + "." + strconv.FormatInt(int64(part), 36) + "." + strconv.FormatInt(salt, 36)
}

// ErrClaimLost is what marking a delivery or an event fails with when the
// claim it was made under has run out and another dispatcher has taken the
// item over: the first must leave it alone.
var ErrClaimLost = errors.New("the outbox claim ran out and another dispatcher took the item over")

// RetryAfterError is a platform asking Hearth to wait before sending again
// (an HTTP 429 with retry_after).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// PermanentError is a failure that sending again cannot fix: the chat is
// gone, the bot was blocked or removed, the platform rejected the message.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "will not retry: " + e.Err.Error() }

func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as one that retrying cannot fix.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err is marked permanent.
func IsPermanent(err error) bool {
	_, ok := errors.AsType[*PermanentError](err)
	return ok
}
