package feedback

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestParseView(t *testing.T) {
	for in, want := range map[string]View{"": ViewTop, "top": ViewTop, "new": ViewNew, "mine": ViewMine, "planned": ViewPlanned,
		"done": ViewDone, "value": ViewValue} {
		if got, ok := ParseView(in); !ok || got != want {
			t.Errorf("ParseView(%q) = %q, %t", in, got, ok)
		}
	}
	if _, ok := ParseView("hot"); ok {
		t.Error("hot is a view")
	}
}

// TestListPages: a page shows PageSize items and says whether there are
// more; the store is asked for one more than a page; a page before the
// first is the first.
func TestListPages(t *testing.T) {
	f := newFakeBoard()
	for i := range 25 {
		f.list = append(f.list, Item{ID: ItemID(i + 1)})
	}
	l := NewLister(f, func() time.Time { return boardNow })
	ctx := context.Background()
	for _, c := range []struct {
		n, want, first int
		more           bool
	}{{0, 10, 1, true}, {1, 10, 11, true}, {2, 5, 21, false}, {-3, 10, 1, true}} {
		p, err := l.List(ctx, ViewMine, ann, c.n)
		if err != nil || len(p.Items) != c.want || p.Items[0].ID != ItemID(c.first) || p.More != c.more || p.Number != max(c.n, 0) {
			t.Errorf("page %d: %d items from %v, more %t, number %d, %v", c.n, len(p.Items), p.Items[0].ID, p.More, p.Number, err)
		}
	}
	if q := f.queries[1]; q != (Query{View: ViewMine, Member: ann, Offset: 10, Limit: PageSize + 1}) {
		t.Errorf("query %+v", q)
	}
	f.list = f.list[:PageSize]
	if p, _ := l.List(ctx, ViewTop, ann, 0); len(p.Items) != PageSize || p.More {
		t.Errorf("exactly a page: %d items, more %t", len(p.Items), p.More)
	}
	f.fail["Items"] = true
	if _, err := l.List(ctx, ViewTop, ann, 0); !errors.Is(err, errStore) {
		t.Errorf("a store error: %v", err)
	}
}

// TestValuedPages: the value view pages the same way and counts revenue
// of the year before now.
func TestValuedPages(t *testing.T) {
	f := newFakeBoard()
	for i := range 12 {
		f.valued = append(f.valued, ValuedItem{Item: Item{ID: ItemID(i + 1)}, Value: float64(100 - i)})
	}
	l := NewLister(f, func() time.Time { return boardNow })
	p, err := l.Valued(context.Background(), 1)
	if err != nil || len(p.Items) != 2 || p.Items[0].ID != 11 || p.More || p.Number != 1 {
		t.Errorf("page 1: %+v, %v", p, err)
	}
	if p, _ := l.Valued(context.Background(), -1); len(p.Items) != PageSize || !p.More || p.Number != 0 {
		t.Errorf("page 0: %d items, more %t", len(p.Items), p.More)
	}
	if !f.since[0].Equal(boardNow.Add(-Year)) {
		t.Errorf("revenue since %v; want a year before %v", f.since[0], boardNow)
	}
	f.fail["ValuedItems"] = true
	if _, err := l.Valued(context.Background(), 0); !errors.Is(err, errStore) {
		t.Errorf("a store error: %v", err)
	}
}
