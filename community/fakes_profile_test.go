package community

import (
	"context"
	"slices"
	"time"
)

// profileStore is an in-memory ProfileStore: members, their standings,
// values, warnings, sanctions, notes and tickets, kept as the store keeps
// them and read as the store reads them.
type profileStore struct {
	members   map[MemberID]Member
	standings map[MemberID]MemberStanding
	values    map[MemberID]Value
	warnings  []Warning
	sanctions []Sanction
	notes     []Note
	tickets   map[MemberID][]TicketSummary
	asked     []ProfileQuery
}

func newProfileStore(members ...Member) *profileStore {
	s := &profileStore{members: map[MemberID]Member{}, standings: map[MemberID]MemberStanding{},
		values: map[MemberID]Value{}, tickets: map[MemberID][]TicketSummary{}}
	for _, m := range members {
		s.members[m.ID] = m
	}
	return s
}

// ProfileFacts implements ProfileStore.
func (s *profileStore) ProfileFacts(_ context.Context, q ProfileQuery) (ProfileFacts, error) {
	s.asked = append(s.asked, q)
	m, ok := s.members[q.Member]
	if !ok {
		return ProfileFacts{}, Errorf(ENotFound, "member.not_found", nil, "no member %d", q.Member)
	}
	f := ProfileFacts{Member: m, Tickets: latest(s.tickets[q.Member], q.Recent)}
	if st, ok := s.standings[q.Member]; ok {
		f.Standing = &st
	}
	if v, ok := s.values[q.Member]; ok {
		f.Value = &v
	}
	for _, w := range s.warnings {
		if w.Member == q.Member && w.Expires.After(q.Now) {
			f.Warnings = append(f.Warnings, w)
		}
	}
	var mine []Sanction
	for _, x := range s.sanctions {
		if x.Member == q.Member {
			mine = append(mine, x)
			if x.Lifted.IsZero() {
				f.InForce = append(f.InForce, x)
			}
		}
	}
	f.Recent = latest(newestFirst(mine, func(x Sanction) time.Time { return x.At }), q.Recent)
	var notes []Note
	for _, n := range s.notes {
		if n.Member == q.Member {
			notes = append(notes, n)
		}
	}
	f.Notes = latest(newestFirst(notes, func(n Note) time.Time { return n.At }), q.Recent)
	return f, nil
}

func newestFirst[T any](list []T, at func(T) time.Time) []T {
	out := slices.Clone(list)
	slices.SortStableFunc(out, func(a, b T) int { return at(b).Compare(at(a)) })
	return out
}

func latest[T any](list []T, n int) []T {
	if len(list) > n {
		return list[:n]
	}
	return list
}
