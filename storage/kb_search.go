package storage

import (
	"context"
	"fmt"
	"math"

	"github.com/hearthbot/hearth/support"
	"github.com/lib/pq"
)

// termMatchesSQL stems a folded question ($3) with the language's
// configuration ($2) and finds, for each of its words, the knowledge
// base's words of language $1 like it: itself, or up to 3 that trigram
// similarity finds (words of 4 letters or more; shorter ones are matched
// as they are).
const termMatchesSQL = `
WITH q AS (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector(CAST($2 AS regconfig), $3))) AS term)
SELECT q.term AS query, coalesce(m.term, '') AS term, coalesce(m.sim, 0) AS similarity, coalesce(m.entries, 0) AS entries
FROM q LEFT JOIN LATERAL (
    SELECT k.term, CASE WHEN k.term = q.term THEN 1 ELSE similarity(k.term, q.term) END AS sim, k.entries
    FROM kb_terms k
    WHERE k.lang = $1 AND (k.term = q.term OR (length(q.term) >= 4 AND k.term % q.term))
    ORDER BY sim DESC, k.term
    LIMIT 3
) m ON true
ORDER BY q.term, m.sim DESC`

// kbCandidatesSQL returns the entries of language $1 holding any of the
// words $2, those holding the most weight ($3, each word's) first.
const kbCandidatesSQL = `
SELECT e.id, e.lang, e.question, e.answer, e.tags, e.updated_at, e.question_terms, e.answer_terms
FROM kb_entries e
WHERE e.lang = $1 AND e.terms && CAST($2 AS text[])
ORDER BY (SELECT sum(m.w) FROM unnest(CAST($2 AS text[]), CAST($3 AS float8[])) AS m(term, w) WHERE m.term = ANY (e.terms)) DESC, e.id
LIMIT $4`

// Retrieve implements support.KBStore.
func (s *Store) Retrieve(ctx context.Context, lang, folded string, limit int) (support.Retrieval, error) {
	var r support.Retrieval
	if err := s.db.GetContext(ctx, &r.Entries, `SELECT count(*) FROM kb_entries WHERE lang = $1`, lang); err != nil {
		return r, fmt.Errorf("count the entries of %s: %w", lang, err)
	}
	if r.Entries == 0 {
		return r, nil
	}
	var matches []struct {
		Query      string  `db:"query"`
		Term       string  `db:"term"`
		Similarity float64 `db:"similarity"`
		Entries    int     `db:"entries"`
	}
	if err := s.db.SelectContext(ctx, &matches, termMatchesSQL, lang, searchConfig(lang), folded); err != nil {
		return r, fmt.Errorf("the words of a question in %s: %w", lang, err)
	}
	weight := map[string]float64{} // of each matched word, for the candidates' rough order
	for _, m := range matches {
		if len(r.Terms) == 0 || r.Terms[len(r.Terms)-1].Term != m.Query {
			r.Terms = append(r.Terms, support.QueryTerm{Term: m.Query})
		}
		if m.Term == "" {
			continue
		}
		q := &r.Terms[len(r.Terms)-1]
		q.Matches = append(q.Matches, support.TermMatch{Term: m.Term, Similarity: m.Similarity, Entries: m.Entries})
		weight[m.Term] = max(weight[m.Term], m.Similarity*math.Log(1+float64(r.Entries+1)/float64(m.Entries+1)))
	}
	if len(weight) == 0 {
		return r, nil
	}
	terms, weights := make([]string, 0, len(weight)), make([]float64, 0, len(weight))
	for t, w := range weight {
		terms, weights = append(terms, t), append(weights, w)
	}
	var rows []struct {
		kbEntryRow
		QuestionTerms pq.StringArray `db:"question_terms"`
		AnswerTerms   pq.StringArray `db:"answer_terms"`
	}
	if err := s.db.SelectContext(ctx, &rows, kbCandidatesSQL, lang, pq.StringArray(terms), pq.Float64Array(weights), limit); err != nil {
		return r, fmt.Errorf("entries for a question in %s: %w", lang, err)
	}
	var own []string
	for _, row := range rows {
		r.Candidates = append(r.Candidates, support.Candidate{Entry: row.entry(), QuestionTerms: row.QuestionTerms, AnswerTerms: row.AnswerTerms})
		own = append(own, row.QuestionTerms...)
	}
	var freq []struct {
		Term    string `db:"term"`
		Entries int    `db:"entries"`
	}
	if err := s.db.SelectContext(ctx, &freq, `SELECT term, entries FROM kb_terms WHERE lang = $1 AND term = ANY ($2)`,
		lang, pq.StringArray(own)); err != nil {
		return r, fmt.Errorf("how rare the words of %s are: %w", lang, err)
	}
	r.Frequency = make(map[string]int, len(freq))
	for _, f := range freq {
		r.Frequency[f.Term] = f.Entries
	}
	return r, nil
}
