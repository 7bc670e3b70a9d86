package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
)

// TestLinkByOrderIDsAgreesWithTheRule: the set-based statement that links
// customers by the platform ids their orders carry links exactly the
// pairs community.OrderIDLinks chooses from the same facts: the latest
// customer per member, none for a member linked already, the smallest
// member per customer, the smallest customer on a tie.
func TestLinkByOrderIDsAgreesWithTheRule(t *testing.T) {
	f := newAnnounceFixture(t)
	s, db, ctx := f.s, f.s.DB(), context.Background()
	members := map[string]community.MemberID{}
	for _, acct := range []community.Account{{Platform: community.Telegram, UserID: "101"}, {Platform: community.Telegram, UserID: "102"},
		{Platform: community.Telegram, UserID: "103"}, {Platform: community.Discord, UserID: "904"}, {Platform: community.Discord, UserID: "905"}} {
		members[acct.UserID] = f.member("u"+acct.UserID, acct.Platform, acct.UserID, inbox.Chat{ID: "g", Kind: community.ChatGroup}, false)
	}
	if err := s.LinkCustomer(ctx, members["102"], "cX"); err != nil {
		t.Fatal(err)
	}
	f.exec(`INSERT INTO customers (id, telegram_id, discord_id, updated_at) VALUES
		('cA', '101', '', '2026-01-01'), ('cB', '101', '', '2026-02-01'), ('cC', '102', '', '2026-01-01'),
		('cD', '103', '904', '2026-01-01'), ('cE', '', '905', '2026-01-01'), ('cF', '', '905', '2026-01-01'),
		('cG', '999', '', '2026-01-01')`)

	var rows []struct {
		Customer string    `db:"customer_id"`
		Member   int64     `db:"member_id"`
		Updated  time.Time `db:"updated_at"`
		Linked   bool      `db:"member_linked"`
	}
	if err := db.Select(&rows, storage.OrderIDMatchesSQL, nil, nil); err != nil {
		t.Fatal(err)
	}
	var matches []community.OrderIDMatch
	for _, r := range rows {
		matches = append(matches, community.OrderIDMatch{Customer: r.Customer, Member: community.MemberID(r.Member), MemberLinked: r.Linked, UpdatedAt: r.Updated})
	}
	var want []string
	for _, m := range community.OrderIDLinks(matches) {
		want = append(want, fmt.Sprintf("%s:%d", m.Customer, m.Member))
	}
	expected := []string{fmt.Sprintf("cB:%d", members["101"]), fmt.Sprintf("cD:%d", members["103"]), fmt.Sprintf("cE:%d", members["905"])}
	if fmt.Sprint(want) != fmt.Sprint(expected) {
		t.Fatalf("the rule links %v, want %v", want, expected)
	}

	n, err := s.LinkByOrderIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.Select(&got, `SELECT id || ':' || member_id FROM customers WHERE linked_via = 'order' ORDER BY member_id`); err != nil {
		t.Fatal(err)
	}
	if n != len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the statement linked %d: %v; the rule %v", n, got, want)
	}
}
