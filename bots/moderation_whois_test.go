package bots

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
)

// TestWhoisCountsOrdersWithPlurals: the card's value line agrees its
// noun with the number of orders ("1 order", not "1 orders") in every
// language's plural forms.
func TestWhoisCountsOrdersWithPlurals(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang   string
		orders int
		want   string
	}{
		{"en", 1, ", 1 order, "}, {"en", 2, ", 2 orders, "},
		{"ru", 1, ", 1 заказ, "}, {"ru", 3, ", 3 заказа, "}, {"ru", 5, ", 5 заказов, "},
		{"pl", 1, ", 1 zamówienie, "}, {"pl", 22, ", 22 zamówienia, "}, {"pl", 5, ", 5 zamówień, "},
		{"el", 1, ", 1 παραγγελία, "}, {"ro", 20, ", 20 de comenzi, "},
	}
	for _, c := range cases {
		f := &moderationFeature{router: &Router{catalog: cat}}
		line := f.valueLine(c.lang, community.Profile{Linked: true, Value: community.Value{CustomerID: "c1", Orders: c.orders,
			Scored: true, Historical: 12, Segment: "Loyal"}})
		if !strings.Contains(line, c.want) {
			t.Errorf("%s, %d orders: %q; want %q", c.lang, c.orders, line, c.want)
		}
	}
}

// profileCardStore holds one member's profile facts and the names and
// group titles a card shows; the rest of the store is unused.
type profileCardStore struct {
	ServiceStore
	facts community.ProfileFacts
	err   error
	names map[community.MemberID]string
}

func (s profileCardStore) ProfileFacts(context.Context, community.ProfileQuery) (community.ProfileFacts, error) {
	return s.facts, s.err
}

func (s profileCardStore) Member(_ context.Context, id community.MemberID) (community.Member, error) {
	return community.Member{ID: id, DisplayName: s.names[id]}, nil
}

func (s profileCardStore) ModerationGroups(context.Context, community.Platform) ([]community.Chat, error) {
	return []community.Chat{{Platform: community.Telegram, PlatformID: "-5", Title: "Tea Lovers"}}, nil
}

// cardNow is when the cards of these tests are written.
var cardNow = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// cardFeature is the moderation feature as far as cards need it: the
// catalog, times in UTC at cardNow, and profiles read from store.
func cardFeature(t *testing.T, store profileCardStore) *moderationFeature {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return cardNow }
	return &moderationFeature{router: &Router{catalog: cat}, store: store, loc: time.UTC, now: clock, profiles: community.NewProfiles(store, clock)}
}

// TestWhoisCardRendersTheProfile: the card shows every part of the
// member's profile in order: accounts, standing, engagement, value,
// warnings, sanctions in force and earlier ones, notes and open
// questions.
func TestWhoisCardRendersTheProfile(t *testing.T) {
	now := cardNow
	tea := []community.Group{{Platform: community.Telegram, ID: "-5"}}
	st := community.MemberStanding{Standing: community.Standing{Member: 7, Tier: community.TierVIP, Flags: community.FlagVerifiedBuyer, Priority: 91,
		Engagement: community.Engagement{Level: 2, Score: 12.5, ThisWeek: 3, PrevWeekly: 2, LastActive: now.Add(-time.Hour)}, ComputedAt: now.Add(-2 * time.Hour)}}
	store := profileCardStore{names: map[community.MemberID]string{8: "Olga"}, facts: community.ProfileFacts{
		Member:   community.Member{ID: 7, DisplayName: "Bob", Identities: []community.Identity{{Account: community.Account{Platform: community.Telegram, UserID: "200"}, Username: "bob"}}},
		Standing: &st,
		Value:    &community.Value{CustomerID: "c-7", Orders: 4, Scored: true, Historical: 120, HasModel: true, Predicted: 60, PAlive: 0.8, Segment: "Loyal"},
		Warnings: []community.Warning{{ID: 1, Member: 7, By: 8, Reason: "rude", At: now.Add(-3 * time.Hour), Expires: now.Add(24 * time.Hour)}},
		InForce: []community.Sanction{{ID: 2, Member: 7, Kind: community.SanctionMute, Groups: tea, By: 8, Reason: "flooding",
			At: now.Add(-time.Hour), Until: now.Add(time.Hour)}},
		Recent:  []community.Sanction{{ID: 3, Member: 7, Kind: community.SanctionKick, Groups: tea, Reason: "spam", At: now.Add(-5 * time.Hour), Lifted: now.Add(-5 * time.Hour)}},
		Notes:   []community.Note{{ID: 4, Member: 7, By: 8, Text: "Asked for a refund twice", At: now.Add(-4 * time.Hour)}},
		Tickets: []community.TicketSummary{{ID: 5, Platform: community.Telegram, Text: "Where is my order?", OpenedAt: now.Add(-30 * time.Minute)}},
	}}
	got, err := cardFeature(t, store).card(context.Background(), "en", 7)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"🪪 *Bob* · member #7",
		"Accounts: telegram @bob",
		"Tier: VIP · flags: verified buyer · priority 91",
		"Engagement: level 2 (Contributor), score 12.5, trend +50%, last active 2026-12-05 11:00",
		"_Tier, priority and engagement as of 10:00._",
		"Value: historical CLV 120.00, predicted 60.00, still buying 80%, 4 orders, segment Loyal",
		"*1 active warning:*",
		"1. 2026-12-05 09:00, by Olga: rude (until 2026-12-06 12:00)",
		"*In force:*",
		"• Mute on 2026-12-05 11:00 in Tea Lovers (telegram), until 2026-12-05 13:00: flooding",
		"*Earlier:*",
		"• Removal on 2026-12-05 07:00 in Tea Lovers (telegram), until —: spam",
		"*Notes:*",
		"• 2026-12-05 08:00 Olga: Asked for a refund twice",
		"*Open questions:*",
		"• #5 2026-12-05 11:30: Where is my order?",
	}, "\n")
	if got != want {
		t.Errorf("card:\n%s\nwant:\n%s", got, want)
	}
}

// TestReviewCardOfAnErasedMember: a review queued before its member was
// erased still reaches staff, showing what Hearth knows of someone it no
// longer knows: a Newcomer, linked to no customer, with no record.
func TestReviewCardOfAnErasedMember(t *testing.T) {
	f := cardFeature(t, profileCardStore{err: community.Errorf(community.ENotFound, "member.not_found", nil, "no member 9")})
	p, err := f.profiles.ProfileOrUnknown(context.Background(), 9)
	if err != nil {
		t.Fatal(err)
	}
	rv := community.Review{ID: 3, Member: 9, Groups: []community.Group{{Platform: community.Telegram, ID: "-5"}}, Reason: "rude", At: cardNow}
	want := strings.Join([]string{
		"🛡 *CLV guardrail · review #3*",
		"#9 (Newcomer) reached the ban step of the warning ladder (a ban for good) in Tea Lovers (telegram). As a VIP customer they are muted instead, until you decide.",
		"Reason: rude",
		"Value: not linked to a shop customer",
		"No active warnings.",
		"No sanction in force.",
	}, "\n")
	if got := f.reviewText(context.Background(), "en", rv, p); got != want {
		t.Errorf("review:\n%s\nwant:\n%s", got, want)
	}

	down := profileCardStore{err: errors.New("connection refused")}
	f.profiles = community.NewProfiles(down, f.now)
	if _, err := f.profiles.ProfileOrUnknown(context.Background(), 9); !errors.Is(err, down.err) {
		t.Errorf("store down: %v, want the store's error (the review is rendered again later)", err)
	}
}
