package console_test

import (
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// deliveryFAQ: the owner makes the staff chat and adds an entry about
// delivery.
const deliveryFAQ = `/as owner
/staffchat
/setstaff
/faq add
How long does delivery take?
Orders ship the *same business day*; delivery takes 1-3 days.
shipping, courier, arrive
en
`

// helpScript: a member may not mark the group a help place; the owner
// does; a member's plain message there is answered in place, a reply to
// another member is not, and one the knowledge base cannot answer opens
// a ticket; staff's messages are left alone; /sethelp off stops it.
const helpScript = deliveryFAQ + `/group
/sethelp list
/as zoe
/sethelp
/as owner
/sethelp
/as zoe
how long will my delivery take?
/press 1
do you sell green tea?
/as owner
how long does delivery take for staff?
/sethelp off
/sethelp off
/as zoe
how long does delivery take now?
/quit
`

// TestHelpPlaceInTheConsole: an owner marks the group with /sethelp (a
// member's try is refused and audited), members' plain messages there
// are questions answered in place, staff's are not, and /sethelp off
// stops it.
func TestHelpPlaceInTheConsole(t *testing.T) {
	store, transcript := scriptedKB(t, helpScript)
	wantInOrder(t, transcript,
		"There are no help places yet.",
		"/sethelp is for the community's owners",
		"✅ This is a help place now",
		"Help places",
		"💡 How long does delivery take?",
		"[1] ✅ That solved it  [2] 🙋 Talk to a person",
		"Glad I could help!",
		"Thank you, Zoe! I could not find the answer, so your question is with the team as ticket #1.",
		"This is no longer a help place",
		"This is not a help place, so there is nothing to stop.")
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'sethelp'`)
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM audit_log WHERE action = 'help.marked'`)
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM audit_log WHERE action = 'help.unmarked'`)
	// Staff's message and the one after /sethelp off were no questions.
	storagetest.WaitCount(t, store.DB(), 2, `SELECT count(*) FROM kb_questions`)
}

// startScript: zoe asks in the group; /start with her question's code
// shows her the answer privately, with its buttons; maria's try with
// zoe's code is refused, and a code Hearth never wrote is not a question.
const startScript = deliveryFAQ + `/group
/as zoe
/ask how long will my delivery take?
/ask do you sell green tea?
/dm
/start ask-1
/press 1
/start ask-2
/as maria
/dm
/start ask-1
/start ask-999
/start ask-x
/quit
`

// TestQuestionContinuedByStartCode: /start ask-<question> (a Telegram
// deep link's) shows the member what came of their question privately,
// the answer with working buttons or the ticket it opened; another
// member's code is refused politely and audited; an unknown one is told
// so.
func TestQuestionContinuedByStartCode(t *testing.T) {
	store, transcript := scriptedKB(t, startScript)
	wantInOrder(t, transcript,
		"zoe> /start ask-1",
		"💡 How long does delivery take?",
		"[1] ✅ That solved it  [2] 🙋 Talk to a person",
		"Glad I could help!",
		"zoe> /start ask-2",
		"your question is with the team as ticket #1",
		"maria> /start ask-1",
		"That link is for another member's question",
		"maria> /start ask-999",
		"That link does not lead to a question I know.",
		"maria> /start ask-x",
		"That link does not lead to a question I know.")
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM audit_log WHERE action = 'kb.question_refused' AND details->>'question' = '1'`)
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM kb_questions WHERE id = 1 AND outcome = 'solved'`)
}

// scriptedKB runs a script on a fresh database with the default
// community rules and returns the store and the transcript.
func scriptedKB(t *testing.T, script string) (*storage.Store, string) {
	t.Helper()
	store := storage.New(storagetest.New(t))
	_, out := scripted(t, bots.ServiceOptions{Store: store, Community: bots.DefaultCommunityOptions()}, script, "")
	return store, out.String()
}
