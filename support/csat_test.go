package support_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// TestCSAT: only the ticket's member rates it, 1-5, once it is closed;
// rating again changes the score; a comment is checked and kept.
func TestCSAT(t *testing.T) {
	desk, _, now := newDesk()
	ctx := context.Background()
	tk, err := desk.Open(ctx, support.Question{Member: 7, Name: "Alice", Text: "Oolong?"})
	if err != nil {
		t.Fatal(err)
	}
	key := func(err error) string {
		if e, ok := err.(*community.Error); ok {
			return e.Key
		}
		return "not a domain error: " + err.Error()
	}
	if _, err := desk.Rate(ctx, tk.ID, 7, 5); key(err) != "csat.still_open" {
		t.Errorf("rating an open ticket: %v", err)
	}
	if _, err := desk.Close(ctx, tk.ID, 3, ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		member community.MemberID
		score  int
		want   string
	}{{7, 0, "csat.bad_score"}, {7, 6, "csat.bad_score"}, {8, 5, "csat.not_yours"}} {
		if _, err := desk.Rate(ctx, tk.ID, c.member, c.score); key(err) != c.want {
			t.Errorf("member %d rating %d: %v, want %s", c.member, c.score, err, c.want)
		}
	}
	if got, err := desk.Rate(ctx, tk.ID, 7, 2); err != nil || got.CSAT != 2 || !got.CSATAt.Equal(*now) {
		t.Fatalf("rate 2: %+v %v", got, err)
	}
	*now = now.Add(time.Minute)
	if got, err := desk.Rate(ctx, tk.ID, 7, 4); err != nil || got.CSAT != 4 || !got.CSATAt.Equal(*now) {
		t.Fatalf("rate again: %+v %v", got, err)
	}
	for _, c := range []struct{ text, want string }{
		{"  ", "csat.comment_empty"}, {strings.Repeat("a", support.MaxCSATComment+1), "csat.comment_too_long"}, {"a\x00b", "csat.bad_text"},
	} {
		if _, err := desk.Comment(ctx, tk.ID, 7, c.text); key(err) != c.want {
			t.Errorf("comment of %d bytes: %v, want %s", len(c.text), err, c.want)
		}
	}
	if _, err := desk.Comment(ctx, tk.ID, 8, "nice"); key(err) != "csat.not_yours" {
		t.Errorf("another member's comment: %v", err)
	}
	if got, err := desk.Comment(ctx, tk.ID, 7, " quick and kind "); err != nil || got.CSATComment != "quick and kind" || got.CSAT != 4 {
		t.Fatalf("comment: %+v %v", got, err)
	}
}
