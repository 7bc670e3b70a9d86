package community

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// announceStore keeps announcements in memory and remembers the last
// audience it was asked to count or send to.
type announceStore struct {
	drafts   map[AnnouncementID]Announcement
	audience Audience
	sends    int
}

func (s *announceStore) CreateAnnouncement(_ context.Context, a *Announcement) error {
	a.ID = AnnouncementID(len(s.drafts) + 1)
	s.drafts[a.ID] = *a
	return nil
}

func (s *announceStore) Announcement(_ context.Context, id AnnouncementID) (Announcement, error) {
	a, ok := s.drafts[id]
	if !ok {
		return a, Errorf(ENotFound, "announce.not_found", nil, "no announcement %d", id)
	}
	return a, nil
}

func (s *announceStore) ExpandAnnouncement(context.Context, AnnouncementExpansion, int) error {
	return nil
}

func (s *announceStore) AnnouncementReach(_ context.Context, aud Audience, _ time.Time) (Reach, error) {
	s.audience = aud
	return Reach{Cap: aud.Cap, HeldUntil: aud.HoldUntil}, nil
}

func (s *announceStore) SendAnnouncement(_ context.Context, send AnnouncementSend) (Reach, error) {
	s.audience, s.sends = send.Audience, s.sends+1
	a := s.drafts[send.ID]
	a.Status = AnnouncementSent
	s.drafts[send.ID] = a
	return Reach{Cap: send.Audience.Cap, HeldUntil: send.Audience.HoldUntil}, nil
}

func (s *announceStore) CancelAnnouncement(_ context.Context, id AnnouncementID, _ MemberID, _ time.Time) error {
	a := s.drafts[id]
	a.Status = AnnouncementCancelled
	s.drafts[id] = a
	return nil
}

func (s *announceStore) RecentAnnouncements(context.Context, int) ([]Announcement, error) {
	return nil, nil
}
func (s *announceStore) AnnouncementsDM(context.Context, MemberID) (bool, error)  { return false, nil }
func (s *announceStore) SetAnnouncementsDM(context.Context, MemberID, bool) error { return nil }

var athens, _ = time.LoadLocation("Europe/Athens")

func newTestAnnouncements(cap int, now *time.Time) (*Announcements, *announceStore) {
	store := &announceStore{drafts: map[AnnouncementID]Announcement{}}
	quiet, _ := ParseQuietHours("22:00-08:00")
	return NewAnnouncements(store, AnnounceRules{WeeklyCap: cap, Quiet: quiet, Location: athens}, nil, func() time.Time { return *now }), store
}

var via = AnnounceVia{Platforms: []Platform{Telegram, Discord}, VIPGroups: []PlatformChat{{Platform: Telegram, ChatID: "-1009"}}}

// TestDraftRefusesBadAnnouncements: empty text, text too long and an
// unknown tier are refused with their message key and nothing is stored.
func TestDraftRefusesBadAnnouncements(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, athens)
	a, store := newTestAnnouncements(2, &now)
	for _, tc := range []struct {
		tier, text, key string
	}{
		{"", "   ", "announce.empty"},
		{"vip", "", "announce.empty"},
		{"", strings.Repeat("ж", MaxAnnouncementLength+1), "announce.too_long"},
		{"gold", "Hello", "announce.unknown_tier"},
	} {
		_, _, err := a.Draft(context.Background(), 1, tc.tier, tc.text, via)
		e, ok := err.(*Error)
		if !ok || e.Key != tc.key || e.Code != EInvalid {
			t.Errorf("Draft(%q, %d characters) = %v, want %s", tc.tier, len(tc.text), err, tc.key)
		}
	}
	if len(store.drafts) != 0 {
		t.Errorf("%d drafts stored from bad input", len(store.drafts))
	}
	if _, _, err := a.Draft(context.Background(), 1, "", strings.Repeat("ж", MaxAnnouncementLength), via); err != nil {
		t.Errorf("an announcement of exactly %d characters: %v", MaxAnnouncementLength, err)
	}
}

// TestAnnouncementAudience: everyone gets group posts and every tier
// privately; a tier gets no group posts but its own and those above, and
// VIPs their VIP group; a cap of 0 writes to nobody privately.
func TestAnnouncementAudience(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, athens)
	for _, tc := range []struct {
		tier  string
		cap   int
		want  string
		chats int
	}{
		{"", 2, "groups:true tiers:[newcomer regular loyal vip]", 0},
		{"Loyal", 2, "groups:false tiers:[loyal vip]", 0},
		{"vip", 2, "groups:false tiers:[vip]", 1},
		{"", 0, "groups:true tiers:[]", 0},
	} {
		a, store := newTestAnnouncements(tc.cap, &now)
		ann, reach, err := a.Draft(context.Background(), 1, tc.tier, "Hello", via)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("groups:%t tiers:%v", store.audience.AllGroups, store.audience.Tiers)
		if got != tc.want || len(store.audience.Chats) != tc.chats || !slices.Equal(store.audience.Platforms, via.Platforms) {
			t.Errorf("tier %q cap %d: %s, %d chats; want %s, %d chats", tc.tier, tc.cap, got, len(store.audience.Chats), tc.want, tc.chats)
		}
		if reach.PrivateOff() != (tc.cap == 0) || ann.Status != AnnouncementDraft {
			t.Errorf("tier %q cap %d: private off %t, status %s", tc.tier, tc.cap, reach.PrivateOff(), ann.Status)
		}
	}
}

// TestSendHoldsPrivateMessagesInQuietHours: sent at 23:30 in the
// community's time zone, private messages wait until 08:00 there; sent at
// noon, they go at once.
func TestSendHoldsPrivateMessagesInQuietHours(t *testing.T) {
	now := time.Date(2026, 11, 23, 23, 0, 0, 0, athens)
	a, store := newTestAnnouncements(2, &now)
	ann, _, err := a.Draft(context.Background(), 1, "", "Hello", via)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(30 * time.Minute).UTC()
	sent, err := a.Send(context.Background(), ann.ID, 2, via)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 24, 8, 0, 0, 0, athens); !store.audience.HoldUntil.Equal(want) || !sent.Reach.HeldUntil.Equal(want) {
		t.Errorf("held until %s, want %s", store.audience.HoldUntil, want)
	}
	if sent.Status != AnnouncementSent || sent.SentBy != 2 || !sent.SentAt.Equal(now) {
		t.Errorf("sent = %+v", sent)
	}
	now = time.Date(2026, 11, 24, 12, 0, 0, 0, athens)
	ann, _, _ = a.Draft(context.Background(), 1, "", "Hello again", via)
	if _, err := a.Send(context.Background(), ann.ID, 2, via); err != nil || !store.audience.HoldUntil.IsZero() {
		t.Errorf("at noon: held until %s (%v), want not held", store.audience.HoldUntil, err)
	}
}

// TestSendRefusesSettledAndStaleDrafts: a draft is sent once, a cancelled
// one never, and one previewed more than a day ago must be written again.
func TestSendRefusesSettledAndStaleDrafts(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, athens)
	a, store := newTestAnnouncements(2, &now)
	ctx := context.Background()
	sent, _, _ := a.Draft(ctx, 1, "", "one", via)
	if _, err := a.Send(ctx, sent.ID, 1, via); err != nil {
		t.Fatal(err)
	}
	cancelled, _, _ := a.Draft(ctx, 1, "", "two", via)
	if _, err := a.Cancel(ctx, cancelled.ID, 1); err != nil {
		t.Fatal(err)
	}
	stale, _, _ := a.Draft(ctx, 1, "", "three", via)
	now = now.Add(AnnouncementDraftLifetime + time.Minute)
	for _, tc := range []struct {
		id  AnnouncementID
		key string
	}{{sent.ID, "announce.already_sent"}, {cancelled.ID, "announce.already_cancelled"}, {stale.ID, "announce.expired"}, {99, "announce.not_found"}} {
		_, err := a.Send(ctx, tc.id, 1, via)
		if e, ok := err.(*Error); !ok || e.Key != tc.key {
			t.Errorf("send %d: %v, want %s", tc.id, err, tc.key)
		}
	}
	if _, err := a.Cancel(ctx, sent.ID, 1); ErrorCode(err) != EConflict {
		t.Errorf("cancel a sent announcement: %v, want a conflict", err)
	}
	if store.sends != 1 {
		t.Errorf("%d sends reached the store, want 1", store.sends)
	}
}
