package storage_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage/storagetest"
)

// unindexedForeignKeysSQL lists the foreign keys whose columns do not
// lead any index of their table: deleting or changing a row they refer
// to (a member forgotten, a ticket deleted) would scan the whole table.
const unindexedForeignKeysSQL = `
SELECT c.conrelid::regclass || ' (' || string_agg(a.attname, ', ' ORDER BY k.i) || ') -> ' || c.confrelid::regclass
FROM pg_constraint c
CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, i)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
  AND NOT EXISTS (
    SELECT 1 FROM pg_index x
    WHERE x.indrelid = c.conrelid
      AND (x.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
      AND (x.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
GROUP BY c.oid, c.conrelid, c.confrelid
ORDER BY 1`

// TestEveryForeignKeyIsIndexed: every foreign key's columns lead an index
// of its table, so that erasing a member, deleting a ticket or an entry
// looks the referring rows up rather than scanning for them. A new
// foreign key without its index fails here.
func TestEveryForeignKeyIsIndexed(t *testing.T) {
	db := storagetest.New(t)
	var missing []string
	if err := db.Select(&missing, unindexedForeignKeysSQL); err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d foreign keys lead no index:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
