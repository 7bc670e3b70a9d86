package support

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold is how the knowledge base reads text, both entries and questions:
// lower case, and Latin and Greek letters without their accents (members
// often type "plata" for "plată", "πως" for "πώς" and "zamowienie" for
// "zamówienie"); Cyrillic keeps its letters but for ё, written е.
func Fold(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range norm.NFC.String(strings.ToLower(text)) {
		switch {
		case r == 'ё':
			b.WriteRune('е')
		case r == 'ł':
			b.WriteRune('l')
		case r == 'ς':
			b.WriteRune('σ')
		case unicode.In(r, unicode.Latin, unicode.Greek):
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(d)
				}
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TermMatch is a word of the knowledge base like a word of a question:
// the same word, or one a typo or another ending away (Similarity below
// 1), and in how many entries of the language it is.
type TermMatch struct {
	Term       string
	Similarity float64 // 1 for the word itself
	Entries    int
}

// QueryTerm is one word of a question, as the language's search
// configuration stems it, with the knowledge base's words like it (none
// when the knowledge base does not know it).
type QueryTerm struct {
	Term    string
	Matches []TermMatch
}

// Candidate is an entry that holds some word of a question, with the
// words of its question and tags, and of its answer.
type Candidate struct {
	Entry         Entry
	QuestionTerms []string // of the question and the tags
	AnswerTerms   []string
}

// Retrieval is what the knowledge base holds for a question: its words,
// the entries that may answer it, how many entries the language has, and
// in how many of them each word of the candidates' questions is.
type Retrieval struct {
	Terms      []QueryTerm
	Candidates []Candidate
	Entries    int
	Frequency  map[string]int
}

// Hit is an entry ranked for a question: Score is 0 (nothing in common)
// to 1 (the question is the entry's own question, word for word).
type Hit struct {
	Entry Entry
	Score float64
}

// answerWeight is how much a word found only in an entry's answer counts
// against the same word in its question or tags.
const answerWeight = 0.5

// Rank scores the candidates of a retrieval for its question and returns
// them best first. A candidate scores by how much of the question it
// explains and how much of its own question the question covers, each
// word weighed by how rare it is in the knowledge base, so that "the"
// matters little and "descale" much. A word the knowledge base does not
// know counts fully against every entry: a question about tea finds no
// confident answer in a coffee shop's knowledge base that only shares
// "do you sell" with it.
func Rank(r Retrieval) []Hit {
	idf := func(entries int) float64 { return math.Log(1 + float64(r.Entries+1)/float64(entries+1)) }
	var asked float64 // the weight of the whole question
	weights := make([]float64, len(r.Terms))
	for i, q := range r.Terms {
		weights[i] = idf(0)
		if len(q.Matches) > 0 {
			best := slices.MaxFunc(q.Matches, func(a, b TermMatch) int { return cmp.Compare(a.Similarity, b.Similarity) })
			weights[i] = idf(best.Entries)
		}
		asked += weights[i]
	}
	hits := make([]Hit, 0, len(r.Candidates))
	for _, c := range r.Candidates {
		var explained float64
		covered := map[string]bool{}
		for i, q := range r.Terms {
			best := 0.0
			for _, m := range q.Matches {
				switch {
				case slices.Contains(c.QuestionTerms, m.Term):
					best = max(best, m.Similarity)
					covered[m.Term] = true
				case slices.Contains(c.AnswerTerms, m.Term):
					best = max(best, answerWeight*m.Similarity)
				}
			}
			explained += weights[i] * best
		}
		var own, found float64 // the entry's question, and how much of it was asked
		for _, t := range uniq(c.QuestionTerms) {
			w := idf(max(r.Frequency[t], 1))
			own += w
			if covered[t] {
				found += w
			}
		}
		score := 0.0
		if asked > 0 && own > 0 {
			score = math.Sqrt(explained / asked * found / own)
		}
		hits = append(hits, Hit{Entry: c.Entry, Score: score})
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Entry.ID, b.Entry.ID)
	})
	return hits
}

func uniq(terms []string) []string {
	out := slices.Clone(terms)
	slices.Sort(out)
	return slices.Compact(out)
}
