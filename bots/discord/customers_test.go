package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/community"
)

func linkTokens(t *testing.T) *community.LinkTokens {
	t.Helper()
	tokens, err := community.NewLinkTokens("0123456789abcdef0123456789abcdef-link", 24*time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

func stringOption(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

func userOption(name, id string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionUser, Value: id}
}

// TestLinkAndCLVCard: a member links their shop account with /link <code>
// (the answer is only for them); staff then see the member's CLV card with
// /clv in the staff chat, and a member cannot.
func TestLinkAndCLVCard(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	code, _, err := linkTokens(t).Issue("cust-7")
	if err != nil {
		t.Fatal(err)
	}
	r := h.slash(t, h.alice, "link", stringOption("code", code))
	if !r.Ephemeral() || !strings.Contains(r.Data.Content, "your shop account is now linked") {
		t.Fatalf("/link = %q (ephemeral %t)", r.Data.Content, r.Ephemeral())
	}
	if n := h.count(t, `SELECT count(*) FROM customers c JOIN identities i ON i.member_id = c.member_id WHERE c.id = 'cust-7' AND i.platform_user_id = $1`, h.alice.ID); n != 1 {
		t.Fatal("alice is not linked")
	}
	if r := h.slash(t, h.owner, "setstaff"); !strings.Contains(r.Data.Content, "staff chat for Discord") {
		t.Fatalf("setstaff = %q", r.Data.Content)
	}
	if r := h.slash(t, h.owner, "clv", userOption("member", h.alice.ID)); !strings.Contains(r.Data.Content, "not been scored yet") {
		t.Errorf("card before scoring = %q", r.Data.Content)
	}
	if _, err := h.store.DB().Exec(`
WITH m AS (INSERT INTO clv_models (computed_at, observation_end, period, customers, bgnbd, gammagamma)
           VALUES (now(), now(), 'week', 1, '{}', '{}') RETURNING id)
INSERT INTO clv_snapshots (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
    predicted_clv, p_alive, expected_purchases, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, computed_at)
SELECT 'cust-7', id, 5, '2026-01-02', '2026-10-30', 250.5, 200.25, 123.456, 0.87, 2.34, 5, 4, 5, 'Champions', '2026-11-20 03:00Z' FROM m`); err != nil {
		t.Fatal(err)
	}
	card := h.slash(t, h.owner, "clv", userOption("member", h.alice.ID)).Data.Content
	for _, want := range []string{"**alice**", "cust-7", "Orders: 5, the last on 2026-10-30", "Revenue: 250.50", "historical CLV: 200.25",
		"Champions (R5 F4 M5)", "12-month horizon: **123.46**", "Still active: 87%", "expected orders: 2.3"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
	if r := h.slash(t, h.alice, "clv", userOption("member", h.alice.ID)); strings.Contains(r.Data.Content, "cust-7") || strings.Contains(r.Data.Content, "123") {
		t.Errorf("a member saw a CLV card: %q", r.Data.Content)
	}

	// Thin data: the run scored one customer, who has not bought twice.
	if !strings.Contains(card, "Only 1 customer has been scored, so the segment and the R, F and M scores say little yet") ||
		strings.Contains(card, "second time") {
		t.Errorf("card of a run of one customer lacks why its scores say little, or says too much:\n%s", card)
	}
	if _, err := h.store.DB().Exec(`UPDATE clv_snapshots SET repeat_purchases = 0 WHERE customer_id = 'cust-7'`); err != nil {
		t.Fatal(err)
	}
	card = h.slash(t, h.owner, "clv", userOption("member", h.alice.ID)).Data.Content
	if !strings.Contains(card, "alice has not bought a second time yet: the model cannot see a customer leave before a repeat purchase") {
		t.Errorf("card of a one-time buyer does not say why still active is 100%%:\n%s", card)
	}
}
