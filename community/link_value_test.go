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
