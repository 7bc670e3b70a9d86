package community

import (
	"context"
	"errors"
	"testing"
)

// TestLookUpValueLinksByOrderIDsFirst: a linked member's value is read; a
// member not yet linked is linked by the ids their orders carry and then
// read; one no order names is not linked; a failed link is an error.
func TestLookUpValueLinksByOrderIDsFirst(t *testing.T) {
	ctx := context.Background()
	r := &valueReaderFake{linked: map[MemberID]Value{1: {CustomerID: "a"}}, byOrders: map[MemberID]Value{2: {CustomerID: "b"}}}
	for member, want := range map[MemberID]string{1: "a", 2: "b"} {
		if v, err := LookUpValue(ctx, r, member); err != nil || v.CustomerID != want {
			t.Errorf("member %d: %+v, %v; want customer %s", member, v, err, want)
		}
	}
	if _, err := LookUpValue(ctx, r, 3); ErrorCode(err) != ENotFound {
		t.Errorf("member 3, linked to nobody: %v; want ENotFound", err)
	}
	r.byOrders[4], r.err = Value{CustomerID: "d"}, errStandingsDown
	if _, err := LookUpValue(ctx, r, 4); !errors.Is(err, errStandingsDown) {
		t.Errorf("linking failed: %v", err)
	}
}

// TestValueSaysWhatItCannotTellYet: RFM scores ranked among too few
// customers, and the P(alive) of 1 a model gives a one-time buyer.
func TestValueSaysWhatItCannotTellYet(t *testing.T) {
	for _, c := range []struct {
		v            Value
		thin, untold bool
	}{
		{Value{Ranked: 3, HasModel: true, OneTimeBuyer: true}, true, true},
		{Value{Ranked: 5, HasModel: true}, false, false},
		{Value{OneTimeBuyer: true}, false, false},
	} {
		if c.v.RFMRanksTooFew(5) != c.thin || c.v.PAliveUntold() != c.untold {
			t.Errorf("%+v: thin RFM %v, P(alive) untold %v; want %v, %v", c.v, c.v.RFMRanksTooFew(5), c.v.PAliveUntold(), c.thin, c.untold)
		}
	}
}
