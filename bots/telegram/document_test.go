package telegram_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

var export = &bots.File{Name: "hearth-data.json", Data: []byte(`{"member":"Alice","messages":42}` + "\n")}

// TestFileReplyIsADocument: a command's reply with a file is one
// sendDocument answering the command: the bytes uploaded under the file's
// name, the text as the HTML caption, the buttons under it.
func TestFileReplyIsADocument(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{commands: []bots.Command{{Name: "export", Permission: community.RoleMember, Where: bots.Anywhere,
		Run: replies(bots.Reply{Text: "Your *data*, as we hold it", File: export, Buttons: moreButton})}}})
	msg := h.tg.MessageUpdate(group, alice, "/export")
	h.tg.PushUpdate(msg)
	c := h.tg.WaitCalls(t, "sendDocument", 1, 10*time.Second)[0]
	if c.Status != 200 {
		t.Fatalf("sendDocument refused: %v", c)
	}
	if !bytes.Equal(c.Files["document"], export.Data) || c.FileNames["document"] != export.Name {
		t.Errorf("uploaded %q as %q; want the file's bytes and name", c.Files["document"], c.FileNames["document"])
	}
	if c.Params["caption"] != "Your <b>data</b>, as we hold it" || c.Params["parse_mode"] != "HTML" {
		t.Errorf("caption = %q in parse mode %q", c.Params["caption"], c.Params["parse_mode"])
	}
	if kb := keyboardOf(t, c); len(kb.InlineKeyboard) != 1 || kb.InlineKeyboard[0][0].CallbackData != "chart:more" {
		t.Errorf("keyboard = %+v", kb)
	}
	var reply models.ReplyParameters
	if err := c.JSON("reply_parameters", &reply); err != nil || reply.MessageID != msg.Message.ID {
		t.Errorf("reply_parameters = %+v, %v; want a reply to %d", reply, err, msg.Message.ID)
	}
	docs := h.tg.Documents(group.ID)
	if len(docs) != 1 {
		t.Fatalf("the group shows %d documents, want 1", len(docs))
	}
	d := docs[0]
	if d.Name != export.Name || !bytes.Equal(d.Data, export.Data) || d.Message.Document.MimeType != "application/json" ||
		d.Message.Caption != "Your data, as we hold it" || len(d.Message.CaptionEntities) != 1 {
		t.Errorf("the group shows %+v (%+v)", d.Message, d.Message.Document)
	}
	h.settled(t)
	if n := len(h.tg.Calls("sendMessage")) + len(h.tg.Calls("sendPhoto")); n != 0 {
		t.Errorf("%d other messages sent with the document", n)
	}
}

// TestLongTextFollowsTheDocument: a text longer than a caption follows the
// document as messages of its own, as it does an image: the document
// without caption answering the command, the text in pieces, the buttons
// under the last one. The outbox records every part sent.
func TestLongTextFollowsTheDocument(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	text := strings.Repeat("Thank you for your orders. ", 200) // 5400 characters: two messages
	err := h.store.QueueMessages(context.Background(), []outbox.Outgoing{{
		Target:  outbox.Target{Platform: community.Telegram, ChatID: "-1001", ReplyTo: "7"},
		Message: bots.Reply{Text: text, File: export, Buttons: moreButton}}})
	if err != nil {
		t.Fatal(err)
	}
	h.svc.Dispatcher.Wake()
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND cardinality(sent_ids) = 3`, 1)
	doc, texts := h.tg.Calls("sendDocument"), h.tg.Calls("sendMessage")
	if len(doc) != 1 || len(texts) != 2 {
		t.Fatalf("sent %d documents and %d messages; want 1 and 2", len(doc), len(texts))
	}
	if doc[0].Params["caption"] != "" || !bytes.Equal(doc[0].Files["document"], export.Data) {
		t.Errorf("document sent with caption %q and %d bytes; want no caption, the file", doc[0].Params["caption"], len(doc[0].Files["document"]))
	}
	if _, replies := doc[0].Params["reply_parameters"]; !replies {
		t.Errorf("the document does not answer message 7")
	}
	var got strings.Builder
	for i, c := range texts {
		got.WriteString(c.Params["text"])
		if _, replies := c.Params["reply_parameters"]; replies {
			t.Errorf("text message %d answers the command too", i+1)
		}
		if kb := keyboardOf(t, c); (len(kb.InlineKeyboard) == 1) != (i == len(texts)-1) {
			t.Errorf("text message %d has keyboard %+v; only the last should", i+1, kb)
		}
	}
	if got.String() != text {
		t.Errorf("the text messages do not add up to the text")
	}
	if _, ok := doc[0].Params["reply_markup"]; ok {
		t.Errorf("the document has the buttons; the last message should")
	}
}

// TestButtonAnsweredWithAFile: pressing a button whose answer carries a
// file stops the button's spinner (no pop-up) and sends the document as a
// new message in the chat, even when the answer asks to edit.
func TestButtonAnsweredWithAFile(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{commands: []bots.Command{{Name: "export", Permission: community.RoleMember, Where: bots.Anywhere,
		Run:    replies(bots.Reply{Text: "Ready when you are", Buttons: [][]bots.Button{{{Label: "Send it", Data: "export:send"}}}}),
		Button: replies(bots.Reply{Text: "Here it is", File: export, Edit: true, Ephemeral: true})}}})
	dm := telegramtest.Private(alice)
	h.tg.PushUpdate(h.tg.MessageUpdate(dm, alice, "/export"))
	h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	offer := h.tg.Messages(alice.ID)[0]
	h.tg.PushUpdate(h.tg.CallbackUpdate(dm, alice, offer.ID, "export:send"))
	c := h.tg.WaitCalls(t, "sendDocument", 1, 10*time.Second)[0]
	answers := h.tg.Calls("answerCallbackQuery")
	if len(answers) != 1 || answers[0].Params["text"] != "" || answers[0].Params["show_alert"] == "true" {
		t.Errorf("button answered with %v; want the spinner stopped, no pop-up", answers)
	}
	if c.Params["chat_id"] != id(alice) || c.Params["caption"] != "Here it is" || c.FileNames["document"] != export.Name {
		t.Errorf("document to %s, caption %q, file %q", c.Params["chat_id"], c.Params["caption"], c.FileNames["document"])
	}
	h.settled(t)
	if n := len(h.tg.Calls("editMessageText")); n != 0 {
		t.Errorf("%d edits: the file should come as a new message", n)
	}
	if msgs := h.tg.Messages(alice.ID); len(msgs) != 2 || msgs[0].Text != "Ready when you are" || msgs[1].Document == nil {
		t.Errorf("alice's chat shows %+v", msgs)
	}
}
