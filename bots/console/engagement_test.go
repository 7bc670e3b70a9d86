package console_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestHelpfulThroughTheConsole: /reply answers someone's last message;
// the asker marks the answer helpful with /reply NAME /helpful, and a
// reply to someone who said nothing is explained.
func TestHelpfulThroughTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	got := runScript(t, store, strings.Join([]string{
		"/as alice", "Where do you ship from?",
		"/as bob", "/reply alice From Porto, in two days.",
		"/as carol", "/reply bob /helpful",
		"/as alice", "/reply bob /helpful",
		"/reply dave thanks",
		"/quit",
	}, "\n"))
	for _, want := range []string{
		"Only the member who asked",
		"bot> 💡 Alice marked Bob's answer as helpful. Thank you, Bob!",
		"Dave has not said anything in the group yet.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	var n int
	if err := store.DB().Get(&n, `SELECT count(*) FROM activities a JOIN identities i ON i.member_id = a.member_id
		WHERE a.kind = 'helpful_answer' AND i.platform_user_id = 'bob'`); err != nil || n != 1 {
		t.Errorf("bob's helpful answers: %d, %v", n, err)
	}
}
