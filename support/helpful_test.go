package support_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// TestMayMarkHelpful: staff may mark any answer, members only the answers
// to what they asked, nobody their own or one whose author is forgotten.
func TestMayMarkHelpful(t *testing.T) {
	const alice, bob, carol = community.MemberID(1), community.MemberID(2), community.MemberID(3)
	answer := support.Answer{Chat: 5, Message: "a1", Author: bob, Asker: alice}
	unasked := support.Answer{Chat: 5, Message: "a3", Author: bob}
	forgotten := support.Answer{Chat: 5, Message: "a4", Asker: alice}
	for _, tc := range []struct {
		name  string
		a     support.Answer
		by    community.MemberID
		staff bool
		want  community.Code
		key   string
	}{
		{"the asker", answer, alice, false, "", ""},
		{"staff", answer, carol, true, "", ""},
		{"staff, nobody known asked", unasked, carol, true, "", ""},
		{"a bystander", answer, carol, false, community.EForbidden, "helpful.not_asker"},
		{"nobody known asked", unasked, alice, false, community.EForbidden, "helpful.not_asker"},
		{"the author", answer, bob, false, community.EForbidden, "helpful.own"},
		{"the author, as staff", answer, bob, true, community.EForbidden, "helpful.own"},
		{"a forgotten author", forgotten, alice, true, community.ENotFound, "helpful.unknown"},
	} {
		err := support.MayMarkHelpful(tc.a, tc.by, tc.staff)
		e, _ := errors.AsType[*community.Error](err)
		if community.ErrorCode(err) != tc.want || (e != nil && e.Key != tc.key) {
			t.Errorf("%s: %v, want %q %s", tc.name, err, tc.want, tc.key)
		}
	}
}

// TestMarkHelpfulCreditsTheAuthorOnce: marking an answer credits its
// author (not who marked it) with a helpful answer, once per message;
// a refused or unknown mark credits nothing.
func TestMarkHelpfulCreditsTheAuthorOnce(t *testing.T) {
	desk, s, _ := newDesk()
	ctx := context.Background()
	s.answers["a1"] = support.Answer{Chat: 5, Message: "a1", Author: 2, Asker: 1}
	if _, err := desk.MarkHelpful(ctx, 5, "a1", 3, false); community.ErrorCode(err) != community.EForbidden {
		t.Errorf("a bystander: %v, want forbidden", err)
	}
	if _, err := desk.MarkHelpful(ctx, 5, "nope", 1, true); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("an unknown message: %v, want not found", err)
	}
	a, err := desk.MarkHelpful(ctx, 5, "a1", 1, false)
	if err != nil || a.Author != 2 {
		t.Fatalf("the asker: %+v, %v", a, err)
	}
	if _, err := desk.MarkHelpful(ctx, 5, "a1", 3, true); community.ErrorCode(err) != community.EConflict {
		t.Errorf("marked twice: %v, want a conflict", err)
	}
	want := support.Credit{Member: 2, Activity: community.ActivityHelpfulAnswer, Chat: 5, Message: "a1", At: deskNow}
	if len(s.credits) != 1 || s.credits[0] != want {
		t.Errorf("credits %+v, want only %+v", s.credits, want)
	}
}
