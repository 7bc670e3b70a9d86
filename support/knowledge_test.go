package support_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// fakeKB keeps entries, questions and tickets in memory; Retrieve answers
// with the retrieval set for a language.
type fakeKB struct {
	retrievals map[string]support.Retrieval
	asked      []support.Asked
	tickets    []support.Ticket
	effects    []community.Effects
	searched   []string
}

func (s *fakeKB) SaveEntry(_ context.Context, e support.Entry, effects func(support.Entry, bool) support.Effects) (support.Entry, bool, error) {
	e.ID = 1
	s.effects = append(s.effects, effects(e, true))
	return e, true, nil
}

func (s *fakeKB) ImportEntries(_ context.Context, entries []support.Entry, effects func(int, int) support.Effects) (int, int, error) {
	s.effects = append(s.effects, effects(len(entries), 0))
	return len(entries), 0, nil
}

func (s *fakeKB) DeleteEntry(context.Context, int64, func(support.Entry) support.Effects) (support.Entry, error) {
	return support.Entry{}, support.EntryNotFound(1)
}

func (s *fakeKB) Entry(_ context.Context, id int64) (support.Entry, error) {
	return support.Entry{}, support.EntryNotFound(id)
}

func (s *fakeKB) Entries(context.Context, string, int64, int) ([]support.Entry, error) {
	return nil, nil
}

func (s *fakeKB) Retrieve(_ context.Context, lang, folded string, _ int) (support.Retrieval, error) {
	s.searched = append(s.searched, lang+":"+folded)
	return s.retrievals[lang], nil
}

func (s *fakeKB) open(t support.Ticket, effects func(support.Ticket) support.Effects) support.Ticket {
	t.ID = int64(len(s.tickets) + 1)
	s.tickets = append(s.tickets, t)
	s.effects = append(s.effects, effects(t))
	return t
}

func (s *fakeKB) RecordAsked(_ context.Context, a support.Asked, open *support.Ticket, effects func(support.Ticket) support.Effects) (support.Asked, error) {
	if open != nil {
		a.Ticket = s.open(*open, effects).ID
	}
	a.ID = int64(len(s.asked) + 1)
	s.asked = append(s.asked, a)
	return a, nil
}

func (s *fakeKB) Asked(_ context.Context, id int64) (support.Asked, error) {
	if id < 1 || int(id) > len(s.asked) {
		return support.Asked{}, support.QuestionNotFound(id)
	}
	return s.asked[id-1], nil
}

func (s *fakeKB) ChangeAsked(_ context.Context, id int64, member community.MemberID,
	change func(support.Asked, func(support.Ticket) (support.Ticket, error)) (support.Asked, error)) (support.Asked, error) {
	if id < 1 || int(id) > len(s.asked) || s.asked[id-1].Member != member {
		return support.Asked{}, support.QuestionNotFound(id)
	}
	a, err := change(s.asked[id-1], func(t support.Ticket) (support.Ticket, error) { return s.open(t, support.OpeningEffects), nil })
	if err == nil {
		s.asked[id-1] = a
	}
	return a, err
}

var kbClock = func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }

// TestAskSearchesTheMembersLanguageThenTheDefault: a language without
// entries falls back to the next; the folded question is searched; an
// answer is recorded as answered.
func TestAskSearchesTheMembersLanguageThenTheDefault(t *testing.T) {
	store := &fakeKB{retrievals: map[string]support.Retrieval{"en": kbRetrieval(term("long", match("long", 1, 3)),
		term("deliveri", match("deliveri", 1, 2)), term("take", match("take", 1, 4)))}}
	kb := support.NewKnowledgeBase(store, support.DefaultAnswerRules(), support.NewDesk(newFakeStore(), kbClock), kbClock)
	got, err := kb.Ask(context.Background(), support.AskInput{Question: support.Question{Member: 7, Text: "  How LONG does délivery take? "},
		Langs: []string{"el", "en"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(store.searched, "|") != "el:how long does delivery take?|en:how long does delivery take?" {
		t.Errorf("searched %q", store.searched)
	}
	if a := got.Asked; a.Action != support.ActionAnswer || a.Outcome != support.OutcomeAnswered || a.Entry != 1 || a.Lang != "en" ||
		a.Text != "How LONG does délivery take?" || a.Ticket != 0 || len(store.tickets) != 0 {
		t.Errorf("asked %+v", a)
	}
}

// TestAskEscalatesWithTheOpeningEffects: nothing found opens a ticket
// with its audit entry and the event that shows it to staff; an empty
// question is refused before any search.
func TestAskEscalatesWithTheOpeningEffects(t *testing.T) {
	store := &fakeKB{retrievals: map[string]support.Retrieval{"en": kbRetrieval(term("tea"))}}
	kb := support.NewKnowledgeBase(store, support.DefaultAnswerRules(), support.NewDesk(newFakeStore(), kbClock), kbClock)
	got, err := kb.Ask(context.Background(), support.AskInput{Question: support.Question{Member: 7, Name: "Zoe", Text: "tea?"}, Langs: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Asked.Outcome != support.OutcomeEscalated || got.Ticket.ID != 1 || got.Asked.Ticket != 1 || len(store.effects) != 1 ||
		store.effects[0].Events[0].Kind != support.EventQuestionAsked {
		t.Fatalf("escalated %+v, effects %+v", got, store.effects)
	}
	if _, err := kb.Solved(context.Background(), got.Asked.ID, 7); community.ErrorCode(err) != community.EConflict {
		t.Errorf("solved after escalation: %v", err)
	}
	if _, err := kb.Ask(context.Background(), support.AskInput{Question: support.Question{Member: 7, Text: "  "}, Langs: []string{"en"}}); community.ErrorCode(err) != community.EInvalid || len(store.searched) != 1 {
		t.Errorf("an empty question: %v after %d searches", err, len(store.searched))
	}
}

// TestImportRefusesBadEntriesFirst: one bad entry, or one question twice
// in a language, and nothing reaches the store.
func TestImportRefusesBadEntriesFirst(t *testing.T) {
	store := &fakeKB{}
	kb := support.NewKnowledgeBase(store, support.DefaultAnswerRules(), support.NewDesk(newFakeStore(), kbClock), kbClock)
	for _, entries := range [][]support.Entry{
		{{Lang: "en", Question: "A?", Answer: "a"}, {Lang: "english", Question: "B?", Answer: "b"}},
		{{Lang: "en", Question: "A?", Answer: "a"}, {Lang: "en", Question: " a? ", Answer: "b"}},
		{{Lang: "en", Question: "A?", Answer: "a\x00"}},
		{{Lang: "en", Question: strings.Repeat("q", support.MaxEntryQuestion+1), Answer: "a"}},
	} {
		if _, _, err := kb.Import(context.Background(), entries, 1); community.ErrorCode(err) != community.EInvalid {
			t.Errorf("import %v: %v, want EInvalid", entries, err)
		}
	}
	if len(store.effects) != 0 {
		t.Errorf("a refused import reached the store: %+v", store.effects)
	}
	if _, _, err := kb.Import(context.Background(), []support.Entry{{Lang: "EN", Question: "A?", Answer: "a"}, {Lang: "el", Question: "A?", Answer: "α"}}, 1); err != nil {
		t.Errorf("the same question in two languages: %v", err)
	}
}
