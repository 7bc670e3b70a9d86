package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

const telegramToken = "424242:hearth-process-test"

// TestRunServesTelegramByPolling runs hearth with a Telegram token against
// the fake Bot API: a member's /help is answered and Ctrl-C stops it.
func TestRunServesTelegramByPolling(t *testing.T) {
	tg := telegramtest.New(t, telegramToken)
	p := startHearth(t, map[string]string{
		"DATABASE_URL": storagetest.URL(t), "HEARTH_HTTP_ADDR": "127.0.0.1:0",
		"TELEGRAM_BOT_TOKEN": telegramToken, "TELEGRAM_API_URL": tg.URL(), "HEARTH_OWNERS": "telegram:1", "TELEGRAM_GROUPS": "-100",
	}, "run")
	p.waitForLog(t, "Hearth is running; stop it with Ctrl-C")
	tg.PushUpdate(tg.MessageUpdate(telegramtest.Supergroup(-100, "Tea"), telegramtest.User(7, "Alice"), "/help"))
	calls := tg.WaitCalls(t, "sendMessage", 1, 30*time.Second)
	if !strings.Contains(calls[0].Params["text"], "/help") {
		t.Errorf("reply = %q", calls[0].Params["text"])
	}
	if len(tg.Calls("setMyCommands")) == 0 {
		t.Error("no command menus registered")
	}
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.waitExit(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d after Ctrl-C; stderr:\n%s", code, p.stderr)
	}
}

// TestRunServesTelegramWebhook runs hearth in webhook mode: it sets the
// webhook, answers 401 to a wrong secret and handles a signed update.
func TestRunServesTelegramWebhook(t *testing.T) {
	tg := telegramtest.New(t, telegramToken)
	p := startHearth(t, map[string]string{
		"DATABASE_URL": storagetest.URL(t), "HEARTH_HTTP_ADDR": "127.0.0.1:0",
		"TELEGRAM_BOT_TOKEN": telegramToken, "TELEGRAM_API_URL": tg.URL(), "TELEGRAM_MODE": "webhook", "TELEGRAM_GROUPS": "-100",
		"TELEGRAM_WEBHOOK_URL": "https://hearth.example/api/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": "hook-secret",
	}, "run")
	base := p.waitForLog(t, "Hearth is running; stop it with Ctrl-C")["http"].(string)
	tg.WaitCalls(t, "setWebhook", 1, 30*time.Second)
	u := tg.MessageUpdate(telegramtest.Supergroup(-100, "Tea"), telegramtest.User(7, "Alice"), "/start")
	u.ID = 99
	if resp := tg.PostWebhook(t, base+"/api/telegram/webhook", "nope", u); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d, want 401", resp.StatusCode)
	}
	if resp := tg.PostWebhook(t, base+"/api/telegram/webhook", "hook-secret", u); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed update: %d, want 200", resp.StatusCode)
	}
	if calls := tg.WaitCalls(t, "sendMessage", 1, 30*time.Second); !strings.Contains(calls[0].Params["text"], "Alice") {
		t.Errorf("reply = %q", calls[0].Params["text"])
	}
}

// TestRunServesOrderWebhooks: with shop.webhook_secret set, a signed order
// posted to /api/orders is stored; a badly signed one is refused.
func TestRunServesOrderWebhooks(t *testing.T) {
	dsn := storagetest.URL(t)
	p := startHearth(t, map[string]string{"DATABASE_URL": dsn, "HEARTH_HTTP_ADDR": "127.0.0.1:0", "HEARTH_SHOP_WEBHOOK_SECRET": "shop-secret"}, "run")
	base := p.waitForLog(t, "Hearth is running; stop it with Ctrl-C")["http"].(string)
	body := []byte(`{"order_id":"A-1","customer_id":"C-9","ordered_at":"2026-11-01","amount":"19.90","currency":"EUR"}`)
	mac := hmac.New(sha256.New, []byte("shop-secret"))
	mac.Write(body)
	for sig, want := range map[string]int{"sha256=" + hex.EncodeToString(mac.Sum(nil)): http.StatusOK, "sha256=00": http.StatusUnauthorized} {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/orders", bytes.NewReader(body))
		req.Header.Set("X-Hearth-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("signature %s: %d, want %d", sig, resp.StatusCode, want)
		}
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM orders WHERE id = 'A-1' AND source = 'api' AND amount = 19.90`); n != 1 {
		t.Errorf("the signed order was not stored")
	}
}
