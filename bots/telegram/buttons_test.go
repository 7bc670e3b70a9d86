package telegram_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// TestForgedButtonsAreRefusedPolitely: button data Hearth never wrote (a
// page far beyond the last, an id that is negative or too large, a score
// that is not a number, a tour page that does not exist) tells the
// presser the button no longer works, and changes nothing.
func TestForgedButtonsAreRefusedPolitely(t *testing.T) {
	t.Parallel()
	w := startNPS(t)
	w.sayHandled(t, group, alice, "/idea Dark mode for the mobile app")
	forged := []string{"ideas:top:9223372036854775807", "ideas:top:1000001", "ideas:nope:1", "idea:vote:-5",
		"idea:vote:99999999999999999999", "idea:like:1", "guide:step:99"}
	for _, data := range forged {
		w.push(t, w.tg.CallbackUpdate(group, bob, 1, data))
	}
	for _, data := range []string{"nps:ticket:x", "nps:ticket:-3"} { // staff's, in the staff chat
		w.push(t, w.tg.CallbackUpdate(teaStaff, owner, 1, data))
		forged = append(forged, data)
	}
	for _, data := range []string{"survey:s:x:1", "survey:s:1:x", "survey:s:-1:5"} { // the survey's buttons work privately
		w.push(t, w.tg.CallbackUpdate(telegramtest.Private(bob), bob, 1, data))
		forged = append(forged, data)
	}
	refused := 0
	for _, c := range w.tg.Calls("answerCallbackQuery") {
		if strings.Contains(c.Params["text"], "This button no longer works. Send the command again.") {
			refused++
		}
	}
	if refused != len(forged) {
		t.Errorf("%d of %d forged presses told the button no longer works: %v", refused, len(forged), w.tg.Calls("answerCallbackQuery"))
	}
	w.waitCount(t, `SELECT count(*) FROM feedback_votes`, 0)
	w.waitCount(t, `SELECT count(*) FROM nps_answers`, 0)
	w.waitCount(t, `SELECT count(*) FROM inbound_dead`, 0)
}
