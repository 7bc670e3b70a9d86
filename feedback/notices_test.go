package feedback

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// TestNoticesDue: notices go out Settle after the first change, no sooner
// than Interval after the last message, and never in the quiet hours of
// the community's zone, including a span over midnight.
func TestNoticesDue(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens") // UTC+2 in December
	if err != nil {
		t.Fatal(err)
	}
	night := community.QuietHours{From: 22 * time.Hour, To: 8 * time.Hour}
	lunch := community.QuietHours{From: 13 * time.Hour, To: 14 * time.Hour}
	utc := func(h, m int) time.Time { return time.Date(2026, 12, 5, h, m, 0, 0, time.UTC) }
	base := NoticeRules{Settle: 10 * time.Minute, Interval: 24 * time.Hour}
	withQuiet := func(q community.QuietHours, loc *time.Location) NoticeRules {
		r := base
		r.Quiet, r.Location = q, loc
		return r
	}
	for _, c := range []struct {
		what  string
		rules NoticeRules
		p     Pending
		want  time.Time
	}{
		{"settles after the first change", base, Pending{First: utc(10, 0)}, utc(10, 10)},
		{"once per interval", base, Pending{First: utc(10, 0), LastSent: utc(9, 0).AddDate(0, 0, -0)}, utc(9, 0).AddDate(0, 0, 1)},
		{"the last message long ago", base, Pending{First: utc(10, 0), LastSent: utc(9, 0).AddDate(0, 0, -3)}, utc(10, 10)},
		{"quiet hours in the zone, before midnight", withQuiet(night, athens), Pending{First: utc(20, 30)}, utc(6, 0).AddDate(0, 0, 1)},
		{"quiet hours in the zone, after midnight", withQuiet(night, athens), Pending{First: utc(1, 0)}, utc(6, 0)},
		{"outside the quiet hours in the zone", withQuiet(night, athens), Pending{First: utc(19, 0)}, utc(19, 10)},
		{"a quiet span within the day, UTC when no zone", withQuiet(lunch, nil), Pending{First: utc(13, 0)}, utc(14, 0)},
		{"the interval ends in the quiet hours", withQuiet(night, athens), Pending{First: utc(10, 0), LastSent: utc(21, 0).AddDate(0, 0, -1)}, utc(6, 0).AddDate(0, 0, 1)},
	} {
		if got := c.rules.Due(c.p); !got.Equal(c.want) {
			t.Errorf("%s: due %v; want %v", c.what, got.UTC(), c.want)
		}
	}
	if d := DefaultNoticeRules(); d.Settle != 10*time.Minute || d.Interval != 24*time.Hour || !d.Quiet.IsZero() {
		t.Errorf("DefaultNoticeRules = %+v", d)
	}
}

func messagingCaps() map[community.Platform]community.MessagingCapabilities {
	return map[community.Platform]community.MessagingCapabilities{
		community.Telegram: {}, community.Discord: {OpensPrivateChats: true},
	}
}

// TestQueueDueBatches: the members whose notices are due are queued in
// batches of NoticesBatch, each by one event naming them, with the
// platforms where Hearth opens private chats; the others wait.
func TestQueueDueBatches(t *testing.T) {
	f := newFakeBoard()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	n := NewNotifier(f, DefaultNoticeRules(), messagingCaps, func() time.Time { return now })
	var due []community.MemberID
	for i := range 1201 {
		m := community.MemberID(i + 1)
		f.pending = append(f.pending, Pending{Member: m, First: now.Add(-time.Hour)})
		due = append(due, m)
	}
	f.pending = append(f.pending,
		Pending{Member: 5000, First: now.Add(-time.Minute)},                              // not settled
		Pending{Member: 5001, First: now.Add(-time.Hour), LastSent: now.Add(-time.Hour)}, // told an hour ago
		Pending{Member: 5002, First: now.Add(-10 * time.Minute)})                         // due right now
	due = append(due, 5002)
	got, err := n.QueueDue(context.Background())
	if err != nil || got != 1202 {
		t.Fatalf("QueueDue = %d, %v; want 1202", got, err)
	}
	if len(f.queued) != 3 || len(f.queued[0]) != NoticesBatch || len(f.queued[1]) != NoticesBatch || len(f.queued[2]) != 202 {
		t.Fatalf("batches of %d, %d, %d", len(f.queued[0]), len(f.queued[1]), len(f.queued[2]))
	}
	if all := slices.Concat(f.queued...); !slices.Equal(all, due) {
		t.Errorf("queued %d members; want %d, the due ones", len(all), len(due))
	}
	for i, ev := range f.events {
		if ev.Kind != EventNotices || !slices.Equal(ev.Payload.(Notices).Members, f.queued[i]) || ev.At != now {
			t.Errorf("event %d: %+v", i, ev)
		}
		if !slices.Equal(f.opens[i], []community.Platform{community.Discord}) {
			t.Errorf("opens %v; want discord", f.opens[i])
		}
	}
}

// TestQueueDueErrors: a store that fails stops the queueing and says how
// many members were queued before.
func TestQueueDueErrors(t *testing.T) {
	f := newFakeBoard()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	n := NewNotifier(f, DefaultNoticeRules(), messagingCaps, func() time.Time { return now })
	for i := range NoticesBatch + 1 {
		f.pending = append(f.pending, Pending{Member: community.MemberID(i + 1), First: now.Add(-time.Hour)})
	}
	calls := 0
	f.before["QueueNotices"] = func() {
		calls++
		f.fail["QueueNotices"] = calls == 2
	}
	if got, err := n.QueueDue(context.Background()); !errors.Is(err, errStore) || got != NoticesBatch {
		t.Errorf("the second batch fails: %d, %v", got, err)
	}
	f.fail["PendingNotices"] = true
	if got, err := n.QueueDue(context.Background()); !errors.Is(err, errStore) || got != 0 {
		t.Errorf("no pending notices: %d, %v", got, err)
	}
}

// TestNoticesJob runs QueueDue every minute.
func TestNoticesJob(t *testing.T) {
	f := newFakeBoard()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	f.pending = []Pending{{Member: 7, First: now.Add(-time.Hour)}}
	job := NewNotifier(f, DefaultNoticeRules(), messagingCaps, func() time.Time { return now }).Job()
	if job.Name != "feedback.notices" || job.Schedule != community.Every(time.Minute) {
		t.Errorf("job %s every %s", job.Name, job.Schedule)
	}
	if err := job.Run(context.Background()); err != nil || len(f.queued) != 1 || f.queued[0][0] != 7 {
		t.Errorf("run: %v, queued %v", err, f.queued)
	}
}
