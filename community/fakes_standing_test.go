package community

import (
	"context"
	"errors"
	"slices"
)

// privateChatsFake is an in-memory PrivateChats: the accounts with an open
// private chat; asked counts the questions, err fails them.
type privateChatsFake struct {
	open  map[Account]bool
	asked int
	err   error
}

func (c *privateChatsFake) PrivateChatOpen(_ context.Context, acct Account) (bool, error) {
	c.asked++
	return c.open[acct], c.err
}

var errStandingsDown = errors.New("store down")

// recomputeStore is an in-memory StandingStore: totals and values to read,
// the standings saved; failing names the method that fails.
type recomputeStore struct {
	totals  []EngagementTotal
	values  []LinkedValue
	saved   []StandingsUpdate
	queries []EngagementQuery
	members map[MemberID]MemberStanding
	failing string
}

func (s *recomputeStore) fail(method string) error {
	if s.failing == method {
		return errStandingsDown
	}
	return nil
}

// RecomputeStandings ranks every member and linked customer, as the
// database does, and hands every member to decide (all of them may have
// changed, for all a fake knows); it keeps the update and makes the
// standings and milestones what the next run sees.
func (s *recomputeStore) RecomputeStandings(_ context.Context, q EngagementQuery, decide func([]EngagementTotal) StandingsUpdate) error {
	if err := s.fail("RecomputeStandings"); err != nil {
		return err
	}
	s.queries = append(s.queries, q)
	scores := make([]float64, len(s.totals))
	for i, t := range s.totals {
		scores[i] = t.Score
	}
	values := slices.Clone(s.values)
	RankValues(values)
	totals := slices.Clone(s.totals)
	for i, p := range Percentiles(scores) {
		totals[i].Percentile = p
		for _, v := range values {
			if v.Member == totals[i].Member {
				totals[i].Value = &v
			}
		}
	}
	u := decide(totals)
	last := decide(nil)
	u.Events = append(u.Events, last.Events...)
	if err := s.fail("SaveStandings"); err != nil {
		return err
	}
	s.saved = append(s.saved, u)
	if s.members == nil {
		s.members = map[MemberID]MemberStanding{}
	}
	for _, st := range u.Standings {
		s.members[st.Member] = st
	}
	for i, t := range s.totals {
		if st, ok := s.members[t.Member]; ok {
			s.totals[i].Scored, s.totals[i].Previous, s.totals[i].PrevFlags, s.totals[i].Milestones = true, st.Tier, st.Flags, st.Milestones
		}
	}
	return nil
}

func (s *recomputeStore) MemberStanding(_ context.Context, member MemberID) (MemberStanding, error) {
	st, ok := s.members[member]
	if !ok {
		return st, NotScored(member)
	}
	return st, s.fail("MemberStanding")
}

// last is the last update saved.
func (s *recomputeStore) last() StandingsUpdate { return s.saved[len(s.saved)-1] }

// eventsOf returns the payloads of the last update's events of kind.
func (s *recomputeStore) eventsOf(kind string) []any {
	var out []any
	for _, e := range s.last().Events {
		if e.Kind == kind {
			out = append(out, e.Payload)
		}
	}
	return out
}

// valueReaderFake is an in-memory ValueReader: values of linked members, and
// the values members become linked to by order ids.
type valueReaderFake struct {
	linked   map[MemberID]Value
	byOrders map[MemberID]Value
	err      error
}

func (r *valueReaderFake) LinkedValue(_ context.Context, member MemberID) (Value, error) {
	v, ok := r.linked[member]
	if !ok {
		return v, Errorf(ENotFound, "clv.not_linked", nil, "member %d is linked to no customer", member)
	}
	return v, nil
}

func (r *valueReaderFake) LinkMemberByOrderIDs(_ context.Context, member MemberID) (bool, error) {
	v, ok := r.byOrders[member]
	if ok && r.err == nil {
		r.linked[member] = v
	}
	return ok, r.err
}
