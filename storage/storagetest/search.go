package storagetest

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Match says how a Needle is looked for.
type Match string

// The ways to look for a needle. A value is a column's value, one string
// or number anywhere inside a json or jsonb value, or one element of an
// array.
const (
	// Exact finds a value equal to the needle, ignoring case: for needles
	// that are common words ("kind", "telegram"), which free text and
	// JSON keys hold for other reasons.
	Exact Match = "exact"
	// Word also finds the needle inside a value as a whole word (not part
	// of a longer word or number), ignoring case: for ids and distinctive
	// names.
	Word Match = "word"
	// Contains finds the needle anywhere, ignoring case, JSON keys and
	// punctuation included: for long distinctive text such as a file's
	// base64.
	Contains Match = "contains"
)

// Needle is something a test looks for in the whole database.
type Needle struct {
	Label string // says what it is in a failure message
	Value string
	Match Match
}

// Hit is a value in which a needle was found.
type Hit struct {
	Needle string // the needle's label
	Table  string
	Column string
	Key    string // inside json: the key of the object field the value is in ("" at the top)
	Value  string // the start of the value
}

// String formats the hit for a failure message.
func (h Hit) String() string {
	where := h.Table + "." + h.Column
	if h.Key != "" {
		where += " ." + h.Key
	}
	return fmt.Sprintf("%s in %s: %q", h.Needle, where, h.Value)
}

const tableColumnsSQL = `
SELECT c.table_name, c.column_name, c.data_type
FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
ORDER BY c.table_name, c.ordinal_position`

// Search looks for needles in every column of every table of the
// database's public schema, found through information_schema, so that a
// table or column added later is searched too. Text is searched as text,
// json and jsonb both as a whole and value by value, arrays element by
// element, bytea as escaped text, and every other type as its text form.
func Search(t testing.TB, db *sqlx.DB, needles ...Needle) []Hit {
	t.Helper()
	var columns []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
		Type   string `db:"data_type"`
	}
	if err := db.Select(&columns, tableColumnsSQL); err != nil {
		t.Fatalf("storagetest: list columns: %v", err)
	}
	values, modes, patterns := make([]string, len(needles)), make([]string, len(needles)), make([]string, len(needles))
	for i, n := range needles {
		if n.Value == "" {
			t.Fatalf("storagetest: needle %q is empty: it would match everything", n.Label)
		}
		values[i], modes[i] = n.Value, string(n.Match)
		patterns[i] = `(^|[^[:alnum:]_])` + regexp.QuoteMeta(n.Value) + `($|[^[:alnum:]_])`
	}
	var hits []Hit
	for _, c := range columns {
		q := fmt.Sprintf(searchSQL, pq.QuoteIdentifier(c.Table), columnValues(pq.QuoteIdentifier(c.Column), c.Type))
		rows, err := db.Query(q, pq.Array(values), pq.Array(modes), pq.Array(patterns))
		if err != nil {
			t.Fatalf("storagetest: search %s.%s: %v", c.Table, c.Column, err)
		}
		for rows.Next() {
			var i int
			var key, v string
			if err := rows.Scan(&i, &key, &v); err != nil {
				rows.Close()
				t.Fatalf("storagetest: search %s.%s: %v", c.Table, c.Column, err)
			}
			hits = append(hits, Hit{Needle: needles[i-1].Label, Table: c.Table, Column: c.Column, Key: key, Value: v})
		}
		if err := rows.Close(); err != nil {
			t.Fatalf("storagetest: search %s.%s: %v", c.Table, c.Column, err)
		}
	}
	return hits
}

// searchSQL matches each value of one column (x.v; x.whole marks a whole
// JSON document, searched by Contains only; x.key is a JSON value's key)
// against every needle.
const searchSQL = `
SELECT n.i, x.key, left(x.v, 160)
FROM public.%s t
CROSS JOIN LATERAL (%s) AS x(v, whole, key)
JOIN unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS n(val, mode, re, i)
  ON x.v IS NOT NULL AND CASE n.mode
     WHEN 'exact' THEN NOT x.whole AND lower(x.v) = lower(n.val)
     WHEN 'word' THEN NOT x.whole AND x.v ~* n.re
     ELSE strpos(lower(x.v), lower(n.val)) > 0 END
LIMIT 100`

// columnValues is the query that lists the values of column col of the
// row t.
func columnValues(col, dataType string) string {
	switch dataType {
	case "json", "jsonb":
		return fmt.Sprintf(jsonValuesSQL, col)
	case "ARRAY":
		return fmt.Sprintf(`SELECT e::text, false, '' FROM unnest(t.%s) e`, col)
	case "bytea":
		return fmt.Sprintf(`SELECT encode(t.%s, 'escape'), false, ''`, col)
	default:
		return fmt.Sprintf(`SELECT t.%s::text, false, ''`, col)
	}
}

// jsonValuesSQL lists a json or jsonb column's document as a whole, then
// every string and number in it with the key it is under (an array's
// elements under the array's key).
const jsonValuesSQL = `
WITH RECURSIVE walk(k, v) AS (
    SELECT ''::text, t.%[1]s::jsonb
    UNION ALL
    SELECT c.k, c.v FROM walk w CROSS JOIN LATERAL (
        SELECT key, value FROM jsonb_each(CASE jsonb_typeof(w.v) WHEN 'object' THEN w.v END)
        UNION ALL
        SELECT w.k, value FROM jsonb_array_elements(CASE jsonb_typeof(w.v) WHEN 'array' THEN w.v END)
    ) c(k, v)
)
SELECT t.%[1]s::text, true, '' WHERE t.%[1]s IS NOT NULL
UNION ALL
SELECT v #>> '{}', false, k FROM walk WHERE jsonb_typeof(v) IN ('string', 'number')`
