package storage_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/hearthbot/hearth/community"
)

// bulkAnnouncement sends an announcement to the usual community and 20
// more subscribed Discord members without expanding it, and returns its
// first expansion step.
func bulkAnnouncement(t *testing.T) (*announceFixture, community.AnnouncementExpansion) {
	t.Helper()
	f := newAnnounceFixture(t)
	f.community()
	f.exec(`WITH m AS (INSERT INTO members (display_name, announcements_dm) SELECT 'bulk' || g, true FROM generate_series(1, 20) g RETURNING id)
		INSERT INTO identities (platform, platform_user_id, member_id) SELECT 'discord', 'd' || id, id FROM m`)
	a := community.Announcement{Text: "big news", CreatedAt: announceNow}
	if err := f.s.CreateAnnouncement(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	send := community.AnnouncementSend{ID: a.ID, At: announceNow, Audience: everyoneAudience(2, community.Discord)}
	reach, err := f.s.SendAnnouncement(context.Background(), send)
	if err != nil || reach.MemberCount() != 21 {
		t.Fatalf("send reached %d members, %v; want 21", reach.MemberCount(), err)
	}
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients`); n != 0 {
		t.Fatalf("the send itself recorded %d recipients, want none: the expansion records them", n)
	}
	return f, send.Expansion()
}

// dmBatches reads the private-message events queued for announcement id
// and checks that their ranges do not overlap; it returns how many
// recipients they cover in all.
func dmBatches(t *testing.T, f *announceFixture, id community.AnnouncementID) int {
	t.Helper()
	var payloads []json.RawMessage
	if err := f.s.DB().Select(&payloads, `SELECT payload FROM outbox_events WHERE kind = $1 ORDER BY id`, community.EventAnnouncementDMs); err != nil {
		t.Fatal(err)
	}
	total, seen := 0, map[community.MemberID]bool{}
	for _, raw := range payloads {
		var b community.AnnouncementDMs
		if err := json.Unmarshal(raw, &b); err != nil || b.Announcement != id {
			t.Fatalf("batch %s: %v", raw, err)
		}
		got, err := f.s.AnnouncementRecipients(context.Background(), id, b.From, b.To)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			if seen[m.ID] {
				t.Errorf("member %d is in two batches (%s)", m.ID, raw)
			}
			seen[m.ID] = true
		}
		total += len(got)
	}
	return total
}

// TestAnnouncementExpansionResumesAfterACrash: the expansion records its
// recipients a batch of subscribed members at a time; a step that ran but whose event was not
// marked done (the process died) changes nothing when run again, and
// the step it queued goes on where it stopped: every recipient is
// recorded and written to once.
func TestAnnouncementExpansionResumesAfterACrash(t *testing.T) {
	f, first := bulkAnnouncement(t)
	ctx := context.Background()
	if err := f.s.ExpandAnnouncement(ctx, first, 8); err != nil {
		t.Fatal(err)
	}
	// The first 8 subscribed members are vera, lena, rita and nina, whom
	// this Discord announcement does not reach, dana and 3 bulk members.
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients`); n != 4 {
		t.Fatalf("one step recorded %d recipients, want 4", n)
	}
	// The process dies before marking the step's event rendered: another
	// dispatcher runs it again once its claim has run out.
	if err := f.s.ExpandAnnouncement(ctx, first, 8); err != nil {
		t.Fatal(err)
	}
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients`); n != 4 {
		t.Fatalf("the step run again left %d recipients, want still 4", n)
	}
	if _, err := f.s.DB().Exec(`UPDATE outbox_events SET status = 'rendered' WHERE kind = $1 AND payload->>'after' = '0'`,
		community.EventAnnouncementExpand); err != nil {
		t.Fatal(err)
	}
	expandAll(t, f.s, 8)
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients`); n != 21 {
		t.Errorf("%d recipients recorded, want 21", n)
	}
	if n := dmBatches(t, f, first.Announcement); n != 21 {
		t.Errorf("the private-message batches cover %d recipients, want 21", n)
	}
	if n := count(t, f.s, `SELECT count(*) FROM outbox_events WHERE kind = $1`, community.EventAnnouncementDMs); n != 4 {
		t.Errorf("%d private-message batches, want 4 (of 4, 8, 8 and 1 recipients)", n)
	}
}

// TestTwoReplicasExpandAnAnnouncementOnce: two dispatchers running the
// same steps at once (a step claimed again after its lease ran out)
// record each recipient once, and queue batches that cover each once.
func TestTwoReplicasExpandAnAnnouncementOnce(t *testing.T) {
	f, first := bulkAnnouncement(t)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { expandAll(t, f.s, 3) })
	}
	wg.Wait()
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients`); n != 21 {
		t.Errorf("%d recipients recorded, want 21", n)
	}
	if n := dmBatches(t, f, first.Announcement); n != 21 {
		t.Errorf("the private-message batches cover %d recipients, want 21", n)
	}
}
