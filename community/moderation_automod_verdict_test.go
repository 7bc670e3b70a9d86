package community

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// automodFacts is an AutomodStore: the messages a member recorded, and
// who bought or joined when.
type automodFacts struct {
	recent  []string
	buyers  map[MemberID]bool
	joined  map[MemberID]time.Time
	failing error
	asked   int // look-ups made
}

func (f *automodFacts) MemberMessagesSince(context.Context, MemberID, ChatID, time.Time) ([]string, error) {
	f.asked++
	return f.recent, f.failing
}

func (f *automodFacts) VerifiedBuyer(_ context.Context, m MemberID) (bool, error) {
	f.asked++
	return f.buyers[m], f.failing
}

func (f *automodFacts) LastJoined(_ context.Context, m MemberID) (time.Time, error) {
	f.asked++
	return f.joined[m], nil
}

// TestAutomodVerdict: staff and the staff chat are exempt; a blocked word
// comes before a flood, a flood (confirmed by the recorded messages)
// before a newcomer's link; a verified buyer or an old member is settled.
func TestAutomodVerdict(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	bl, err := ParseBlocklist([]string{"spam"})
	if err != nil {
		t.Fatal(err)
	}
	rules := AutomodRules{FloodMessages: 3, FloodWindow: 10 * time.Second, Blocklist: bl, NewcomerFor: 24 * time.Hour}
	const newcomer, buyer, old MemberID = 5, 6, 7
	msg := func(m MemberID, text string) AutomodMessage {
		return AutomodMessage{Member: m, Account: Account{Platform: Telegram, UserID: "u"}, Chat: 9, MessageID: "m1", Text: text, At: now}
	}
	flood := func(m AutomodMessage) AutomodMessage { m.Flooding = true; return m }
	settled := func(m AutomodMessage) AutomodMessage { m.Settled = true; return m }
	inStaffChat := func(m AutomodMessage) AutomodMessage { m.InStaffChat = true; return m }
	for _, c := range []struct {
		name  string
		msg   AutomodMessage
		flood []string // recorded messages in the window
		want  AutomodVerdict
	}{
		{"staff", msg(modAlice, "spam"), nil, AutomodVerdict{Exempt: true}},
		{"staff chat", inStaffChat(msg(newcomer, "spam")), nil, AutomodVerdict{Exempt: true}},
		{"unknown sender", msg(0, "spam"), nil, AutomodVerdict{Exempt: true}},
		{"blocked word first", flood(msg(newcomer, "spam at https://x.io")), []string{"a", "b", "c"},
			AutomodVerdict{Rule: RuleBlocklist, Detail: "spam", Messages: []string{"m1"}}},
		{"flood confirmed", flood(msg(newcomer, "hi https://x.io")), []string{"c", "b", "a"},
			AutomodVerdict{Rule: RuleFlood, Messages: []string{"c", "b", "a"}}},
		{"flood not confirmed", flood(msg(newcomer, "hi https://x.io")), []string{"c"}, AutomodVerdict{}},
		{"newcomer's link", msg(newcomer, "see https://x.io"), nil, AutomodVerdict{Rule: RuleNewcomer, Messages: []string{"m1"}}},
		{"buyer's link", msg(buyer, "see https://x.io"), nil, AutomodVerdict{Settled: true}},
		{"old member's link", msg(old, "see https://x.io"), nil, AutomodVerdict{Settled: true}},
		{"settled sender's link", settled(msg(newcomer, "see https://x.io")), nil, AutomodVerdict{}},
		{"plain text", msg(newcomer, "hello"), nil, AutomodVerdict{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			facts := &automodFacts{recent: c.flood, buyers: map[MemberID]bool{buyer: true},
				joined: map[MemberID]time.Time{newcomer: now.Add(-time.Hour), buyer: now.Add(-time.Hour), old: now.Add(-48 * time.Hour)}}
			a := NewAutomod(rules, NewAccess(nil, modStaff{modAlice: true}), facts, func() time.Time { return now })
			got, err := a.Verdict(context.Background(), c.msg)
			if err != nil || got.Rule != c.want.Rule || got.Detail != c.want.Detail || !slices.Equal(got.Messages, c.want.Messages) ||
				got.Exempt != c.want.Exempt || got.Settled != c.want.Settled {
				t.Errorf("verdict %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
	facts := &automodFacts{failing: errors.New("database down")}
	a := NewAutomod(rules, NewAccess(nil, modStaff{}), facts, func() time.Time { return now })
	if _, err := a.Verdict(context.Background(), flood(msg(newcomer, "hi"))); err == nil {
		t.Error("a flood judged without the recorded messages")
	}
	if _, err := a.Verdict(context.Background(), msg(newcomer, "https://x.io")); err == nil {
		t.Error("a newcomer judged without knowing whether they bought")
	}
	if a.Rules().FloodMessages != 3 {
		t.Errorf("rules %+v", a.Rules())
	}
}
