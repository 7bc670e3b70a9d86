package community

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// racedAnnounceStore is an announcement store where another replica
// settles each draft (as status) just before this one's change reaches
// it.
type racedAnnounceStore struct {
	*announceStore
	status AnnouncementStatus
}

func (s *racedAnnounceStore) settle(id AnnouncementID) error {
	a := s.drafts[id]
	a.Status = s.status
	s.drafts[id] = a
	return fmt.Errorf("announcement %d is %s: %w", id, s.status, ErrConflict)
}

func (s *racedAnnounceStore) SendAnnouncement(_ context.Context, send AnnouncementSend) (Reach, error) {
	return Reach{}, s.settle(send.ID)
}

func (s *racedAnnounceStore) CancelAnnouncement(_ context.Context, id AnnouncementID, _ MemberID, _ time.Time) error {
	return s.settle(id)
}

// TestAnnouncementSettledMeanwhile: a draft another replica sent or
// cancelled between the check and the change is refused with what
// happened to it, as one settled before.
func TestAnnouncementSettledMeanwhile(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, athens)
	for _, tc := range []struct {
		status AnnouncementStatus
		key    string
	}{{AnnouncementSent, "announce.already_sent"}, {AnnouncementCancelled, "announce.already_cancelled"}} {
		a, store := newTestAnnouncements(2, &now)
		raced := &racedAnnounceStore{announceStore: store, status: tc.status}
		a.store = raced
		ctx := context.Background()
		for _, act := range []func(id AnnouncementID) error{
			func(id AnnouncementID) error { _, err := a.Send(ctx, id, 1, via); return err },
			func(id AnnouncementID) error { _, err := a.Cancel(ctx, id, 1); return err },
		} {
			draft, _, err := a.Draft(ctx, 1, "", "hello", via)
			if err != nil {
				t.Fatal(err)
			}
			err = act(draft.ID)
			if e, ok := errors.AsType[*Error](err); !ok || e.Key != tc.key {
				t.Errorf("%s meanwhile: %v, want %s", tc.status, err, tc.key)
			}
		}
	}
}
