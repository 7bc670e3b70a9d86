package support_test

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// fakeStore keeps tickets, answers and credits in memory, with the audit
// entries and events their changes saved.
type fakeStore struct {
	tickets   []support.Ticket
	priority  map[community.MemberID]float64 // ranked members only
	customers map[community.MemberID]support.Customer
	answers   map[string]support.Answer // by message id
	credits   []support.Credit
	audit     []community.AuditEntry
	events    []community.Event
	fail      error // returned by every call when set
}

func newFakeStore() *fakeStore {
	return &fakeStore{priority: map[community.MemberID]float64{}, customers: map[community.MemberID]support.Customer{}, answers: map[string]support.Answer{}}
}

func (s *fakeStore) save(e support.Effects) {
	s.audit = append(s.audit, e.Audit...)
	s.events = append(s.events, e.Events...)
}

func (s *fakeStore) withStanding(t support.Ticket) support.Ticket {
	t.Priority, t.Ranked = s.priority[t.Member]
	return t
}

func (s *fakeStore) OpenTicket(_ context.Context, t support.Ticket, effects func(support.Ticket) support.Effects) (support.Ticket, error) {
	if s.fail != nil {
		return support.Ticket{}, s.fail
	}
	t.ID = int64(len(s.tickets) + 1)
	s.tickets = append(s.tickets, t)
	s.save(effects(t))
	return t, nil
}

func (s *fakeStore) WaitingTickets(_ context.Context, member community.MemberID) ([]support.Ticket, error) {
	if s.fail != nil {
		return nil, s.fail
	}
	var out []support.Ticket
	for i := len(s.tickets) - 1; i >= 0; i-- { // newest first: the order is not the store's to decide
		if t := s.tickets[i]; t.Open() && (member == 0 || t.Member == member) {
			out = append(out, s.withStanding(t))
		}
	}
	return out, nil
}

func (s *fakeStore) ChangeTicket(_ context.Context, id int64, change func(support.Ticket) (support.Ticket, support.Effects, error)) (support.Ticket, error) {
	if s.fail != nil {
		return support.Ticket{}, s.fail
	}
	if id < 1 || id > int64(len(s.tickets)) {
		return support.Ticket{}, support.TicketNotFound(id)
	}
	t, effects, err := change(s.withStanding(s.tickets[id-1]))
	if err != nil {
		return t, err
	}
	s.tickets[id-1] = t
	s.save(effects)
	return s.withStanding(t), nil
}

func (s *fakeStore) TicketCustomer(_ context.Context, member community.MemberID, _ time.Time) (support.Customer, error) {
	if s.fail != nil {
		return support.Customer{}, s.fail
	}
	return s.customers[member], nil
}

func (s *fakeStore) Answer(_ context.Context, chat community.ChatID, message string) (support.Answer, error) {
	if s.fail != nil {
		return support.Answer{}, s.fail
	}
	a, ok := s.answers[message]
	if !ok || a.Chat != chat {
		return support.Answer{}, community.Errorf(community.ENotFound, "helpful.unknown", nil, "message %s is not recorded", message)
	}
	return a, nil
}

func (s *fakeStore) RecordHelpful(_ context.Context, c support.Credit) (bool, error) {
	if s.fail != nil {
		return false, s.fail
	}
	for _, old := range s.credits {
		if old.Chat == c.Chat && old.Message == c.Message {
			return false, nil
		}
	}
	s.credits = append(s.credits, c)
	return true, nil
}
