package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage/storagetest"
)

const testLinkSecret = "0123456789abcdef0123456789abcdef"

// TestLinkURLPrintsVerifiableLinks: the Telegram deep link carries the
// bot's username (asked with getMe) and a token that verifies to the
// customer; without a secret or a customer the command explains itself.
func TestLinkURLPrintsVerifiableLinks(t *testing.T) {
	dsn := storagetest.URL(t)
	if code, _, stderr := inProcess(t, map[string]string{"DATABASE_URL": dsn}, "import", "orders",
		writeTemp(t, "o.csv", "order_id,customer_id,ordered_at,amount\n1,C-1001,2026-01-05,10\n2,C-1,2026-01-05,10\n")); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	tg := telegramtest.New(t, telegramToken)
	env := map[string]string{"DATABASE_URL": dsn, "HEARTH_LINK_SECRET": testLinkSecret, "TELEGRAM_BOT_TOKEN": telegramToken, "TELEGRAM_API_URL": tg.URL()}
	code, stdout, stderr := inProcess(t, env, "link-url", "--customer", "C-1001", "--json")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out linkURL
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	u, err := url.Parse(out.Telegram)
	if err != nil || u.Host != "t.me" || u.Path != "/hearth_test_bot" || u.Query().Get("start") != out.Token {
		t.Fatalf("telegram link %q", out.Telegram)
	}
	if out.Discord != "/link "+out.Token || len(out.Token) > 64 {
		t.Errorf("discord %q, token of %d characters", out.Discord, len(out.Token))
	}
	tokens, _ := community.NewLinkTokens(testLinkSecret, time.Hour, func() time.Time { return testNow })
	if customer, err := tokens.Verify(out.Token); err != nil || customer != "C-1001" {
		t.Errorf("token verifies to %q, %v", customer, err)
	}
	if d := out.Expires.Sub(testNow); d != 30*24*time.Hour {
		t.Errorf("expires in %s, want link.ttl (30 days)", d)
	}

	checkLinkURLRefusals(t, dsn)
}

// checkLinkURLRefusals: link-url without a Telegram bot, for a customer
// Hearth does not know, and with bad arguments.
func checkLinkURLRefusals(t *testing.T, dsn string) {
	t.Helper()
	// Without a Telegram bot there is no deep link, and it says why.
	noTelegram := map[string]string{"DATABASE_URL": dsn, "HEARTH_LINK_SECRET": testLinkSecret}
	code, stdout, stderr := inProcess(t, noTelegram, "link-url", "--customer", "C-1")
	if code != 0 || strings.Contains(stdout, "Telegram:") || !strings.Contains(stdout, "Discord:  /link ") ||
		!strings.Contains(stderr, "no Telegram link: telegram.token is not set") {
		t.Errorf("without a Telegram bot: exit %d, %q, %q", code, stdout, stderr)
	}

	// A customer Hearth has no order of is refused, unless allowed.
	code, stdout, stderr = inProcess(t, noTelegram, "link-url", "--customer", "C-404")
	if code != 2 || stdout != "" || !strings.Contains(stderr, `Hearth knows no customer "C-404"`) || !strings.Contains(stderr, "--allow-unknown") {
		t.Errorf("unknown customer: exit %d, %q, %q", code, stdout, stderr)
	}
	code, stdout, _ = inProcess(t, map[string]string{"HEARTH_LINK_SECRET": testLinkSecret}, "link-url", "--customer", "C-404", "--allow-unknown")
	if code != 0 || !strings.Contains(stdout, "Discord:  /link ") {
		t.Errorf("--allow-unknown: exit %d, %q", code, stdout)
	}
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--customer", "C-1"}, "link.secret is not set"},
		{map[string]string{"HEARTH_LINK_SECRET": testLinkSecret}, nil, "--customer is required"},
		{map[string]string{"HEARTH_LINK_SECRET": testLinkSecret}, []string{"--customer", strings.Repeat("x", 40)}, "at most 31 fit in a Telegram link"},
	} {
		code, _, stderr := inProcess(t, c.env, append([]string{"link-url"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("link-url %v: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
