package storage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/support"
)

// keepFile keeps data as a ticket's file named name.
func keepFile(t *testing.T, s *storage.Store, data, name string) support.Attachment {
	t.Helper()
	md, err := s.PutMedia(context.Background(), feedback.NewFileReader(strings.NewReader(data), 0))
	if err != nil {
		t.Fatal(err)
	}
	return support.Attachment{Hash: md.Hash.String(), Type: string(md.Type), Name: name, Size: md.Size}
}

// TestTicketFilesAreKeptWithTheirMessageAndErasedWithTheMember: the files
// of a ticket message come back with it, in order and with their type;
// the sweep of unused media spares them; the member's export names them;
// forgetting the member erases the files only their tickets held, and
// keeps one another member's ticket holds too.
func TestTicketFilesAreKeptWithTheirMessageAndErasedWithTheMember(t *testing.T) {
	s, desk, tk, member, staff, at := openedTicket(t)
	ctx := context.Background()
	receipt, shared := keepFile(t, s, "%PDF-1.4\n% receipt\n", "receipt.pdf"), keepFile(t, s, "the size chart\n", "sizes.txt")
	if receipt.Type != "application/pdf" || shared.Type != "text/plain" {
		t.Fatalf("types %q and %q", receipt.Type, shared.Type)
	}
	if _, _, err := desk.FromMemberToStaff(ctx, s, member, support.Said{Files: []support.Attachment{receipt, shared}, Source: "telegram:f1"}); err != nil {
		t.Fatal(err)
	}
	other := recordMembers(t, s, message("3", "300", "-5"))[0]
	theirs, err := desk.Open(ctx, support.Question{Member: other, Platform: community.Telegram, Text: "Which size?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.FromStaffToMember(ctx, s, theirs.ID, staff, "Ann", support.Said{Text: "See the chart", Files: []support.Attachment{shared}, Source: "telegram:f2"}); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Messages(ctx, tk.ID)
	if err != nil || len(msgs) != 1 || len(msgs[0].Files) != 2 || msgs[0].Files[0] != receipt || msgs[0].Files[1] != shared {
		t.Fatalf("messages %+v, %v; want the two files in order", msgs, err)
	}
	if n, err := s.DropUnusedMedia(ctx, at.Add(24*time.Hour*365)); err != nil || n != 0 {
		t.Errorf("the sweep dropped %d files held by tickets, %v", n, err)
	}
	out, err := s.ExportMember(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	export, _ := json.Marshal(out)
	if !bytes.Contains(export, []byte(`"name":"receipt.pdf"`)) || !bytes.Contains(export, []byte(receipt.Hash)) {
		t.Errorf("the export does not name the member's file:\n%s", export)
	}
	if err := s.EraseMember(ctx, community.Erasure{Member: member, At: at}, erasureRules(at)); err != nil {
		t.Fatal(err)
	}
	var kept []string
	if err := s.DB().Select(&kept, `SELECT type FROM showcase_media ORDER BY type`); err != nil || strings.Join(kept, ",") != "text/plain" {
		t.Errorf("files left after forgetting the member: %q %v; want only the one another ticket holds", kept, err)
	}
	if msgs, err := s.Messages(ctx, theirs.ID); err != nil || len(msgs) != 1 || len(msgs[0].Files) != 1 {
		t.Errorf("the other ticket's message %+v, %v", msgs, err)
	}
}

// TestTicketCardsOutliveTheOutboxRetentionWhileOpen: Hearth's message
// about an open ticket in the staff chat still names its ticket after
// outbox.keep_sent, so staff can answer by replying to it; once the
// ticket is closed, the prune deletes it like any other.
func TestTicketCardsOutliveTheOutboxRetentionWhileOpen(t *testing.T) {
	s, desk, tk, _, staff, at := openedTicket(t)
	ctx := context.Background()
	var event int64
	if err := s.DB().Get(&event, `SELECT id FROM outbox_events WHERE kind = $1`, support.EventQuestionAsked); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`INSERT INTO deliveries (event_id, platform, target_key, target, message, status, created_at, sent_at, sent_ids)
VALUES ($1, 'telegram', 'telegram:-5', '{"platform": "telegram", "chat": "-5"}', '{"text": "Question #1"}', 'sent', $2, $2, '{77}')`,
		event, at); err != nil {
		t.Fatal(err)
	}
	posted := func() bool {
		t.Helper()
		id, ok, err := s.PostedTicket(ctx, community.Telegram, "-5", "77")
		if err != nil || ok && id != tk.ID {
			t.Fatalf("posted ticket %d %v %v", id, ok, err)
		}
		return ok
	}
	later := at.Add(30 * 24 * time.Hour)
	if _, _, err := s.PruneOutbox(ctx, later.Add(-7*24*time.Hour)); err != nil || !posted() {
		t.Fatalf("the open ticket's card was pruned (%v)", err)
	}
	if _, err := desk.Close(ctx, tk.ID, staff, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PruneOutbox(ctx, later.Add(-7*24*time.Hour)); err != nil || posted() {
		t.Errorf("the closed ticket's card was kept (%v)", err)
	}
}
