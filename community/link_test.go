package community_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// links is an in-memory LinkStore.
type links map[community.MemberID]string

func (l links) LinkedCustomer(_ context.Context, m community.MemberID) (string, error) {
	return l[m], nil
}
func (l links) LinkCustomer(_ context.Context, m community.MemberID, c string) error {
	l[m] = c
	return nil
}

// TestLinkingNeverMovesALinkSilently: a first code links; the same code
// again changes nothing; another customer's code returns a Relink to
// confirm and links nothing; the confirmation links, and only with its
// own proof (not another member's, not another customer's).
func TestLinkingNeverMovesALinkSilently(t *testing.T) {
	tokens, err := community.NewLinkTokens("0123456789abcdef0123456789abcdef", time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	store := links{}
	l := community.NewLinking(tokens, store)
	ctx := context.Background()
	a, _, _ := tokens.Issue("a")
	b, _, _ := tokens.Issue("b")
	for _, code := range []string{a, a} {
		if relink, err := l.Link(ctx, 1, code); err != nil || relink != nil || store[1] != "a" {
			t.Fatalf("link a = %+v, %v; linked %q", relink, err, store[1])
		}
	}
	relink, err := l.Link(ctx, 1, b)
	if err != nil || relink == nil || relink.To != "b" || store[1] != "a" {
		t.Fatalf("link b = %+v, %v; linked %q; want a Relink to b and still a", relink, err, store[1])
	}
	for _, bad := range []struct {
		member community.MemberID
		r      community.Relink
	}{{2, *relink}, {1, community.Relink{To: "c", Proof: relink.Proof}}} {
		if err := l.Confirm(ctx, bad.member, bad.r); community.ErrorCode(err) != community.EInvalid {
			t.Errorf("confirm %+v by %d = %v; want refused", bad.r, bad.member, err)
		}
	}
	if err := l.Confirm(ctx, 1, *relink); err != nil || store[1] != "b" {
		t.Errorf("confirm = %v; linked %q, want b", err, store[1])
	}
}
