package console_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// runConsole pipes lines through a console that keeps files in files,
// and returns the transcript.
func runConsole(t *testing.T, store *storage.Store, files string, lines ...string) string {
	t.Helper()
	_, out := scripted(t, bots.ServiceOptions{Store: store, Now: recordedClock()}, strings.Join(lines, "\n"), files)
	return out.String()
}

var savedFile = regexp.MustCompile(`\[file: (.+)\]`)

// TestMyDataIsAFileInTheConsole: /mydata says it sends a JSON file, and
// the file is there, in the folder the console was given, at the path it
// prints; a second export does not overwrite the first.
func TestMyDataIsAFileInTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	dir := t.TempDir()
	got := runConsole(t, store, dir, "/as alice", "hello", "/dm", "/mydata", "/mydata")
	paths := savedFile.FindAllStringSubmatch(got, -1)
	if len(paths) != 2 || !strings.Contains(got, "as a JSON file") {
		t.Fatalf("want two files shown after the answer:\n%s", got)
	}
	if paths[0][1] == paths[1][1] || !strings.HasPrefix(paths[0][1], dir) {
		t.Fatalf("files at %q and %q; want two files in %s", paths[0][1], paths[1][1], dir)
	}
	data, err := os.ReadFile(paths[0][1])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"platform_user_id": "alice"`)) {
		t.Errorf("the file is not alice's data:\n%s", data)
	}
	if st, err := os.Stat(paths[0][1]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v (%v); personal data is for the owner only", st.Mode(), err)
	}
	if hits := storagetest.Search(t, store.DB(), storagetest.Needle{Label: "the export",
		Value: base64.StdEncoding.EncodeToString(data), Match: storagetest.Contains}); len(hits) > 0 {
		t.Errorf("the export is kept in the database once sent: %v", hits)
	}
}

// TestForgetMeInTheConsole: kind, telegram and ember (a piece of the
// JSON key "member", and staff who warned carol) ask to be forgotten.
// Afterwards no value in any table holds their names, ids, private chats
// or exports; carol's staff log and notes, which mention them, are as
// they were, and ember's warning of carol shows who gave it as a member
// who asked to be forgotten.
func TestForgetMeInTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	if _, err := store.DB().Exec(`SELECT setval(pg_get_serial_sequence('members', 'id'), 900000000)`); err != nil {
		t.Fatal(err)
	}
	runConsole(t, store, t.TempDir(),
		"/as kind", "hello from kind", "/as telegram", "hello from telegram", "/as ember", "hello from ember", "/as carol", "hi all",
		"/as owner", "/staffchat", "/setstaff", "/staff add @ember", "/group",
		"/warn @kind spam", "/warn @carol rude to kind, telegram and ember", "/note @carol argued with @kind",
		"/as ember", "/warn @carol flood")
	var members []int64
	if err := store.DB().Select(&members, `SELECT member_id FROM identities WHERE platform_user_id IN ('kind', 'telegram', 'ember') ORDER BY 1`); err != nil || len(members) != 3 {
		t.Fatalf("members %v, %v", members, err)
	}
	before := othersLog(t, store)
	// Carol's records name them in their text, and stay: they are hers.
	carols := carolsRecords(t, store)
	if len(before) < 3 {
		t.Fatalf("fixture: carol's staff log is %v", before)
	}
	dir := t.TempDir()
	got := runConsole(t, store, dir,
		"/as kind", "/dm", "/mydata", "/forgetme", "/press 1",
		"/as telegram", "/dm", "/forgetme", "/press 1",
		"/as ember", "/dm", "/forgetme", "/press 1",
		"/as owner", "/staffchat", "/modlog @carol")
	if strings.Count(got, "everything I stored about you is erased") != 3 {
		t.Fatalf("three erasures expected:\n%s", got)
	}
	path := savedFile.FindStringSubmatch(got)
	if path == nil {
		t.Fatalf("kind's export was not saved:\n%s", got)
	}
	export, err := os.ReadFile(path[1])
	if err != nil {
		t.Fatal(err)
	}
	needles := erasedMemberNeedles(members, export)
	var left []storagetest.Hit
	for _, h := range storagetest.Search(t, store.DB(), needles...) {
		if !slices.Contains(carols, h.Value) {
			left = append(left, h)
		}
	}
	if len(left) > 0 {
		t.Errorf("%d values still name an erased member:\n%v", len(left), left)
	}
	after := othersLog(t, store)
	if strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("carol's staff log changed:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	if !strings.Contains(got, "⚠️ Warning · Carol · a member who asked to be forgotten") {
		t.Errorf("/modlog does not show ember's warning of carol as given by an erased member:\n%s", got)
	}
}

// carolsRecords is the text of the notes and reasons on carol's staff
// log, which name the erased members and stay: they are hers.
func carolsRecords(t *testing.T, store *storage.Store) []string {
	t.Helper()
	var carols []string
	if err := store.DB().Select(&carols, `
SELECT n.text FROM moderation_notes n JOIN identities c ON c.member_id = n.member_id AND c.platform_user_id = 'carol'
UNION ALL SELECT a.reason FROM audit_log a JOIN identities c ON c.member_id = a.target_member_id AND c.platform_user_id = 'carol'`); err != nil {
		t.Fatal(err)
	}
	return carols
}

// erasedMemberNeedles is every way the database could still name kind,
// telegram and ember (members, by their ids), or hold kind's export.
func erasedMemberNeedles(members []int64, export []byte) []storagetest.Needle {
	var needles []storagetest.Needle
	for i, name := range []string{"kind", "telegram", "ember"} {
		needles = append(needles,
			storagetest.Needle{Label: name + "'s name and id", Value: name, Match: storagetest.Exact},
			storagetest.Needle{Label: name + "'s @name", Value: "@" + name, Match: storagetest.Word},
			storagetest.Needle{Label: name + "'s mention", Value: "user:" + name, Match: storagetest.Word},
			storagetest.Needle{Label: name + "'s private chat", Value: "dm:" + name, Match: storagetest.Exact},
			storagetest.Needle{Label: name + "'s member id", Value: community.MemberID(members[i]).String(), Match: storagetest.Word})
	}
	needles = append(needles,
		storagetest.Needle{Label: "kind's export", Value: base64.StdEncoding.EncodeToString(export), Match: storagetest.Contains},
		storagetest.Needle{Label: "kind's export as text", Value: string(export), Match: storagetest.Contains})
	return needles
}

// othersLog is carol's part of the staff log: the audit entries about
// her given by the owner, and the staff notes on her.
func othersLog(t *testing.T, store *storage.Store) []string {
	t.Helper()
	var out []string
	if err := store.DB().Select(&out, `
SELECT format('audit %s %s %s %s', a.id, a.action, a.reason, a.details) FROM audit_log a
JOIN identities c ON c.member_id = a.target_member_id AND c.platform_user_id = 'carol'
JOIN identities o ON o.member_id = a.actor_member_id AND o.platform_user_id = 'owner'
UNION ALL SELECT format('note %s %s', n.id, n.text) FROM moderation_notes n JOIN identities c ON c.member_id = n.member_id AND c.platform_user_id = 'carol'
UNION ALL SELECT format('warning %s %s', w.id, w.reason) FROM warnings w JOIN identities c ON c.member_id = w.member_id AND c.platform_user_id = 'carol'
ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	return out
}
