package storage

import (
	"context"
	"fmt"
	"math"

	"github.com/hearthbot/hearth/support"
	"github.com/lib/pq"
)

// termMatchesSQL counts the entries of language $1 and stems a folded
// question ($3) with the language's configuration ($2), and finds, for
// each of its words, the knowledge base's words of language $1 like it:
// itself, or up to 3 that trigram similarity finds (words of 4 letters or
// more; shorter ones are matched as they are). It returns a row with no
// query word when the question has none.
const termMatchesSQL = `
WITH n AS (SELECT count(*) AS total FROM kb_entries WHERE lang = $1),
q AS (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector(CAST($2 AS regconfig), $3))) AS term)
SELECT n.total, coalesce(w.query, '') AS query, coalesce(w.term, '') AS term,
    coalesce(w.sim, 0) AS similarity, coalesce(w.entries, 0) AS entries
FROM n LEFT JOIN (
    SELECT q.term AS query, m.term, m.sim, m.entries FROM q LEFT JOIN LATERAL (
        SELECT k.term, CASE WHEN k.term = q.term THEN 1 ELSE similarity(k.term, q.term) END AS sim, k.entries
        FROM kb_terms k
        WHERE k.lang = $1 AND (k.term = q.term OR (length(q.term) >= 4 AND k.term % q.term))
        ORDER BY sim DESC, k.term
        LIMIT 3
    ) m ON true
) w ON true
ORDER BY w.query, w.sim DESC`

// kbCandidatesSQL returns the entries of language $1 holding any of the
// words $2, those holding the most weight ($3, each word's) first.
const kbCandidatesSQL = `
WITH w AS (SELECT * FROM unnest(CAST($2 AS text[]), CAST($3 AS float8[])) AS w(term, w)),
c AS (
    SELECT p.entry_id, sum(w.w) AS weight FROM kb_postings p JOIN w ON p.term = w.term
    WHERE p.lang = $1 GROUP BY p.entry_id ORDER BY weight DESC, p.entry_id LIMIT $4
)
SELECT e.id, e.lang, e.question, e.answer, e.tags, e.updated_at, e.question_terms, e.answer_terms,
    ARRAY(SELECT coalesce(k.entries, 0) FROM unnest(e.question_terms) WITH ORDINALITY AS u(term, i)
          LEFT JOIN kb_terms k ON k.lang = e.lang AND k.term = u.term ORDER BY u.i) AS frequency
FROM c JOIN kb_entries e ON e.id = c.entry_id
ORDER BY c.weight DESC, e.id`

// Retrieve implements support.KBStore.
func (s *Store) Retrieve(ctx context.Context, lang, folded string, limit int) (support.Retrieval, error) {
	var r support.Retrieval
	var matches []struct {
		Total      int     `db:"total"`
		Query      string  `db:"query"`
		Term       string  `db:"term"`
		Similarity float64 `db:"similarity"`
		Entries    int     `db:"entries"`
	}
	if err := s.db.SelectContext(ctx, &matches, termMatchesSQL, lang, searchConfig(lang), folded); err != nil {
		return r, fmt.Errorf("the words of a question in %s: %w", lang, err)
	}
	if r.Entries = matches[0].Total; r.Entries == 0 || matches[0].Query == "" {
		return r, nil
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
		Frequency     pq.Int64Array  `db:"frequency"`
	}
	if err := s.db.SelectContext(ctx, &rows, kbCandidatesSQL, lang, pq.StringArray(terms), pq.Float64Array(weights), limit); err != nil {
		return r, fmt.Errorf("entries for a question in %s: %w", lang, err)
	}
	r.Frequency = map[string]int{}
	for _, row := range rows {
		r.Candidates = append(r.Candidates, support.Candidate{Entry: row.entry(), QuestionTerms: row.QuestionTerms, AnswerTerms: row.AnswerTerms})
		for i, t := range row.QuestionTerms {
			if i < len(row.Frequency) && row.Frequency[i] > 0 {
				r.Frequency[t] = int(row.Frequency[i])
			}
		}
	}
	return r, nil
}
