package support_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// relayStore adds a ticket conversation to fakeStore: its messages, one
// per source.
type relayStore struct {
	*fakeStore
	messages []support.Message
}

func (s *relayStore) MemberTicket(_ context.Context, member community.MemberID, closedSince time.Time) (support.Ticket, bool, error) {
	for i := len(s.tickets) - 1; i >= 0; i-- {
		if t := s.tickets[i]; t.Member == member && (t.Open() || !t.ClosedAt.Before(closedSince)) {
			return t, true, nil
		}
	}
	return support.Ticket{}, false, nil
}

func (s *relayStore) PostedTicket(context.Context, community.Platform, string, string) (int64, bool, error) {
	return 0, false, nil
}

func (s *relayStore) AddMessage(ctx context.Context, m support.Message, change func(support.Ticket) (support.Ticket, support.Effects, error)) (support.Message, bool, error) {
	for _, had := range s.messages {
		if had.Source == m.Source {
			return m, false, nil
		}
	}
	t, err := s.Ticket(ctx, m.Ticket)
	if err != nil {
		return m, false, err
	}
	t, effects, err := change(t)
	if err != nil {
		return m, false, err
	}
	s.tickets[t.ID-1] = t
	m.ID = int64(len(s.messages) + 1)
	s.messages = append(s.messages, m)
	s.save(effects)
	return m, true, nil
}

func (s *relayStore) Messages(_ context.Context, ticket int64) ([]support.Message, error) {
	var out []support.Message
	for _, m := range s.messages {
		if m.Ticket == ticket {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *relayStore) Ticket(_ context.Context, id int64) (support.Ticket, error) {
	if id < 1 || int(id) > len(s.tickets) {
		return support.Ticket{}, community.Errorf(community.ENotFound, "tickets.not_found", nil, "no ticket %d", id)
	}
	return s.tickets[id-1], nil
}

// relayed decodes the last event's payload.
func (s *relayStore) relayed(t *testing.T, kind string) support.Relayed {
	t.Helper()
	if len(s.events) == 0 || s.events[len(s.events)-1].Kind != kind {
		t.Fatalf("events %+v, want %s last", s.events, kind)
	}
	r, ok := s.events[len(s.events)-1].Payload.(support.Relayed)
	if !ok {
		t.Fatalf("payload %T", s.events[len(s.events)-1].Payload)
	}
	return r
}

// TestFilesAreRelayedWithOrWithoutWords: a file alone is a message, passed
// on with the event in both directions; a note's files stay with staff;
// more than MaxRelayFiles, or nothing at all, is refused and saves
// nothing; the same source twice is one message.
func TestFilesAreRelayedWithOrWithoutWords(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s := &relayStore{fakeStore: newFakeStore()}
	desk := support.NewDesk(s, func() time.Time { return now })
	tk, err := desk.Open(ctx, support.Question{Member: 7, Name: "Zoe", Platform: community.Telegram, Text: "broken mug"})
	if err != nil {
		t.Fatal(err)
	}
	photo := support.Attachment{Hash: strings.Repeat("ab", 32), Type: "image/jpeg", Size: 1000}
	if _, ok, err := desk.FromMemberToStaff(ctx, s, 7, support.Said{Files: []support.Attachment{photo}, Source: "t:1"}); !ok || err != nil {
		t.Fatalf("a photo alone: %v %v", ok, err)
	}
	if r := s.relayed(t, support.EventRelayToStaff); len(r.Files) != 1 || r.Files[0] != photo || r.Text != "" {
		t.Errorf("relayed to staff %+v", r)
	}
	label := support.Attachment{Hash: strings.Repeat("cd", 32), Type: "application/pdf", Name: "return-label.pdf", Size: 200}
	if _, err := desk.FromStaffToMember(ctx, s, tk.ID, 9, "Ann", support.Said{Text: " Your label ", Files: []support.Attachment{label}, Source: "t:2"}); err != nil {
		t.Fatal(err)
	}
	if r := s.relayed(t, support.EventRelayToMember); len(r.Files) != 1 || r.Files[0] != label || r.Text != "Your label" || !r.FirstReply {
		t.Errorf("relayed to the member %+v", r)
	}
	events := len(s.events)
	if m, err := desk.FromStaffToMember(ctx, s, tk.ID, 9, "Ann", support.Said{Text: "!the courier's photo", Files: []support.Attachment{photo}, Source: "t:3"}); err != nil || m.Direction != support.StaffNote || len(m.Files) != 1 {
		t.Errorf("a note with a file: %+v %v", m, err)
	}
	if _, err := desk.FromStaffToMember(ctx, s, tk.ID, 9, "Ann", support.Said{Text: "again", Files: []support.Attachment{label}, Source: "t:2"}); err != nil {
		t.Fatal(err)
	}
	if len(s.events) != events {
		t.Errorf("a note or a source seen before queued %d events", len(s.events)-events)
	}
	many := make([]support.Attachment, support.MaxRelayFiles+1)
	for i := range many {
		many[i] = photo
	}
	for name, said := range map[string]support.Said{"too many files": {Files: many, Source: "t:4"}, "nothing": {Text: "  ", Source: "t:5"}} {
		if _, err := desk.FromStaffToMember(ctx, s, tk.ID, 9, "Ann", said); community.ErrorCode(err) != community.EInvalid {
			t.Errorf("%s: %v, want EInvalid", name, err)
		}
	}
	if len(s.messages) != 3 {
		t.Errorf("%d messages saved, want 3", len(s.messages))
	}
}
