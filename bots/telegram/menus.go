package telegram

import (
	"context"
	"fmt"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
)

// menu is the command list one scope shows.
type menu struct {
	scope models.BotCommandScope
	show  func(c *bots.Command) bool
}

// registerMenus sets the command menus: members' commands in private and
// group chats, every group command for group administrators (who are
// staff), and every private-chat command in the owners' private chats;
// each in every catalog language, and in the community's language for
// users whose language Hearth does not speak.
func (a *Adapter) registerMenus(ctx context.Context, reg *bots.Registry, defaultLang string) error {
	menus := []menu{
		{&models.BotCommandScopeAllPrivateChats{}, func(c *bots.Command) bool {
			return c.Permission == community.RoleMember && c.Where&bots.InDirect != 0
		}},
		{&models.BotCommandScopeAllGroupChats{}, func(c *bots.Command) bool {
			return c.Permission == community.RoleMember && c.Where&bots.InGroup != 0
		}},
		{&models.BotCommandScopeAllChatAdministrators{}, func(c *bots.Command) bool {
			return c.Where&(bots.InGroup|bots.InStaffChat) != 0
		}},
	}
	for _, owner := range a.ownerChats() {
		menus = append(menus, menu{&models.BotCommandScopeChat{ChatID: owner}, func(c *bots.Command) bool {
			return c.Where&bots.InDirect != 0
		}})
	}
	for _, m := range menus {
		for _, lang := range append([]string{""}, a.catalog.Languages()...) {
			textLang := lang
			if lang == "" {
				textLang = defaultLang
			}
			var cmds []models.BotCommand
			for _, c := range reg.Commands() {
				if m.show(c) {
					cmds = append(cmds, models.BotCommand{Command: c.Name, Description: a.catalog.Text(textLang, "cmd."+c.Name, nil)})
				}
			}
			if _, err := a.bot.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, Scope: m.scope, LanguageCode: lang}); err != nil {
				return fmt.Errorf("setMyCommands (%T, %q): %w", m.scope, lang, err)
			}
		}
	}
	return nil
}
