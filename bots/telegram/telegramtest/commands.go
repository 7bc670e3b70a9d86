package telegramtest

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

const (
	maxCommands       = 100
	maxCommandLen     = 32
	maxDescriptionLen = 256
)

// scopeTypes are the BotCommandScope types, with the ids each needs.
var scopeTypes = map[string]struct{ chat, user bool }{
	"default":                 {},
	"all_private_chats":       {},
	"all_group_chats":         {},
	"all_chat_administrators": {},
	"chat":                    {chat: true},
	"chat_administrators":     {chat: true},
	"chat_member":             {chat: true, user: true},
}

// Commands returns the commands set for scope (nil means the default
// scope) and language code, as getMyCommands answers them.
func (s *Server) Commands(scope models.BotCommandScope, languageCode string) []models.BotCommand {
	scopeJSON := ""
	if scope != nil {
		raw, err := scope.MarshalCustom()
		if err != nil {
			panic("telegramtest: scope does not marshal: " + err.Error())
		}
		scopeJSON = string(raw)
	}
	key, r := commandsKey(scopeJSON, languageCode)
	if r != nil {
		panic("telegramtest: " + r.description)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[key])
}

// commandsKey names the (scope, language) slot commands are stored in, or
// answers Telegram's error for a bad scope or language.
func commandsKey(scopeJSON, lang string) (string, *reply) {
	scope := struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}{Type: "default"}
	if scopeJSON != "" {
		if err := json.Unmarshal([]byte(scopeJSON), &scope); err != nil {
			r := badRequest("can't parse BotCommandScope JSON object")
			return "", &r
		}
	}
	needs, known := scopeTypes[scope.Type]
	chatID := strings.Trim(string(scope.ChatID), `"`)
	switch {
	case !known:
		r := badRequest("unsupported bot command scope type %q", scope.Type)
		return "", &r
	case needs.chat && (chatID == "" || chatID == "null" || chatID == "0"):
		r := badRequest("chat_id is empty")
		return "", &r
	case needs.user && scope.UserID == 0:
		r := badRequest("invalid user_id specified")
		return "", &r
	case lang != "" && !isLanguageCode(lang):
		r := badRequest("invalid language code specified")
		return "", &r
	}
	if !needs.chat {
		chatID = ""
	}
	return scope.Type + "/" + chatID + "/" + strconv.FormatInt(scope.UserID, 10) + "/" + lang, nil
}

// isLanguageCode accepts a two-letter ISO 639-1 code, as Telegram does.
func isLanguageCode(lang string) bool {
	return len(lang) == 2 && strings.Trim(lang, "abcdefghijklmnopqrstuvwxyz") == ""
}

func (s *Server) setMyCommands(_ context.Context, c Call) reply {
	if _, present := c.Params["commands"]; !present {
		return badRequest("parameter \"commands\" is required")
	}
	var commands []models.BotCommand
	if err := c.JSON("commands", &commands); err != nil {
		return badRequest("can't parse commands JSON array")
	}
	if r := checkCommands(commands); r != nil {
		return *r
	}
	key, r := commandsKey(c.Params["scope"], c.Params["language_code"])
	if r != nil {
		return *r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(commands) == 0 {
		delete(s.commands, key) // an empty list clears the slot
	} else {
		s.commands[key] = commands
	}
	return ok(true)
}

// checkCommands answers Telegram's error for a bad command list, or nil.
func checkCommands(commands []models.BotCommand) *reply {
	if len(commands) > maxCommands {
		r := badRequest("BOT_COMMANDS_TOO_MUCH")
		return &r
	}
	for _, cmd := range commands {
		if !isCommand(cmd.Command) {
			r := badRequest("BOT_COMMAND_INVALID")
			return &r
		}
		switch n := utf8.RuneCountInString(strings.TrimSpace(cmd.Description)); {
		case n == 0:
			r := badRequest("command description must be non-empty")
			return &r
		case n > maxDescriptionLen:
			r := badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
			return &r
		}
	}
	return nil
}

// isCommand accepts 1-32 characters of lowercase a-z, digits and '_'.
func isCommand(name string) bool {
	return len(name) >= 1 && len(name) <= maxCommandLen &&
		strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

func (s *Server) deleteMyCommands(_ context.Context, c Call) reply {
	key, r := commandsKey(c.Params["scope"], c.Params["language_code"])
	if r != nil {
		return *r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	return ok(true)
}

// getMyCommands answers exactly the slot asked for: Telegram does not fall
// back to wider scopes or the default language here.
func (s *Server) getMyCommands(_ context.Context, c Call) reply {
	key, r := commandsKey(c.Params["scope"], c.Params["language_code"])
	if r != nil {
		return *r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return ok(append([]models.BotCommand{}, s.commands[key]...))
}
