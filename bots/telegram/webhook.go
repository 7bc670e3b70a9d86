package telegram

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"

	"github.com/go-telegram/bot/models"
)

// maxWebhookBody bounds an update's size; Telegram's are far smaller.
const maxWebhookBody = 1 << 20

// WebhookHandler takes Telegram's webhook calls. It checks the secret
// token in constant time (401 when wrong), records the update and only
// then answers 200; handling follows from the inbox. An update that could
// not be recorded before the call ended gets a 500 and Telegram sends it
// again.
func (a *Adapter) WebhookHandler() http.Handler {
	secret := []byte(a.o.WebhookSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(req.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if len(secret) == 0 || subtle.ConstantTimeCompare(got, secret) != 1 {
			http.Error(w, "wrong or missing X-Telegram-Bot-Api-Secret-Token", http.StatusUnauthorized)
			return
		}
		var u models.Update
		body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxWebhookBody))
		if err == nil {
			err = json.Unmarshal(body, &u)
		}
		if err != nil || u.ID == 0 {
			http.Error(w, "the body is not a Telegram update", http.StatusBadRequest)
			return
		}
		r := a.router.Load()
		if r == nil {
			http.Error(w, "Hearth is starting; try again", http.StatusServiceUnavailable)
			return
		}
		if err := a.receive(req.Context(), r, &u); err != nil {
			a.log.Error("telegram webhook update not recorded", "update", u.ID, "error", err)
			http.Error(w, "not recorded; send it again", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
