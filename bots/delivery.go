package bots

import (
	"context"
	"errors"
	"fmt"
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
	// Update.Handle), and EditID the message a pressed button is on.
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
	Message Reply
	// NotBefore holds the message until then (quiet hours); zero sends it
	// at once.
	NotBefore time.Time
}

// Delivery is an Outgoing message claimed from the outbox for sending.
type Delivery struct {
	ID       int64
	Target   Target
	Message  Reply
	Attempts int // including this one
	// SentIDs are the platform message ids of parts already sent by an
	// earlier attempt (a long text goes out in several messages); the
	// adapter sends only the rest.
	SentIDs []string
}

// Sender delivers messages on one platform. Send returns the platform ids
// of every part sent, including those of an earlier attempt, even when it
// fails part way. It waits for the platform's rate limits itself.
type Sender interface {
	Send(ctx context.Context, d Delivery) ([]string, error)
}

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
