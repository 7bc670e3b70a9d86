package console_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// relayScript: zoe's question opens a ticket; her next message goes to
// the staff room; the owner answers by replying to it (relayed to her),
// keeps a note with "!" and /note (not relayed), closes the ticket; zoe's
// thanks reopen it, and the owner's answer reaches her again.
const relayScript = `/as owner
/staffchat
/setstaff
/as zoe
/dm
my order 123 has not arrived
it was due last friday
/as owner
/staffchat
/reply bot Sorry Zoe! It ships today.
/reply bot !courier lost it, refund if not there by Monday
/note #1 checked with the warehouse
/close 1 shipped again
/as zoe
/dm
thanks, it arrived!
/as owner
/staffchat
/reply bot Great, enjoy!
/group
/note #1 secret plan
/staffchat
/transcript 1
/quit
`

// TestRelayInTheConsole: the conversation of a ticket goes between the
// member's private chat and the staff room both ways, notes stay with
// staff, and a message after closing reopens the ticket.
func TestRelayInTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	files := t.TempDir()
	_, out := scripted(t, bots.ServiceOptions{Store: store, Now: recordedClock(), Community: utcCommunity()}, relayScript, files)
	transcript := out.String()
	// The answers to commands come in order; the relayed messages leave
	// through the outbox, whose turn may come a little later.
	wantInOrder(t, transcript,
		"your question is with the team as ticket #1.",
		"📝 Note kept with question #1.",
		"✅ Question #1 from Zoe is answered.",
		"Notes on a question are kept from the staff chat only, where members cannot read them.")
	for _, want := range []string{
		"Reply to this message to answer; start with ! for a note only the team sees.",
		"bot → staff room> 💬 #1 Zoe (⚪ low):\n    it was due last friday",
		"bot → zoe (private)> 💬 Owner, from the team:\n    Sorry Zoe! It ships today.",
		"💬 #1 Zoe (⚪ low) · ↩️ reopened:\n    thanks, it arrived!",
		"bot → zoe (private)> 💬 Owner, from the team:\n    Great, enjoy!",
	} {
		if strings.Count(transcript, want) == 0 {
			t.Errorf("transcript lacks:\n%s", want)
		}
	}
	for _, once := range []string{"from the team:\n    Sorry Zoe!", "from the team:\n    Great, enjoy!", "    thanks, it arrived!"} {
		if n := strings.Count(transcript, once); n != 1 {
			t.Errorf("%q relayed %d times, want once", once, n)
		}
	}
	// Zoe's answer and the staff room's message leave by different paths
	// (the reply and the outbox): either may be printed first.
	if !strings.Contains(transcript, "bot> ↩️ Your question #1 is open again; the team will answer you here.") {
		t.Error("zoe is not told her question is open again")
	}
	if strings.Contains(transcript, "from the team:\n    courier") || strings.Contains(transcript, "from the team:\n    checked with") {
		t.Error("a note reached the member")
	}
	var rows []struct {
		Direction string `db:"direction"`
		Text      string `db:"text"`
	}
	if err := store.DB().Select(&rows, `SELECT direction, text FROM ticket_messages ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Direction+":"+r.Text)
	}
	want := []string{"in:it was due last friday", "out:Sorry Zoe! It ships today.", "note:courier lost it, refund if not there by Monday",
		"note:checked with the warehouse", "in:thanks, it arrived!", "out:Great, enjoy!"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ticket messages:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The transcript: the question, every message in order with notes
	// marked, as a file saved for the owner.
	saved, err := filepath.Glob(filepath.Join(files, "*question-1.txt"))
	if err != nil || len(saved) != 1 {
		t.Fatalf("transcript files %v, %v\n%s", saved, err, transcript[strings.LastIndex(transcript, "/transcript"):])
	}
	text, err := os.ReadFile(saved[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Question #1 from Zoe (⚪ low), opened 2026-11-23 12:00", "] Zoe: my order 123 has not arrived",
		"] Owner: Sorry Zoe! It ships today.", "] Owner (note, team only): courier lost it", "] Zoe: thanks, it arrived!", "] Owner: Great, enjoy!"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	var open bool
	if err := store.DB().Get(&open, `SELECT closed_at IS NULL AND reopened_at IS NOT NULL AND first_response_at IS NOT NULL FROM tickets WHERE id = 1`); err != nil || !open {
		t.Errorf("the ticket is not open again, reopened and answered: %v %v", open, err)
	}
}

// TestFilesOnATicketInTheConsole: a file zoe sends privately while her
// ticket is open reaches the staff room with her words, is kept with the
// ticket and named in its transcript; one she sends with no ticket is not
// kept, and she is told to write her question in words.
func TestFilesOnATicketInTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	files := t.TempDir()
	receipt := filepath.Join(files, "receipt.pdf")
	if err := os.WriteFile(receipt, []byte("%PDF-1.4\n% a receipt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `/as owner
/staffchat
/setstaff
/as zoe
/dm
/attach ` + receipt + `
my order 123 has not arrived
/attach ` + receipt + ` here is the receipt
/as owner
/staffchat
/transcript 1
/quit
`
	_, out := scripted(t, bots.ServiceOptions{Store: store, Now: recordedClock(), Community: utcCommunity()}, script, files)
	transcript := out.String()
	wantInOrder(t, transcript,
		"📎 I can only read words, not photos or files.",
		"your question is with the team as ticket #1.")
	wantInOrder(t, transcript, "bot → staff room> 💬 #1 Zoe (⚪ low):\n    here is the receipt", "    [file: receipt.pdf, 21 B, sha256 ", "owner> /transcript 1")
	var kept []string
	if err := store.DB().Select(&kept, `SELECT f.name || ' ' || md.type FROM ticket_message_files f JOIN showcase_media md USING (sha256)`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(kept, "|") != "receipt.pdf application/pdf" {
		t.Errorf("kept files %q, want the receipt once, as a PDF", kept)
	}
	saved, err := filepath.Glob(filepath.Join(files, "*question-1.txt"))
	if err != nil || len(saved) != 1 {
		t.Fatalf("transcript files %v, %v", saved, err)
	}
	text, err := os.ReadFile(saved[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "] Zoe: here is the receipt 📎 receipt.pdf (21 B)") {
		t.Errorf("the transcript does not name the file:\n%s", text)
	}
}
