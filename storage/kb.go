package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

var _ support.KBStore = (*Store)(nil)

// searchConfigs are PostgreSQL's text search configurations for the
// languages it stems; any other language (Polish among them) is searched
// word for word with "simple", and trigram similarity finds the other
// endings.
var searchConfigs = map[string]string{
	"en": "english", "el": "greek", "ru": "russian", "ro": "romanian", "de": "german", "fr": "french",
	"es": "spanish", "it": "italian", "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish",
	"fi": "finnish", "hu": "hungarian", "tr": "turkish", "no": "norwegian", "nb": "norwegian",
}

// searchConfig is the text search configuration of a language.
func searchConfig(lang string) string {
	if c, ok := searchConfigs[lang]; ok {
		return c
	}
	return "simple"
}

type kbEntryRow struct {
	ID        int64          `db:"id"`
	Lang      string         `db:"lang"`
	Question  string         `db:"question"`
	Answer    string         `db:"answer"`
	Tags      pq.StringArray `db:"tags"`
	UpdatedAt time.Time      `db:"updated_at"`
}

func (r kbEntryRow) entry() support.Entry {
	return support.Entry{ID: r.ID, Lang: r.Lang, Question: r.Question, Answer: r.Answer, Tags: []string(r.Tags), UpdatedAt: r.UpdatedAt}
}

const kbEntryColumns = `id, lang, question, answer, tags, updated_at`

// lockKB serialises the changes of a language's knowledge base, so that
// the number of entries each word is in stays exact.
func lockKB(ctx context.Context, tx *sqlx.Tx, lang string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('hearth.kb:' || $1))`, lang); err != nil {
		return fmt.Errorf("lock the knowledge base of %s: %w", lang, err)
	}
	return nil
}

// writeEntrySQL inserts an entry, or updates the one of the same language
// and question, with the words of each part as the language stems them.
// $6 and $7 are the folded question with its tags, and answer.
const writeEntrySQL = `
WITH t AS (SELECT tsvector_to_array(to_tsvector(CAST($2 AS regconfig), $6)) AS q,
                  tsvector_to_array(to_tsvector(CAST($2 AS regconfig), $7)) AS a)
INSERT INTO kb_entries (lang, question, answer, tags, question_terms, answer_terms, terms, updated_at)
SELECT $1, $3, $4, $5, t.q, t.a, ARRAY(SELECT DISTINCT w FROM unnest(t.q || t.a) w ORDER BY w), $8 FROM t
ON CONFLICT (lang, lower(question)) DO UPDATE SET question = EXCLUDED.question, answer = EXCLUDED.answer,
    tags = EXCLUDED.tags, question_terms = EXCLUDED.question_terms, answer_terms = EXCLUDED.answer_terms,
    terms = EXCLUDED.terms, updated_at = EXCLUDED.updated_at
RETURNING id, (xmax = 0) AS created`

// updateEntrySQL rewrites entry $1 the same way.
const updateEntrySQL = `
WITH t AS (SELECT tsvector_to_array(to_tsvector(CAST($2 AS regconfig), $6)) AS q,
                  tsvector_to_array(to_tsvector(CAST($2 AS regconfig), $7)) AS a)
UPDATE kb_entries SET question = $3, answer = $4, tags = $5, question_terms = t.q, answer_terms = t.a,
    terms = ARRAY(SELECT DISTINCT w FROM unnest(t.q || t.a) w ORDER BY w), updated_at = $8
FROM t WHERE id = $1 AND lang = $9`

// writeEntry saves e in tx (by its id when it has one) and returns it
// with its id and whether it is new; the caller holds the language's lock.
func writeEntry(ctx context.Context, tx *sqlx.Tx, e support.Entry) (support.Entry, bool, error) {
	cfg := searchConfig(e.Lang)
	indexed := support.Fold(e.Question + "\n" + strings.Join(e.Tags, "\n"))
	args := []any{e.Lang, cfg, e.Question, e.Answer, pq.StringArray(e.Tags), indexed, support.Fold(e.Answer), e.UpdatedAt}
	var err error
	created := false
	if e.ID != 0 {
		var res sql.Result
		if res, err = tx.ExecContext(ctx, updateEntrySQL, append([]any{e.ID}, append(args[1:], e.Lang)...)...); err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return e, false, support.EntryNotFound(e.ID)
			}
		}
	} else {
		var row struct {
			ID      int64 `db:"id"`
			Created bool  `db:"created"`
		}
		err = tx.GetContext(ctx, &row, writeEntrySQL, args...)
		e.ID, created = row.ID, row.Created
	}
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23505" {
		return e, false, community.Errorf(community.EConflict, "kb.duplicate", map[string]any{"Question": e.Question},
			"another %s entry has the question %q", e.Lang, e.Question)
	}
	if err != nil {
		return e, false, fmt.Errorf("save the entry %q: %w", e.Question, err)
	}
	return e, created, nil
}

// countTermsSQL sets how many of language $1's entries hold each word of
// $2: the words an entry had and has.
const countTermsSQL = `
WITH c AS (
    SELECT w AS term, (SELECT count(*) FROM kb_postings p WHERE p.lang = $1 AND p.term = w) AS n
    FROM (SELECT DISTINCT w FROM unnest(CAST($2 AS text[])) w) w
), gone AS (
    DELETE FROM kb_terms k USING c WHERE k.lang = $1 AND k.term = c.term AND c.n = 0
)
INSERT INTO kb_terms (lang, term, entries) SELECT $1, term, n FROM c WHERE n > 0
ON CONFLICT (lang, term) DO UPDATE SET entries = EXCLUDED.entries`

// postEntry rewrites the postings of entry id: a row for each of its words.
func postEntry(ctx context.Context, tx *sqlx.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_postings WHERE entry_id = $1`, id); err != nil {
		return fmt.Errorf("the words of entry %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kb_postings (lang, term, entry_id)
SELECT lang, unnest(terms), id FROM kb_entries WHERE id = $1`, id); err != nil {
		return fmt.Errorf("the words of entry %d: %w", id, err)
	}
	return nil
}

// repostSQL rewrites every posting of language $1, and recountTermsSQL
// counts its words again (after both tables' rows of $1 are deleted: a
// statement does not see its own deletions).
const (
	repostSQL = `
INSERT INTO kb_postings (lang, term, entry_id) SELECT lang, unnest(terms), id FROM kb_entries WHERE lang = $1`
	recountTermsSQL = `
INSERT INTO kb_terms (lang, term, entries) SELECT $1, term, count(*) FROM kb_postings WHERE lang = $1 GROUP BY term`
)

// entryTerms returns the words an entry holds now; none when it is not
// saved.
func entryTerms(ctx context.Context, tx *sqlx.Tx, where string, args ...any) (int64, []string, error) {
	var row struct {
		ID    int64          `db:"id"`
		Terms pq.StringArray `db:"terms"`
	}
	err := tx.GetContext(ctx, &row, `SELECT id, terms FROM kb_entries WHERE `+where+` FOR UPDATE`, args...)
	if err == sql.ErrNoRows {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("an entry's words: %w", err)
	}
	return row.ID, row.Terms, nil
}

// SaveEntry implements support.KBStore.
func (s *Store) SaveEntry(ctx context.Context, e support.Entry, effects func(support.Entry, bool) support.Effects) (support.Entry, bool, error) {
	var created bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockKB(ctx, tx, e.Lang); err != nil {
			return err
		}
		var old []string
		var err error
		if e.ID != 0 {
			var id int64
			if id, old, err = entryTerms(ctx, tx, `id = $1 AND lang = $2`, e.ID, e.Lang); err == nil && id == 0 {
				err = support.EntryNotFound(e.ID)
			}
		} else {
			_, old, err = entryTerms(ctx, tx, `lang = $1 AND lower(question) = lower($2)`, e.Lang, e.Question)
		}
		if err != nil {
			return err
		}
		if e, created, err = writeEntry(ctx, tx, e); err != nil {
			return err
		}
		_, now, err := entryTerms(ctx, tx, `id = $1`, e.ID)
		if err != nil {
			return err
		}
		if err := postEntry(ctx, tx, e.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, countTermsSQL, e.Lang, pq.StringArray(append(old, now...))); err != nil {
			return fmt.Errorf("count the words of %s: %w", e.Lang, err)
		}
		return saveEffects(ctx, tx, effects(e, created))
	})
	return e, created, err
}

// ImportEntries implements support.KBStore: every entry, then every word
// of the languages imported counted again, in one transaction.
func (s *Store) ImportEntries(ctx context.Context, entries []support.Entry, effects func(created, updated int) support.Effects) (int, int, error) {
	var created, updated int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		created, updated = 0, 0
		var langs []string
		for _, e := range entries {
			if !slices.Contains(langs, e.Lang) {
				langs = append(langs, e.Lang)
			}
		}
		slices.Sort(langs) // locked in one order: two imports never wait for each other's lock
		for _, lang := range langs {
			if err := lockKB(ctx, tx, lang); err != nil {
				return err
			}
		}
		for _, e := range entries {
			_, isNew, err := writeEntry(ctx, tx, e)
			if err != nil {
				return err
			}
			if isNew {
				created++
			} else {
				updated++
			}
		}
		for _, lang := range langs {
			for _, q := range []string{`DELETE FROM kb_postings WHERE lang = $1`, repostSQL, `DELETE FROM kb_terms WHERE lang = $1`, recountTermsSQL} {
				if _, err := tx.ExecContext(ctx, q, lang); err != nil {
					return fmt.Errorf("index the words of %s: %w", lang, err)
				}
			}
		}
		return saveEffects(ctx, tx, effects(created, updated))
	})
	return created, updated, err
}

// DeleteEntry implements support.KBStore.
func (s *Store) DeleteEntry(ctx context.Context, id int64, effects func(support.Entry) support.Effects) (support.Entry, error) {
	e, err := s.Entry(ctx, id)
	if err != nil {
		return e, err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockKB(ctx, tx, e.Lang); err != nil {
			return err
		}
		var terms pq.StringArray
		err := tx.GetContext(ctx, &terms, `DELETE FROM kb_entries WHERE id = $1 RETURNING terms`, id)
		if err == sql.ErrNoRows {
			return support.EntryNotFound(id)
		}
		if err != nil {
			return fmt.Errorf("delete entry %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, countTermsSQL, e.Lang, terms); err != nil {
			return fmt.Errorf("count the words of %s: %w", e.Lang, err)
		}
		return saveEffects(ctx, tx, effects(e))
	})
	return e, err
}

// Entry implements support.KBStore.
func (s *Store) Entry(ctx context.Context, id int64) (support.Entry, error) {
	var r kbEntryRow
	err := s.db.GetContext(ctx, &r, `SELECT `+kbEntryColumns+` FROM kb_entries WHERE id = $1`, id)
	if err == sql.ErrNoRows {
		return support.Entry{}, support.EntryNotFound(id)
	}
	if err != nil {
		return support.Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	return r.entry(), nil
}

// Entries implements support.KBStore.
func (s *Store) Entries(ctx context.Context, lang string, after int64, limit int) ([]support.Entry, error) {
	var rows []kbEntryRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+kbEntryColumns+` FROM kb_entries
WHERE ($1 = '' OR lang = $1) AND id > $2 ORDER BY id LIMIT $3`, lang, after, limit); err != nil {
		return nil, fmt.Errorf("entries: %w", err)
	}
	out := make([]support.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}
