package inbox

import (
	"context"
	"errors"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Inbound is what the router records of every update before handling it:
// that it was seen, who sent it, where, and the activity it counts as.
type Inbound struct {
	Platform community.Platform
	Key      string // the update's id
	At       time.Time
	From     User // empty ID: an update with no sender
	Chat     Chat // empty ID: an update outside any chat
	Activity community.ActivityKind
	// MessageID is the platform message of a message activity, for /purge,
	// or the thread a thread activity started.
	MessageID string
	// InReplyTo is what a message answers: the message it replies to or,
	// replying to none, its thread or forum topic. /helpful finds the
	// asker with it.
	InReplyTo string
	// ReactedTo is the message a reaction is on: its author is credited
	// with a reaction received.
	ReactedTo string
	// Done marks an update with nothing to handle beyond recording it; it
	// counts as handled on arrival.
	Done bool
	// Always marks an update to handle even in a group that is not the
	// community's: Hearth added or removed, a command (/connect).
	Always bool
	// Queue orders handling: the updates of one queue (a chat) are handled
	// one after the other, by Seq, different queues in parallel.
	Queue string
	Seq   int64
	// Payload is the whole update, kept until it is handled.
	Payload []byte
}

// Seen says whether an update is new.
type Seen int

// The answers to "have we seen this update?".
const (
	SeenNew        Seen = iota // first delivery
	SeenHandled                // a redelivery of an update already handled: ignore it
	SeenUnfinished             // seen before but never handled (Hearth stopped in between): handle it
)

// Recorded is the result of recording one update.
type Recorded struct {
	Seen           Seen
	Member         community.MemberID // 0 when the update has no sender, or came from outside
	MemberLanguage string
	Chat           community.ChatID // 0 when the update has no chat
	ChatIsStaff    bool
	ChatLanguage   string
	// Outside: the update came from a group that is not connected to the
	// community; nothing was recorded of its sender.
	Outside bool
	// Queued: the update waits in the inbox to be handled.
	Queued bool
}

// ErrUnrecordable marks the database refusing an update itself (its data,
// not the database's state): recording it again cannot help.
var ErrUnrecordable = errors.New("the database refuses this update")

// Store is what the inbox needs from persistence: recorded updates
// leased to the process handling them, and the dead letters.
type Store interface {
	// ClaimInbound leases up to limit waiting updates: the oldest of each
	// queue whose head is not leased, so that one chat's updates are
	// handled in order while different chats go in parallel. busy are the
	// updates this process is handling already.
	ClaimInbound(ctx context.Context, limit int, lease time.Duration, busy []int64) ([]Claimed, error)
	// RenewInbound extends the leases of updates still being handled, if
	// they are still the claims'.
	RenewInbound(ctx context.Context, claims []Claim, lease time.Duration) error
	// ReleaseInbound gives an update back after a failed attempt, to be
	// tried again after a pause; refund does not count the attempt (it
	// was cut short by a stop).
	ReleaseInbound(ctx context.Context, c Claim, after time.Duration, problem string, refund bool) error
	// DeadInbound records an update Hearth gives up on; one that was
	// recorded leaves the inbox and counts as handled.
	DeadInbound(ctx context.Context, d DeadUpdate) error
	// DeadUpdates returns the latest updates given up on, newest first, and
	// how many there are.
	DeadUpdates(ctx context.Context, limit int) ([]DeadUpdate, int, error)
	// Waiting reports whether a recorded update waits to be handled.
	Waiting(ctx context.Context, p community.Platform, key string) (bool, error)
	// EnsureMember returns the member behind a platform user, created on
	// first sight, with their own language.
	EnsureMember(ctx context.Context, p community.Platform, u User) (community.MemberID, string, error)
}

// Claim names one claim of a recorded update: only the latest claim
// of an update may finish, renew or give it back.
type Claim struct {
	ID      int64
	Attempt int
}

// Claimed is a recorded update leased for handling.
type Claimed struct {
	Claim
	Platform community.Platform
	Key      string
	Payload  []byte
	Recorded Recorded
}

// Stages at which Hearth may give up on an update.
const (
	StageRecord = "record" // the database refused to record it
	StageHandle = "handle" // every attempt to handle it failed
)

// DeadUpdate is an update Hearth gave up on, kept for owners to see.
type DeadUpdate struct {
	Platform    community.Platform
	Key         string
	UserID      string // the sender's platform id
	ReplyUserID string // the author of the message it answered
	Stage       string
	Kind        string // the update's kind
	Payload     string // the update as JSON
	Error       string
	Attempts    int
	At          time.Time
}
