package telegram_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// TestMyDataAndForgetMe: /mydata sends alice a JSON file of her data;
// /forgetme asks first, and once confirmed no identity, private chat or
// message to her is left, not even the confirmation once it is sent.
func TestMyDataAndForgetMe(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	dm := telegramtest.Private(alice)
	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "hello everyone"))
	h.waitCount(t, `SELECT count(*) FROM activities`, 1)
	h.tg.PushUpdate(h.tg.MessageUpdate(dm, alice, "/mydata"))
	h.tg.WaitCalls(t, "sendDocument", 1, 10*time.Second)
	docs := h.tg.Documents(alice.ID)
	if len(docs) != 1 || !strings.HasSuffix(docs[0].Name, ".json") {
		t.Fatalf("documents sent to alice: %+v", docs)
	}
	var export struct {
		Data map[string][]map[string]any `json:"data"`
	}
	if err := json.Unmarshal(docs[0].Data, &export); err != nil {
		t.Fatalf("the export is not JSON: %v", err)
	}
	if ids := export.Data["identities"]; len(ids) != 1 || ids[0]["platform_user_id"] != "100" || len(export.Data["activities"]) != 1 {
		t.Fatalf("export: %s", docs[0].Data)
	}

	h.tg.PushUpdate(h.tg.MessageUpdate(dm, alice, "/forgetme"))
	confirm := h.waitSent(t, "100", "Erase everything I store")
	if n := h.count(t, `SELECT count(*) FROM identities WHERE platform_user_id = '100'`); n != 1 {
		t.Fatal("erased before confirming")
	}
	var msgID int
	for _, m := range h.tg.Messages(alice.ID) {
		if strings.Contains(m.Text, "Erase everything I store") {
			msgID = m.ID
		}
	}
	_ = confirm
	h.tg.PushUpdate(h.tg.CallbackUpdate(dm, alice, msgID, "forgetme:erase"))
	h.tg.WaitCalls(t, "editMessageText", 1, 10*time.Second)
	if text := h.tg.Calls("editMessageText")[0].Params["text"]; !strings.Contains(text, "everything I stored about you is erased") {
		t.Fatalf("answer to the confirmation: %q", text)
	}
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE target->>'chat' = '100' OR target->>'user' = '100'`, 0)
	for _, q := range []string{
		`SELECT count(*) FROM identities WHERE platform_user_id = '100'`,
		`SELECT count(*) FROM members WHERE display_name = 'Alice'`,
		`SELECT count(*) FROM chats WHERE platform_chat_id = '100'`,
		`SELECT count(*) FROM activities WHERE member_id IS NOT NULL`,
	} {
		if n := h.count(t, q); n != 0 {
			t.Errorf("%s = %d after /forgetme", q, n)
		}
	}
	if n := h.count(t, `SELECT count(*) FROM activities`); n != 1 {
		t.Errorf("activities: %d; her message should stay counted, anonymously", n)
	}
}
