package support_test

import (
	"testing"

	"github.com/hearthbot/hearth/support"
)

// TestFoldDropsAccentsButKeepsCyrillic: Latin and Greek lose their
// accents, Polish ł is l, Cyrillic keeps й and writes ё as е.
func TestFoldDropsAccentsButKeepsCyrillic(t *testing.T) {
	for in, want := range map[string]string{
		"Plată ramburs, ȘTIRI":      "plata ramburs, stiri",
		"Πώς κάνω επιστροφή;":       "πωσ κανω επιστροφη;",
		"Zamówienie, łódź, ŻÓŁW":    "zamowienie, lodz, zolw",
		"Какой заказ? Ёлка, йогурт": "какой заказ? елка, йогурт",
		"Café crème":                "cafe creme",
	} {
		if got := support.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// kbRetrieval is a knowledge base of 10 entries: "deliveri" in 2 of them,
// "return" in 1, "the" in all.
func kbRetrieval(terms ...support.QueryTerm) support.Retrieval {
	return support.Retrieval{Entries: 10, Terms: terms,
		Frequency: map[string]int{"deliveri": 2, "long": 3, "take": 4, "return": 1, "order": 3, "the": 10},
		Candidates: []support.Candidate{
			{Entry: support.Entry{ID: 1, Question: "How long does delivery take?"}, QuestionTerms: []string{"long", "deliveri", "take"}, AnswerTerms: []string{"day", "the"}},
			{Entry: support.Entry{ID: 2, Question: "How do I return an order?"}, QuestionTerms: []string{"return", "order"}, AnswerTerms: []string{"deliveri", "the"}},
		}}
}

func term(q string, matches ...support.TermMatch) support.QueryTerm {
	return support.QueryTerm{Term: q, Matches: matches}
}

func match(t string, sim float64, entries int) support.TermMatch {
	return support.TermMatch{Term: t, Similarity: sim, Entries: entries}
}

// TestRankScoresByTheSharedRareWords: the entry's own question scores 1;
// a word found only in an answer counts half; a misspelt word counts by
// its similarity; a word the knowledge base does not know lowers every
// score; no shared word scores 0.
func TestRankScoresByTheSharedRareWords(t *testing.T) {
	own := support.Rank(kbRetrieval(term("long", match("long", 1, 3)), term("deliveri", match("deliveri", 1, 2)), term("take", match("take", 1, 4))))
	if own[0].Entry.ID != 1 || own[0].Score < 0.999 || own[1].Score >= 0.3 {
		t.Fatalf("the entry's own question: %+v", own)
	}
	typo := support.Rank(kbRetrieval(term("long", match("long", 1, 3)), term("delivry", match("deliveri", 0.6, 2)), term("take", match("take", 1, 4))))
	if typo[0].Entry.ID != 1 || typo[0].Score >= own[0].Score || typo[0].Score < 0.7 {
		t.Fatalf("a typo: %+v", typo)
	}
	unknown := support.Rank(kbRetrieval(term("long", match("long", 1, 3)), term("deliveri", match("deliveri", 1, 2)), term("take", match("take", 1, 4)), term("tea")))
	if unknown[0].Entry.ID != 1 || unknown[0].Score >= own[0].Score-0.1 {
		t.Fatalf("an unknown word: %+v", unknown)
	}
	answerOnly := support.Rank(kbRetrieval(term("deliveri", match("deliveri", 1, 2)), term("return", match("return", 1, 1))))
	if answerOnly[0].Entry.ID != 2 {
		t.Fatalf("return (question) and delivery (answer) rank the return entry first: %+v", answerOnly)
	}
	none := support.Rank(kbRetrieval(term("tea")))
	if len(none) != 2 || none[0].Score != 0 || none[1].Score != 0 {
		t.Fatalf("no shared word: %+v", none)
	}
}

// TestDecideAnswersSuggestsOrEscalates: the thresholds and the margin.
func TestDecideAnswersSuggestsOrEscalates(t *testing.T) {
	rules := support.AnswerRules{AnswerAt: 0.6, SuggestAt: 0.3, Margin: 0.1, Suggestions: 2}
	hits := func(scores ...float64) []support.Hit {
		out := make([]support.Hit, len(scores))
		for i, s := range scores {
			out[i] = support.Hit{Entry: support.Entry{ID: int64(i + 1)}, Score: s}
		}
		return out
	}
	for _, tc := range []struct {
		scores []float64
		action support.Action
		shown  int
	}{
		{nil, support.ActionEscalate, 0},
		{[]float64{0.29, 0.1}, support.ActionEscalate, 0},
		{[]float64{0.6}, support.ActionAnswer, 1},
		{[]float64{0.8, 0.69}, support.ActionAnswer, 1},
		{[]float64{0.8, 0.75, 0.5}, support.ActionSuggest, 2},
		{[]float64{0.5, 0.31, 0.2}, support.ActionSuggest, 2},
		{[]float64{0.35, 0.2}, support.ActionSuggest, 1},
	} {
		action, shown := rules.Decide(hits(tc.scores...))
		if action != tc.action || len(shown) != tc.shown {
			t.Errorf("scores %v: %s with %d shown, want %s with %d", tc.scores, action, len(shown), tc.action, tc.shown)
		}
	}
}
