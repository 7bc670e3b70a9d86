package community

import (
	"context"
	"fmt"
	"time"
)

// Value is what a member is worth to the business: the latest CLV snapshot
// of the shop customer they are linked to. Staff see it; members never do.
type Value struct {
	CustomerID string
	Orders     int
	FirstOrder time.Time
	LastOrder  time.Time
	Revenue    float64 // paid, net of refunds, to date
	Historical float64 // margin to date minus the acquisition cost
	HasModel   bool    // false when no model could be fitted: the next three are unknown
	Predicted  float64 // discounted CLV over the configured horizon
	PAlive     float64 // probability the customer still buys
	Expected   float64 // expected purchases over the horizon
	Segment    string  // RFM segment, such as "Champions"
	RFM        [3]int  // recency, frequency and monetary scores, 1-5
	ComputedAt time.Time
	Scored     bool // false while the customer is linked but not yet scored by a CLV run
	// Ranked is how many customers the CLV run scored together: the RFM
	// scores rank the customer among them (see clv.MinRFMCustomers).
	Ranked int
	// OneTimeBuyer says the customer has no repeat purchase yet, so the
	// model puts PAlive at 1 whatever the time since (see
	// clv.CustomerScore.OneTimeBuyer).
	OneTimeBuyer bool
}

// RFMRanksTooFew reports that the RFM scores rank the customer among
// fewer than min customers (clv.MinRFMCustomers), so that some scores
// cannot occur and the segment says little.
func (v Value) RFMRanksTooFew(min int) bool { return v.Ranked > 0 && v.Ranked < min }

// PAliveUntold reports that the model's P(alive) tells nothing yet: it is
// 1 for a customer who has not bought a second time.
func (v Value) PAliveUntold() bool { return v.HasModel && v.OneTimeBuyer }

// ValueStore reads members' CLV.
type ValueStore interface {
	// MemberValue returns the value of the customer linked to member.
	// A member linked to no customer is ENotFound (clv.not_linked).
	MemberValue(ctx context.Context, member MemberID) (Value, error)
}

// ValueReader is what looking up a member's value needs from persistence.
type ValueReader interface {
	// LinkedValue returns the value of the customer linked to member; a
	// member linked to none is ENotFound.
	LinkedValue(ctx context.Context, member MemberID) (Value, error)
	// LinkMemberByOrderIDs links member, if linked to no customer, as
	// OrderIDLinks decides, and reports whether it did.
	LinkMemberByOrderIDs(ctx context.Context, member MemberID) (bool, error)
}

// LookUpValue returns the value of the customer linked to member. A
// member not yet linked is first linked by the ids their orders carry, if
// any does: the shop may know them before they link. A member linked to
// no customer is ENotFound (clv.not_linked).
func LookUpValue(ctx context.Context, r ValueReader, member MemberID) (Value, error) {
	v, err := r.LinkedValue(ctx, member)
	if ErrorCode(err) != ENotFound {
		return v, err
	}
	linked, err := r.LinkMemberByOrderIDs(ctx, member)
	if err != nil {
		return Value{}, fmt.Errorf("link member %d by order ids: %w", member, err)
	}
	if linked {
		return r.LinkedValue(ctx, member)
	}
	return Value{}, Errorf(ENotFound, "clv.not_linked", nil, "member %d is linked to no shop customer", member)
}
