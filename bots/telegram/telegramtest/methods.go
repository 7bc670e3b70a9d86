package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// registry lists the Bot API methods the fake answers, spelled as the Bot
// API spells them; every other method answers 404 like Telegram.
var registry = []struct {
	name string
	h    handler
}{
	{"getMe", (*Server).getMe},
	{"getUpdates", (*Server).getUpdates},
	{"setWebhook", (*Server).setWebhook},
	{"deleteWebhook", (*Server).deleteWebhook},
	{"getWebhookInfo", (*Server).getWebhookInfo},
	{"sendMessage", (*Server).sendMessage},
	{"sendPhoto", (*Server).sendPhoto},
	{"sendDocument", (*Server).sendDocument},
	{"sendVideo", (*Server).sendVideo},
	{"sendAnimation", (*Server).sendAnimation},
	{"sendMediaGroup", (*Server).sendMediaGroup},
	{"editMessageText", (*Server).editMessageText},
	{"editMessageReplyMarkup", (*Server).editMessageReplyMarkup},
	{"deleteMessage", (*Server).deleteMessage},
	{"deleteMessages", (*Server).deleteMessages},
	{"answerCallbackQuery", (*Server).answerCallbackQuery},
	{"sendChatAction", (*Server).sendChatAction},
	{"setMyCommands", (*Server).setMyCommands},
	{"deleteMyCommands", (*Server).deleteMyCommands},
	{"getMyCommands", (*Server).getMyCommands},
	{"getChat", (*Server).getChat},
	{"getChatAdministrators", (*Server).getChatAdministrators},
	{"getChatMember", (*Server).getChatMember},
	{"leaveChat", (*Server).leaveChat},
	{"banChatMember", (*Server).banChatMember},
	{"unbanChatMember", (*Server).unbanChatMember},
	{"restrictChatMember", (*Server).restrictChatMember},
	{"approveChatJoinRequest", (*Server).approveChatJoinRequest},
	{"declineChatJoinRequest", (*Server).declineChatJoinRequest},
	{"createChatInviteLink", (*Server).createChatInviteLink},
	{"getFile", (*Server).getFile},
	{"createForumTopic", (*Server).createForumTopic},
	{"editForumTopic", (*Server).editForumTopic},
	{"closeForumTopic", (*Server).closeForumTopic},
	{"reopenForumTopic", (*Server).reopenForumTopic},
	{"deleteForumTopic", (*Server).deleteForumTopic},
}

// methods maps lower-case method names to their handlers, because Telegram
// matches method names case-insensitively.
var methods = func() map[string]handler {
	m := make(map[string]handler, len(registry))
	for _, r := range registry {
		m[strings.ToLower(r.name)] = r.h
	}
	return m
}()

// canonical spells a known method as the Bot API does, so recorded calls
// compare equal whatever case the client used.
func canonical(method string) string {
	for _, r := range registry {
		if strings.EqualFold(r.name, method) {
			return r.name
		}
	}
	return method
}

func (s *Server) getMe(context.Context, Call) reply { return ok(s.bot) }

// intParam reads an integer parameter; a missing one is 0.
func intParam(c Call, name string) (int64, error) {
	text := strings.TrimSpace(c.Params[name])
	if text == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid %s specified", name)
	}
	return n, nil
}

// boolParam reads a boolean parameter; a missing or malformed one is false.
func boolParam(c Call, name string) bool {
	b, _ := strconv.ParseBool(c.Params[name])
	return b
}

// listParam reads a JSON array of strings, reporting whether it was sent.
func listParam(c Call, name string) ([]string, bool, error) {
	text, present := c.Params[name]
	if !present || text == "" {
		return nil, false, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(text), &list); err != nil {
		return nil, false, fmt.Errorf("can't parse %s JSON array", name)
	}
	return list, true, nil
}

// required answers Telegram's error for a missing parameter, or nil.
func required(c Call, name string) *reply {
	if v := strings.TrimSpace(c.Params[name]); v == "" || v == "null" {
		r := badRequest("%s is empty", name)
		return &r
	}
	return nil
}
