package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/support"
)

var kbNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func newKB(t *testing.T, s *storage.Store) *support.KnowledgeBase {
	t.Helper()
	return support.NewKnowledgeBase(s, support.DefaultAnswerRules(), support.NewDesk(s, func() time.Time { return kbNow }), func() time.Time { return kbNow })
}

// kbTerms returns how many entries of lang hold each word, as stored.
func kbTerms(t *testing.T, s *storage.Store, lang string) map[string]int {
	t.Helper()
	var rows []struct {
		Term    string `db:"term"`
		Entries int    `db:"entries"`
	}
	if err := s.DB().Select(&rows, `SELECT term, entries FROM kb_terms WHERE lang = $1`, lang); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Term] = r.Entries
	}
	return out
}

// TestKBEntriesKeepTheirWordsCounted: saving, importing, editing and
// deleting entries keeps each word's count of entries exact, an import
// updates entries of the same language and question in place, and a
// question that collides with another entry's is refused.
func TestKBEntriesKeepTheirWordsCounted(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	kb := newKB(t, s)
	staff := recordMembers(t, s, message("1", "100", "-5"))[0]

	created, updated, err := kb.Import(ctx, []support.Entry{
		{Lang: "en", Question: "How long does delivery take?", Answer: "One to three days.", Tags: []string{"Shipping", "courier"}},
		{Lang: "en", Question: "How do I return an order?", Answer: "Write to us within 30 days."},
		{Lang: "el", Question: "Πόσο κοστίζει η αποστολή;", Answer: "Δωρεάν άνω των 40 €."},
	}, staff)
	if err != nil || created != 3 || updated != 0 {
		t.Fatalf("import: %d created, %d updated, %v", created, updated, err)
	}
	terms := kbTerms(t, s, "en")
	if terms["deliveri"] != 1 || terms["ship"] != 1 || terms["order"] != 1 || terms["day"] != 2 {
		t.Fatalf("English words %v", terms)
	}
	if el := kbTerms(t, s, "el"); el["αποστολ"] != 1 || el["δωρε"] != 1 || el["κοστ"] != 1 {
		t.Fatalf("Greek words (accents folded) %v", el)
	}

	created, updated, err = kb.Import(ctx, []support.Entry{
		{Lang: "en", Question: "how long does  delivery take?", Answer: "One to two days.", Tags: []string{"shipping"}},
	}, staff)
	if err != nil || created != 0 || updated != 1 {
		t.Fatalf("second import: %d created, %d updated, %v", created, updated, err)
	}
	entries, err := kb.Entries(ctx, "en", 0, 10)
	if err != nil || len(entries) != 2 || entries[0].Answer != "One to two days." || entries[0].Question != "how long does delivery take?" {
		t.Fatalf("entries after the second import %+v, %v", entries, err)
	}
	if terms := kbTerms(t, s, "en"); terms["courier"] != 0 || terms["day"] != 2 || terms["two"] != 1 || terms["three"] != 0 {
		t.Fatalf("English words after the update %v", terms)
	}

	answer := "Write to us within 60 days."
	question := "How long does delivery take?"
	if _, err := kb.Edit(ctx, entries[1].ID, support.EntryChange{Question: &question}, staff); community.ErrorCode(err) != community.EConflict {
		t.Fatalf("a question another entry has: %v, want EConflict", err)
	}
	e, err := kb.Edit(ctx, entries[1].ID, support.EntryChange{Answer: &answer}, staff)
	if err != nil || e.Answer != answer || e.Question != "How do I return an order?" {
		t.Fatalf("edit: %+v, %v", e, err)
	}
	if _, err := kb.Delete(ctx, entries[0].ID, staff); err != nil {
		t.Fatal(err)
	}
	if terms := kbTerms(t, s, "en"); terms["deliveri"] != 0 || terms["day"] != 1 || terms["return"] != 1 {
		t.Fatalf("English words after the delete %v", terms)
	}
	if _, err := kb.Delete(ctx, entries[0].ID, staff); community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("deleting it again: %v", err)
	}
	var audited int
	if err := s.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action LIKE 'kb.%' AND actor_member_id = $1`, int64(staff)); err != nil || audited != 4 {
		t.Fatalf("%d knowledge-base audit entries, %v; want 4: two imports, an edit and a delete (the refused edit saved nothing)", audited, err)
	}
}

// TestKBImportIsAllOrNothing: an import with one bad entry saves none.
func TestKBImportIsAllOrNothing(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	kb := newKB(t, s)
	_, _, err := kb.Import(ctx, []support.Entry{
		{Lang: "en", Question: "Fine?", Answer: "Yes."},
		{Lang: "en", Question: "Empty?", Answer: "  "},
	}, 0)
	var ce *community.Error
	if !errors.As(err, &ce) || ce.Key != "kb.no_answer" {
		t.Fatalf("import with an empty answer: %v", err)
	}
	_, _, err = kb.Import(ctx, []support.Entry{
		{Lang: "en", Question: "Fine?", Answer: "Yes."},
		{Lang: "en", Question: "FINE?", Answer: "No."},
	}, 0)
	if !errors.As(err, &ce) || ce.Key != "kb.duplicate" {
		t.Fatalf("import with a question twice: %v", err)
	}
	if entries, err := kb.Entries(ctx, "", 0, 10); err != nil || len(entries) != 0 {
		t.Fatalf("entries after refused imports: %+v, %v", entries, err)
	}
}

// TestKBAnswersSuggestsAndEscalates: a question phrased like an entry is
// answered, one that matches nothing opens a ticket, and the outcomes are
// recorded: solved, picked, escalated once.
func TestKBAnswersSuggestsAndEscalates(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	kb := newKB(t, s)
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"))
	alice, bob := m[0], m[1]
	if _, _, err := kb.Import(ctx, []support.Entry{
		{Lang: "en", Question: "How long does delivery take?", Answer: "One to three days.", Tags: []string{"shipping time"}},
		{Lang: "en", Question: "How do I return an order?", Answer: "Write to us within 30 days.", Tags: []string{"refund"}},
		{Lang: "en", Question: "How do I descale my espresso machine?", Answer: "Once a month, with citric acid."},
	}, 0); err != nil {
		t.Fatal(err)
	}
	ask := func(who community.MemberID, text string) support.Asking {
		t.Helper()
		a, err := kb.Ask(ctx, support.AskInput{Question: support.Question{Member: who, Name: "x", Platform: community.Telegram, Text: text},
			Langs: []string{"de", "en"}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	got := ask(alice, "how long does the delivery take")
	if got.Asked.Action != support.ActionAnswer || got.Shown[0].Entry.Question != "How long does delivery take?" || got.Asked.Lang != "en" {
		t.Fatalf("a question like an entry: %+v", got)
	}
	if _, err := kb.Solved(ctx, got.Asked.ID, bob); community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("another member's Solved: %v", err)
	}
	if a, err := kb.Solved(ctx, got.Asked.ID, alice); err != nil || a.Outcome != support.OutcomeSolved {
		t.Fatalf("solved: %+v, %v", a, err)
	}

	none := ask(bob, "do you sell tea")
	if none.Asked.Action != support.ActionEscalate || none.Ticket.ID == 0 || none.Asked.Ticket != none.Ticket.ID {
		t.Fatalf("a question the knowledge base cannot answer: %+v", none)
	}
	a, tk, err := kb.Escalate(ctx, none.Asked.ID, bob, "Bob")
	if err != nil || tk.ID != none.Ticket.ID || a.Outcome != support.OutcomeEscalated {
		t.Fatalf("escalating an escalated question: %+v %+v %v", a, tk, err)
	}

	solved := ask(alice, "how long does delivery take")
	a, tk, err = kb.Escalate(ctx, solved.Asked.ID, alice, "Alice")
	if err != nil || tk.ID == 0 || a.Ticket != tk.ID || a.Outcome != support.OutcomeEscalated {
		t.Fatalf("Talk to a person: %+v %+v %v", a, tk, err)
	}
	if _, err := kb.Solved(ctx, solved.Asked.ID, alice); community.ErrorCode(err) != community.EConflict {
		t.Fatalf("solved after escalating: %v", err)
	}
	open, err := support.NewDesk(s, func() time.Time { return kbNow }).Queue(ctx, 0, 10)
	if err != nil || len(open) != 2 {
		t.Fatalf("open tickets %+v, %v", open, err)
	}
}
