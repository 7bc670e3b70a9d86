package console_test

import (
	"slices"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// kbScript: staff add an English and a Greek entry with /faq add; zoe's
// private question phrased unlike the entry is answered and she says it
// solved it; maria asks in Greek without accents and is answered too;
// zoe's question the knowledge base cannot answer opens a ticket.
const kbScript = deliveryFAQ + `/faq add
Πόσο κοστίζουν τα μεταφορικά;
Τα μεταφορικά είναι δωρεάν για παραγγελίες άνω των 40 €.
αποστολή, κόστος αποστολής
el
/faq list
/as zoe
/dm
hi, how long will my delivery take?
/press 1
do you sell green tea?
/as maria
/dm
/language el
ποσο κοστιζει η αποστολη;
/as owner
/staffchat
/tickets
/quit
`

// TestKnowledgeBaseInTheConsole: entries added in the chat answer
// members' private questions in their language, and each outcome is
// recorded.
func TestKnowledgeBaseInTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	_, out := scripted(t, bots.ServiceOptions{Store: store, Community: bots.DefaultCommunityOptions()}, kbScript, "")
	transcript := out.String()
	expect(t, transcript,
		"✅ Saved entry #1.",
		"• #1 [en] How long does delivery take? (shipping, courier, arrive)",
		"• #2 [el] Πόσο κοστίζουν τα μεταφορικά;",
		"💡 How long does delivery take?\n\n    Orders ship the same business day; delivery takes 1-3 days.",
		"[1] ✅ That solved it  [2] 🙋 Talk to a person",
		"bot (edited)> Glad I could help!",
		"so your question is with the team as ticket #1.",
		"💡 Πόσο κοστίζουν τα μεταφορικά;",
		"• #1 ⚪ low Zoe · due in 8 hours: do you sell green tea?")
	var outcomes []string
	if err := store.DB().Select(&outcomes, `SELECT outcome FROM kb_questions ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"solved", "escalated", "answered"}; !slices.Equal(outcomes, want) {
		t.Errorf("outcomes recorded %v, want %v", outcomes, want)
	}
}
