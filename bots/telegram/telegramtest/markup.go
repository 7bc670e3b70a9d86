package telegramtest

import (
	"bytes"
	"encoding/json"

	"github.com/go-telegram/bot/models"
)

const (
	maxCallbackData = 64 // bytes
	maxPlaceholder  = 64 // characters of input_field_placeholder
)

// buttonActions are the inline button fields of which Telegram wants one.
// copy_text counts only with text, because go-telegram/bot always sends it.
var buttonActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"callback_game", "pay", "copy_text",
}

// CheckMarkup validates a reply_markup field as Telegram does. It returns
// the inline keyboard to echo in the sent message (nil for other markups),
// and the markup in compact form, to tell whether an edit changes it.
func CheckMarkup(text string) (*models.InlineKeyboardMarkup, string, *reply) {
	if text == "" {
		return nil, "", nil
	}
	var compact bytes.Buffer
	var fields struct {
		InlineKeyboard [][]map[string]json.RawMessage `json:"inline_keyboard"`
		Placeholder    string                         `json:"input_field_placeholder"`
	}
	if json.Compact(&compact, []byte(text)) != nil || json.Unmarshal([]byte(text), &fields) != nil {
		r := badRequest("can't parse reply keyboard markup JSON object")
		return nil, "", &r
	}
	// force_reply and reply keyboards: only the placeholder has a limit.
	if utf16Len(fields.Placeholder) > maxPlaceholder {
		r := badRequest("input field placeholder is too long")
		return nil, "", &r
	}
	if fields.InlineKeyboard == nil {
		return nil, compact.String(), nil
	}
	for _, row := range fields.InlineKeyboard {
		for _, button := range row {
			if r := checkButton(button); r != nil {
				return nil, "", r
			}
		}
	}
	var keyboard models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(text), &keyboard); err != nil {
		r := badRequest("can't parse inline keyboard button: %v", err)
		return nil, "", &r
	}
	return &keyboard, compact.String(), nil
}

// checkButton answers Telegram's error for an inline button, or nil.
func checkButton(button map[string]json.RawMessage) *reply {
	var text string
	if json.Unmarshal(button["text"], &text) != nil || text == "" {
		r := badRequest("can't parse inline keyboard button: Text must be non-empty")
		return &r
	}
	var data string
	if raw, ok := button["callback_data"]; ok {
		if json.Unmarshal(raw, &data) != nil {
			r := badRequest("can't parse inline keyboard button: Field \"callback_data\" must be of type String")
			return &r
		}
		if len(data) > maxCallbackData {
			r := badRequest("BUTTON_DATA_INVALID")
			return &r
		}
	}
	if !hasAction(button) {
		r := badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
		return &r
	}
	return nil
}

func hasAction(button map[string]json.RawMessage) bool {
	for _, name := range buttonActions {
		raw, ok := button[name]
		if !ok {
			continue
		}
		if name == "copy_text" {
			var copyText struct{ Text string }
			if json.Unmarshal(raw, &copyText) != nil || copyText.Text == "" {
				continue
			}
		}
		switch string(raw) {
		case `""`, "null", "false":
		default:
			return true
		}
	}
	return false
}
