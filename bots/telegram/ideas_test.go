package telegram_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestIdeasOnTelegram: Alice's idea is posted in the staff chat (no ideas
// place chosen) with a Vote button; Bob's press counts and the post is
// edited to show it, his second press takes the vote back; Cleo writes a
// look-alike, is offered Alice's idea and votes for it instead; a member's
// /status is refused and the item keeps its status.
func TestIdeasOnTelegram(t *testing.T) {
	t.Parallel()
	w := &npsWorld{hearth: announceHearth(t, bots.AnnounceOptions{WeeklyCap: 2}, nil)}
	w.sayHandled(t, group, alice, "/idea Dark mode for the mobile app\nThe white screen hurts at night.")
	post := w.sentMatching(t, "-1002", "Dark mode for the mobile app")
	if got := callbackData(buttons(t, post)); !slices.Equal(got, []string{"idea:vote:1"}) {
		t.Fatalf("post buttons %v", got)
	}
	var postID int
	storagetest.Await(t, func() bool {
		for _, m := range w.tg.Messages(teaStaff.ID) {
			if strings.Contains(m.Text, "Dark mode for the mobile app") {
				postID = m.ID
			}
		}
		return postID != 0
	}, func() string { return "the post's message id" })

	w.push(t, w.tg.CallbackUpdate(teaStaff, bob, postID, "idea:vote:1"))
	voteShown(t, w, 1, 1)
	w.push(t, w.tg.CallbackUpdate(teaStaff, bob, postID, "idea:vote:1"))
	voteShown(t, w, 0, 1)
	w.waitCount(t, `SELECT count(*) FROM feedback_votes`, 0)

	w.sayHandled(t, group, cleo, "/idea dark mode in the app please")
	offer := w.sentMatching(t, "-1001", "these look alike")
	if got := callbackData(buttons(t, offer)); len(got) != 2 || !strings.HasPrefix(got[0], "idea:like:") || !strings.HasSuffix(got[0], ":1") {
		t.Fatalf("look-alike buttons %v", got)
	}
	var offerID int
	for _, m := range w.tg.Messages(group.ID) {
		if strings.Contains(m.Text, "these look alike") {
			offerID = m.ID
		}
	}
	w.push(t, w.tg.CallbackUpdate(group, cleo, offerID, callbackData(buttons(t, offer))[0]))
	w.waitCount(t, `SELECT votes FROM feedback_items WHERE id = 1`, 1)
	w.waitCount(t, `SELECT count(*) FROM feedback_items`, 1)
	voteShown(t, w, 1, 2)

	w.sayHandled(t, group, cleo, "/status 1 done")
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'status'`, 1)
	w.waitCount(t, `SELECT count(*) FROM feedback_items WHERE status = 'open'`, 1)
}

// voteShown waits for the times-th edit of the item's posts whose Vote
// button shows n.
func voteShown(t *testing.T, w *npsWorld, n, times int) {
	t.Helper()
	label := fmt.Sprintf("Vote · %d", n)
	storagetest.Await(t, func() bool {
		seen := 0
		for _, c := range w.tg.Calls("editMessageText") {
			if strings.Contains(c.Params["reply_markup"], label) {
				seen++
			}
		}
		return seen >= times
	}, func() string {
		return fmt.Sprintf("an edit showing %q; edits %v", label, w.tg.Calls("editMessageText"))
	})
}
