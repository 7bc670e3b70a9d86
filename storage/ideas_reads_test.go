package storage_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestItemsViews: each view lists its items in its order, a page at a
// time.
func TestItemsViews(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	ann, ben := f.member("ann", community.Telegram, true), f.member("ben", community.Telegram, true)
	voters := f.members(7)
	var it []feedback.ItemID
	for i, c := range []struct {
		author community.MemberID
		votes  int
		status feedback.Status
	}{
		{ann, 3, feedback.StatusOpen}, {ben, 5, feedback.StatusUnderReview}, {ann, 2, feedback.StatusPlanned}, {ben, 4, feedback.StatusInProgress},
		{ben, 6, feedback.StatusDone}, {ben, 1, feedback.StatusDone}, {ben, 7, feedback.StatusDeclined}, {ann, 0, feedback.StatusOpen},
	} {
		f.now = ideasNow.Add(time.Duration(i) * time.Minute)
		id := f.post(c.author, feedback.KindIdea, "Item", "en").ID
		f.vote(id, voters[:c.votes]...)
		if c.status != feedback.StatusOpen {
			f.move(id, c.status, "")
		}
		it = append(it, id)
	}
	if _, err := f.board.Merge(ctx, it[7], it[0], 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		view   feedback.View
		member community.MemberID
		want   []feedback.ItemID
	}{
		{feedback.ViewTop, ann, []feedback.ItemID{it[1], it[3], it[0], it[2]}},
		{feedback.ViewNew, ann, []feedback.ItemID{it[5], it[4], it[3], it[2], it[1], it[0]}},
		{feedback.ViewMine, ann, []feedback.ItemID{it[7], it[2], it[0]}},
		{feedback.ViewPlanned, ann, []feedback.ItemID{it[3], it[2]}},
		{feedback.ViewDone, ann, []feedback.ItemID{it[5], it[4]}},
	} {
		got, err := f.s.Items(ctx, feedback.Query{View: c.view, Member: c.member, Limit: 20})
		if err != nil || !slices.Equal(ids(got), c.want) {
			t.Errorf("%s: %v, %v; want %v", c.view, ids(got), err, c.want)
		}
		paged, err := f.s.Items(ctx, feedback.Query{View: c.view, Member: c.member, Offset: 1, Limit: 2})
		if want := c.want[1:min(3, len(c.want))]; err != nil || !slices.Equal(ids(paged), want) {
			t.Errorf("%s, the second and third: %v, %v; want %v", c.view, ids(paged), err, want)
		}
	}
	p, err := feedback.NewLister(f.s, func() time.Time { return ideasNow }).List(ctx, feedback.ViewTop, ann, 0)
	if err != nil || len(p.Items) != 4 || p.More || p.Items[0].Votes != 5 || p.Items[0].AuthorName != "ben" {
		t.Errorf("the first page of top: %+v, %v", p, err)
	}
	if _, err := f.s.Items(ctx, feedback.Query{View: feedback.ViewValue, Limit: 1}); err == nil {
		t.Error("the value view is not a list of items")
	}
}

// TestValuedItems: the value view ranks items by their voters' summed
// value (predicted CLV, historical where there is no prediction), which
// here differs from the raw counts, with the number of VIP voters and
// their revenue since the date: paid orders only, net of refunds, the
// ones reported on their own included.
func TestValuedItems(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	low, high := f.members(5), f.members(2)
	nobody := f.member("nobody", community.Telegram, true) // no shop customer
	values := map[int64]float64{int64(high[0]): 500, int64(high[1]): 777}
	for _, m := range low {
		values[int64(m)] = 10
	}
	storagetest.SetValues(t, f.s.DB(), values)
	f.exec(`UPDATE clv_snapshots SET predicted_clv = NULL, historical_clv = 300 WHERE customer_id = $1`, "cust-"+high[1].String())
	since := ideasNow.AddDate(-1, 0, 0)
	f.orders(since, "cust-"+high[0].String(), "cust-"+high[1].String(), "cust-"+low[0].String())
	f.tiers(map[community.MemberID]community.Tier{high[0]: community.TierVIP, high[1]: community.TierVIP, low[0]: community.TierVIP,
		low[1]: community.TierRegular})
	popular := f.post(low[0], feedback.KindIdea, "Tea of the month club", "en")
	f.vote(popular.ID, append(low, nobody)...)
	valuable := f.post(low[0], feedback.KindIdea, "Rare pu-erh cakes", "en")
	f.vote(valuable.ID, high...)
	quiet := f.post(low[0], feedback.KindIdea, "Paper bags", "en")
	done := f.post(low[0], feedback.KindIdea, "Gift wrapping", "en")
	f.vote(done.ID, high[0])
	f.move(done.ID, feedback.StatusDone, "")

	got, err := f.s.ValuedItems(ctx, since, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id      feedback.ItemID
		votes   int
		value   float64
		vips    int
		revenue float64
	}
	var rows []row
	for _, v := range got {
		rows = append(rows, row{v.ID, v.Votes, v.Value, v.VIPs, math.Round(v.Revenue*100) / 100})
	}
	want := []row{{valuable.ID, 2, 800, 2, 150 + 50 + 40}, {popular.ID, 6, 50, 1, 10}, {quiet.ID, 0, 0, 0, 0}}
	if !slices.Equal(rows, want) {
		t.Errorf("valued %+v;\nwant %+v", rows, want)
	}
	if page, err := f.s.ValuedItems(ctx, since, 1, 1); err != nil || len(page) != 1 || page[0].ID != popular.ID {
		t.Errorf("the second, alone: %+v, %v", page, err)
	}
	// The author's export leaves out what the voters are worth.
	if data, err := f.s.ExportMember(ctx, low[0]); err != nil || len(data["feedback_items"]) != 4 ||
		strings.Contains(string(data["feedback_items"][0]), "voters_") {
		t.Errorf("the author's export: %s, %v", data["feedback_items"], err)
	}
	// A vote counts its voter's worth at once; a withdrawal takes it off.
	f.vote(quiet.ID, high[0])
	if got, _ := f.s.ValuedItems(ctx, since, 0, 10); got[1].ID != quiet.ID || got[1].Value != 500 || got[1].VIPs != 1 || got[1].Revenue != 200 {
		t.Errorf("after a VIP's vote: %+v", got[1])
	}
	f.vote(quiet.ID, high[0])
	if got, _ := f.s.ValuedItems(ctx, since, 0, 10); got[2].ID != quiet.ID || got[2].Value != 0 || got[2].VIPs != 0 || got[2].Revenue != 0 {
		t.Errorf("after the withdrawal: %+v", got[2])
	}
}

// TestValuedItemsAfterACLVRun: a CLV run newer than the valuation values
// every voter again; so does a year counted from another day.
func TestValuedItemsAfterACLVRun(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	ms := f.members(3)
	storagetest.SetValues(t, f.s.DB(), map[int64]float64{int64(ms[0]): 100, int64(ms[1]): 10, int64(ms[2]): 10})
	a := f.post(ms[0], feedback.KindIdea, "Jasmine pearls", "en")
	b := f.post(ms[0], feedback.KindIdea, "Genmaicha", "en")
	f.vote(a.ID, ms[0])
	f.vote(b.ID, ms[1], ms[2])
	since := ideasNow.AddDate(-1, 0, 0)
	if got, err := f.s.ValuedItems(ctx, since, 0, 10); err != nil || got[0].ID != a.ID || got[0].Value != 100 || got[1].Value != 20 {
		t.Fatalf("before the run: %+v, %v", got, err)
	}
	storagetest.SetValues(t, f.s.DB(), map[int64]float64{int64(ms[0]): 5, int64(ms[1]): 40, int64(ms[2]): 40})
	if got, err := f.s.ValuedItems(ctx, since, 0, 10); err != nil || got[0].ID != b.ID || got[0].Value != 80 || got[1].Value != 5 {
		t.Errorf("after the run: %+v, %v", got, err)
	}
	f.exec(`DELETE FROM orders`)
	if got, err := f.s.ValuedItems(ctx, since, 0, 10); err != nil || got[0].Revenue != 80 {
		t.Errorf("the same day: revenue %+v, %v; want as valued", got, err)
	}
	if got, err := f.s.ValuedItems(ctx, since.AddDate(0, 0, 2), 0, 10); err != nil || got[0].Revenue != 0 {
		t.Errorf("two days on: revenue %+v, %v; want 0", got, err)
	}
}

// tiers saves the members' standings in the given tiers.
func (f *ideasFixture) tiers(tiers map[community.MemberID]community.Tier) {
	f.t.Helper()
	var list []community.MemberStanding
	for m, tier := range tiers {
		list = append(list, community.MemberStanding{Standing: community.Standing{Member: m, Tier: tier, ComputedAt: f.now,
			Engagement: community.Engagement{Level: 2}}})
	}
	if err := f.s.SaveStandings(context.Background(), community.StandingsUpdate{At: f.now, Standings: list}); err != nil {
		f.t.Fatal(err)
	}
}

// orders replaces the shop's orders: a spent 150 (paid, part refunded)
// and 50 (paid, a refund reported on its own) since, and more before it
// or in orders not paid; b spent 40 and c 10.
func (f *ideasFixture) orders(since time.Time, a, b, c string) {
	f.t.Helper()
	f.exec(`DELETE FROM orders`)
	f.exec(`INSERT INTO orders (id, customer_id, ordered_at, amount, refunded, status, source) VALUES
		('o1', $1, $4, 200, 50, 'paid', 'csv'),
		('o2', $1, $5, 100, 0, 'paid', 'csv'),
		('o3', $1, $4, 999, 0, 'cancelled', 'csv'),
		('o4', $1, $4, 80, 0, 'paid', 'shopify'),
		('o5', $1, $4, 70, 70, 'refunded', 'csv'),
		('o6', $2, $4, 40, 0, 'paid', 'csv'),
		('o7', $3, $4, 10, 0, 'paid', 'csv')`, a, b, c, since.AddDate(0, 1, 0), since.Add(-24*time.Hour))
	f.exec(`INSERT INTO refunds (id, order_id, amount, refunded_at, source) VALUES ('r1', 'o4', 30, $1, 'shopify')`, ideasNow)
}

// TestRevaluationAndFirstVotesNeverDeadlock: voters valued by nobody yet
// (as before 00018) vote for other items while every voter is valued
// again; the votes wait for the valuation or it for them, never both.
func TestRevaluationAndFirstVotesNeverDeadlock(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	voters := f.members(12)
	old := f.post(voters[0], feedback.KindIdea, "Jasmine pearls", "en")
	f.vote(old.ID, voters...)
	var items []feedback.Item
	for _, title := range []string{"Genmaicha", "Hojicha", "Kukicha"} {
		items = append(items, f.post(voters[0], feedback.KindIdea, title, "en"))
	}
	since := ideasNow.AddDate(-1, 0, 0)
	for round := range 5 {
		f.exec(`DELETE FROM feedback_worth`)
		errs := make(chan error, len(voters)+1)
		go func() { errs <- f.s.RevalueItems(ctx, since.AddDate(0, 0, round)) }()
		for i, m := range voters {
			go func() {
				_, err := f.board.Vote(ctx, items[i%len(items)].ID, m)
				errs <- err
			}()
		}
		for range len(voters) + 1 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
