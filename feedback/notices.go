package feedback

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
)

// NoticeRules say when the changes to items a member wrote or voted for
// are told to them: a while after the first one (so that several changes
// staff make together are one message), at most one message per
// Interval, and never in the quiet hours.
type NoticeRules struct {
	Settle   time.Duration
	Interval time.Duration
	Quiet    community.QuietHours
	Location *time.Location // the quiet hours' zone; nil: UTC
}

// DefaultNoticeRules wait 10 minutes and write to a member at most once
// a day.
func DefaultNoticeRules() NoticeRules {
	return NoticeRules{Settle: 10 * time.Minute, Interval: 24 * time.Hour}
}

// Pending is a member's changes not yet told: when the first of them was
// made, and when they were last written to about changes (zero: never).
type Pending struct {
	Member   community.MemberID
	First    time.Time
	LastSent time.Time
}

// Due is when a member's pending notices go out.
func (r NoticeRules) Due(p Pending) time.Time {
	due := p.First.Add(r.Settle)
	if !p.LastSent.IsZero() && p.LastSent.Add(r.Interval).After(due) {
		due = p.LastSent.Add(r.Interval)
	}
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	return r.Quiet.Next(due.In(loc))
}

// Notices is the payload of EventNotices: the members whose notices the
// event tells (the store finds each one's by the event).
type Notices struct {
	Members []community.MemberID `json:"members"`
}

// Notice is one change as a member is told it.
type Notice struct {
	Member  community.MemberID
	Item    ItemID
	Title   string
	To      Status
	Into    ItemID
	Comment string
	At      time.Time
}

// NoticeStore is what telling members of changes needs from persistence.
type NoticeStore interface {
	// PendingNotices returns the members with changes not yet told.
	PendingNotices(ctx context.Context) ([]Pending, error)
	// QueueNotices marks the pending notices of members queued at at, by
	// the event it writes for them, in one transaction; a member Hearth
	// may not write to privately (on no platform of opens, and no private
	// chat open) is marked unreachable, and counted in the result.
	QueueNotices(ctx context.Context, members []community.MemberID, at time.Time, opens []community.Platform, event community.Event) (unreachable int, err error)
}

// NoticesBatch is how many members one notices event tells.
const NoticesBatch = 500

// Notifier queues the notices that are due.
type Notifier struct {
	store     NoticeStore
	rules     NoticeRules
	messaging func() map[community.Platform]community.MessagingCapabilities
	now       func() time.Time
}

// NewNotifier returns the notifier; messaging says how each platform
// lets Hearth write to members.
func NewNotifier(store NoticeStore, rules NoticeRules, messaging func() map[community.Platform]community.MessagingCapabilities, now func() time.Time) *Notifier {
	return &Notifier{store: store, rules: rules, messaging: messaging, now: now}
}

// NoticesEvery is how often the notifier looks for due notices.
const NoticesEvery = time.Minute

// Job queues due notices every minute.
func (n *Notifier) Job() community.Job {
	return community.Job{Name: "feedback.notices", Schedule: community.Every(NoticesEvery), Run: func(ctx context.Context) error {
		_, err := n.QueueDue(ctx)
		return err
	}}
}

// QueueDue queues the notices of every member whose notices are due, in
// batches of NoticesBatch, and returns how many members it queued for.
func (n *Notifier) QueueDue(ctx context.Context) (int, error) {
	pending, err := n.store.PendingNotices(ctx)
	if err != nil {
		return 0, err
	}
	now := n.now()
	var due []community.MemberID
	for _, p := range pending {
		if !n.rules.Due(p).After(now) {
			due = append(due, p.Member)
		}
	}
	opens := community.OpensPrivateChatsOn(n.messaging())
	for start := 0; start < len(due); start += NoticesBatch {
		batch := due[start:min(start+NoticesBatch, len(due))]
		ev := community.NewEvent(EventNotices, Notices{Members: batch}, now)
		if _, err := n.store.QueueNotices(ctx, batch, now, opens, ev); err != nil {
			return start, err
		}
	}
	return len(due), nil
}
