package botstest

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/support"
)

// KBStore is what SaveEntry needs: the knowledge base's and the desk's
// store (storage.Store).
type KBStore interface {
	support.KBStore
	support.Store
}

// SaveEntry puts an entry in the knowledge base, as staff would.
func SaveEntry(t testing.TB, store KBStore, e support.Entry) {
	t.Helper()
	kb := support.NewKnowledgeBase(store, support.DefaultAnswerRules(), support.NewDesk(store, time.Now), time.Now)
	if _, _, err := kb.Save(context.Background(), e, 0); err != nil {
		t.Fatal(err)
	}
}

// DeliveryEntry is an English entry about delivery: "how long will my
// delivery take?" gets it as the answer.
var DeliveryEntry = support.Entry{Lang: "en", Question: "How long does delivery take?",
	Answer: "Orders ship the same business day; delivery takes 1-3 days.", Tags: []string{"shipping", "courier", "arrive"}}
