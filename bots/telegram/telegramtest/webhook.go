package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// Webhook is the webhook the bot has set with setWebhook.
type Webhook struct {
	URL            string
	SecretToken    string
	AllowedUpdates []string
	MaxConnections int
}

// Webhook returns the webhook the bot has set; URL is "" when none is.
func (s *Server) Webhook() Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.webhook
	w.AllowedUpdates = slices.Clone(w.AllowedUpdates)
	return w
}

func (s *Server) setWebhook(ctx context.Context, c Call) reply {
	url := c.Params["url"]
	if url == "" {
		return s.deleteWebhook(ctx, c)
	}
	if !strings.HasPrefix(strings.ToLower(url), "https://") {
		return badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := c.Params["secret_token"]
	if len(secret) > 256 || strings.Trim(secret, tokenChars) != "" {
		return badRequest("secret token contains unallowed characters")
	}
	allowed, hasAllowed, err := listParam(c, "allowed_updates")
	if err != nil {
		return badRequest("%v", err)
	}
	conns, err := intParam(c, "max_connections")
	if err != nil {
		return badRequest("%v", err)
	}
	if conns <= 0 || conns > 100 {
		conns = 40 // Telegram's default
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = Webhook{URL: url, SecretToken: secret, AllowedUpdates: allowed, MaxConnections: int(conns)}
	if hasAllowed {
		s.allowed = allowed
	}
	if boolParam(c, "drop_pending_updates") {
		s.updates = nil
	}
	r := ok(true)
	r.description = "Webhook was set"
	return r
}

// tokenChars are the characters Telegram allows in a webhook secret token.
const tokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

func (s *Server) deleteWebhook(_ context.Context, c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	description := "Webhook is already deleted"
	if s.webhook.URL != "" {
		description = "Webhook was deleted"
	}
	s.webhook = Webhook{}
	if boolParam(c, "drop_pending_updates") {
		s.updates = nil
	}
	r := ok(true)
	r.description = description
	return r
}

func (s *Server) getWebhookInfo(context.Context, Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := models.WebhookInfo{URL: s.webhook.URL, PendingUpdateCount: len(s.updates)}
	if s.webhook.URL != "" {
		info.MaxConnections = s.webhook.MaxConnections
		info.AllowedUpdates = slices.Clone(s.allowed)
	}
	return ok(info)
}

// PostWebhook POSTs u to url as Telegram delivers webhook updates: a JSON
// body, with the X-Telegram-Bot-Api-Secret-Token header when secretToken is
// not "". u gets the next update_id when it has none. The response body is
// already read into memory, so closing it is optional.
func (s *Server) PostWebhook(t testing.TB, url, secretToken string, u models.Update) *http.Response {
	t.Helper()
	s.mu.Lock()
	s.stamp(&u)
	s.mu.Unlock()
	body, err := json.Marshal(&u)
	if err != nil {
		t.Fatalf("telegramtest: marshal update: %v", err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("telegramtest: webhook request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secretToken != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretToken)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("telegramtest: post webhook update %d: %v", u.ID, err)
	}
	data, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatalf("telegramtest: read webhook answer: %v", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp
}
