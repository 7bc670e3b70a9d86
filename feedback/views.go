package feedback

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
)

// View is a way of listing the board (/ideas top, new, mine, planned,
// done; value for staff).
type View string

// The views.
const (
	ViewTop     View = "top"     // most votes first, items still taking votes
	ViewNew     View = "new"     // newest first
	ViewMine    View = "mine"    // the member's own items, newest first
	ViewPlanned View = "planned" // planned and in progress, most votes first
	ViewDone    View = "done"    // done, most recently first
	ViewValue   View = "value"   // staff: by the voters' summed CLV
)

// Views are the views members may ask for, in the order offered.
var Views = []View{ViewTop, ViewNew, ViewMine, ViewPlanned, ViewDone}

// ParseView reads a view as a member names it; "" is top.
func ParseView(s string) (View, bool) {
	if s == "" {
		return ViewTop, true
	}
	for _, v := range append(Views, ViewValue) {
		if string(v) == s {
			return v, true
		}
	}
	return "", false
}

// PageSize is how many items a page of a view shows.
const PageSize = 10

// Query is a page of a view as the store reads it.
type Query struct {
	View   View
	Member community.MemberID // ViewMine: whose
	Offset int
	Limit  int
}

// ValuedItem is an item with what its voters are worth, for staff.
type ValuedItem struct {
	Item
	// Value is the voters' summed predicted CLV, historical where a voter
	// has no prediction.
	Value float64
	// VIPs is how many voters are VIPs.
	VIPs int
	// Revenue is what the voters spent in the Year before.
	Revenue float64
}

// Year is the span of the voters' revenue in the value view.
const Year = 365 * 24 * time.Hour

// ListStore is what listing the board needs from persistence.
type ListStore interface {
	// Items returns a page of a view (ViewValue excepted).
	Items(ctx context.Context, q Query) ([]Item, error)
	// ValuedItems returns a page of the items taking votes, by their
	// voters' summed value, most first; revenue counts orders since.
	ValuedItems(ctx context.Context, since time.Time, offset, limit int) ([]ValuedItem, error)
}

// Page is one page of a view.
type Page[T any] struct {
	Items  []T
	Number int // from 0
	More   bool
}

// Lister lists the board.
type Lister struct {
	store ListStore
	now   func() time.Time
}

// NewLister returns the board's lister.
func NewLister(store ListStore, now func() time.Time) *Lister {
	return &Lister{store: store, now: now}
}

// List returns page number n (from 0) of a view members may see.
func (l *Lister) List(ctx context.Context, v View, member community.MemberID, n int) (Page[Item], error) {
	n = max(n, 0)
	items, err := l.store.Items(ctx, Query{View: v, Member: member, Offset: n * PageSize, Limit: PageSize + 1})
	if err != nil {
		return Page[Item]{}, err
	}
	return page(items, n), nil
}

// Valued returns page n of the value view (staff only: it shows what
// voters are worth).
func (l *Lister) Valued(ctx context.Context, n int) (Page[ValuedItem], error) {
	n = max(n, 0)
	items, err := l.store.ValuedItems(ctx, l.now().Add(-Year), n*PageSize, PageSize+1)
	if err != nil {
		return Page[ValuedItem]{}, err
	}
	return page(items, n), nil
}

func page[T any](items []T, n int) Page[T] {
	p := Page[T]{Items: items, Number: n}
	if len(items) > PageSize {
		p.Items, p.More = items[:PageSize], true
	}
	return p
}
