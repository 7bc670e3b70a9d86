package support_test

import (
	"context"
	"testing"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// fakeHelp keeps help places in memory, with the audit entries written.
type fakeHelp struct {
	places map[support.HelpPlace]bool
	audit  []community.AuditEntry
}

func key(p support.HelpPlace) support.HelpPlace {
	return support.HelpPlace{Platform: p.Platform, Chat: p.Chat, Thread: p.Thread}
}

func (s *fakeHelp) SaveHelpPlace(_ context.Context, p support.HelpPlace, a community.AuditEntry) error {
	s.places[key(p)] = true
	s.audit = append(s.audit, a)
	return nil
}

func (s *fakeHelp) DeleteHelpPlace(_ context.Context, p support.HelpPlace, a community.AuditEntry) (bool, error) {
	if !s.places[key(p)] {
		return false, nil
	}
	delete(s.places, key(p))
	s.audit = append(s.audit, a)
	return true, nil
}

func (s *fakeHelp) HelpPlaces(context.Context) ([]support.HelpPlace, error) { return nil, nil }

func (s *fakeHelp) IsHelpPlace(_ context.Context, p community.Platform, chat, thread string) (bool, error) {
	return s.places[support.HelpPlace{Platform: p, Chat: chat}] || s.places[support.HelpPlace{Platform: p, Chat: chat, Thread: thread}], nil
}

// TestHelpPlacesMarkAndUnmark: marking and unmarking are audited with the
// owner and place; unmarking a place that is none is ENotFound and
// audits nothing.
func TestHelpPlacesMarkAndUnmark(t *testing.T) {
	ctx := context.Background()
	store := &fakeHelp{places: map[support.HelpPlace]bool{}}
	h := support.NewHelpPlaces(store, kbClock)
	topic := support.HelpPlace{Platform: community.Telegram, Chat: "-1001", Thread: "7", Title: "Tea Lovers"}
	p, err := h.Mark(ctx, topic, 3, 11)
	if err != nil || p.SetBy != 3 || !p.SetAt.Equal(kbClock()) {
		t.Fatalf("mark: %+v, %v", p, err)
	}
	if ok, _ := h.Covers(ctx, community.Telegram, "-1001", "7"); !ok {
		t.Error("the topic marked is not covered")
	}
	if ok, _ := h.Covers(ctx, community.Telegram, "-1001", "8"); ok {
		t.Error("another topic is covered")
	}
	if err := h.Unmark(ctx, topic, 3, 11); err != nil {
		t.Fatal(err)
	}
	if err := h.Unmark(ctx, topic, 3, 11); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("unmark twice: %v, want ENotFound", err)
	}
	if len(store.audit) != 2 || store.audit[0].Action != support.AuditHelpMarked || store.audit[1].Action != support.AuditHelpUnmarked ||
		store.audit[0].Actor != 3 || store.audit[0].Chat != 11 {
		t.Errorf("audit %+v", store.audit)
	}
}

// TestResumeIsTheAskersOnly: a member resumes their own question as it
// ended (a ticket opened shows the ticket); another member's is
// EForbidden; a forgotten member's, or none, is ENotFound.
func TestResumeIsTheAskersOnly(t *testing.T) {
	ctx := context.Background()
	store := &fakeKB{asked: []support.Asked{{ID: 1, Member: 7, Ticket: 4, Outcome: support.OutcomeEscalated}, {ID: 2, Member: 0}}}
	kb := support.NewKnowledgeBase(store, support.DefaultAnswerRules(), support.NewDesk(newFakeStore(), kbClock), kbClock)
	got, err := kb.Resume(ctx, 1, 7)
	if err != nil || got.Asked.Action != support.ActionEscalate || got.Ticket.ID != 4 {
		t.Errorf("resume own: %+v, %v", got, err)
	}
	for _, c := range []struct {
		id     int64
		member community.MemberID
		want   community.Code
	}{{1, 8, community.EForbidden}, {2, 7, community.ENotFound}, {3, 7, community.ENotFound}} {
		if _, err := kb.Resume(ctx, c.id, c.member); community.ErrorCode(err) != c.want {
			t.Errorf("resume %d as %d: %v, want %s", c.id, c.member, err, c.want)
		}
	}
}
