package discord

import (
	"fmt"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
)

// locales maps catalog languages to Discord's locales.
var locales = map[string][]discordgo.Locale{
	"en": {discordgo.EnglishUS, discordgo.EnglishGB},
	"el": {discordgo.Greek},
	"ru": {discordgo.Russian},
	"pl": {discordgo.Polish},
	"ro": {discordgo.Romanian},
}

// registerCommands replaces the application's slash commands with the
// registry's, in the servers listed in discord.guild_ids (at once) or
// globally (Discord may take up to an hour to show changes).
func (a *Adapter) registerCommands(reg *bots.Registry, defaultLang string) error {
	cmds := a.slashCommands(reg, defaultLang)
	appID := a.session.State.User.ID
	if a.session.State.Application != nil && a.session.State.Application.ID != "" {
		appID = a.session.State.Application.ID
	}
	guilds := a.o.GuildIDs
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	for _, g := range guilds {
		if _, err := a.session.ApplicationCommandBulkOverwrite(appID, g, cmds); err != nil {
			return fmt.Errorf("register slash commands (guild %q): %w", g, err)
		}
	}
	return nil
}

// slashCommands describes the registry as Discord application commands:
// typed options, descriptions in every language, hidden by default from
// members without a staff permission when staff-only.
func (a *Adapter) slashCommands(reg *bots.Registry, defaultLang string) []*discordgo.ApplicationCommand {
	var out []*discordgo.ApplicationCommand
	for _, c := range reg.Commands() {
		contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
		if c.Where&bots.InDirect != 0 {
			contexts = append(contexts, discordgo.InteractionContextBotDM)
		}
		cmd := &discordgo.ApplicationCommand{
			Name: c.Name, Description: a.catalog.Text(defaultLang, "cmd."+c.Name, nil),
			DescriptionLocalizations: a.localized("cmd." + c.Name),
			Contexts:                 &contexts,
		}
		switch c.Permission {
		case community.RoleStaff:
			perm := int64(discordgo.PermissionModerateMembers)
			cmd.DefaultMemberPermissions = &perm
		case community.RoleOwner:
			perm := int64(discordgo.PermissionManageGuild)
			cmd.DefaultMemberPermissions = &perm
		}
		for _, arg := range c.Args {
			key := "arg." + c.Name + "." + arg.Name
			opt := &discordgo.ApplicationCommandOption{Name: arg.Name, Required: arg.Required,
				Description: a.catalog.Text(defaultLang, key, nil), DescriptionLocalizations: *a.localized(key)}
			switch arg.Kind {
			case bots.ArgMember:
				opt.Type = discordgo.ApplicationCommandOptionUser
			case bots.ArgNumber:
				opt.Type = discordgo.ApplicationCommandOptionInteger
			default:
				opt.Type = discordgo.ApplicationCommandOptionString
			}
			for _, choice := range arg.Choices {
				opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{Name: choice, Value: choice})
			}
			cmd.Options = append(cmd.Options, opt)
		}
		out = append(out, cmd)
		if c.MessageMenu {
			out = append(out, &discordgo.ApplicationCommand{Type: discordgo.MessageApplicationCommand,
				Name: a.catalog.Text(defaultLang, "menu."+c.Name, nil), NameLocalizations: a.localized("menu." + c.Name),
				Contexts: &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}, DefaultMemberPermissions: cmd.DefaultMemberPermissions})
		}
	}
	return out
}

// menuCommand is the command a message menu entry stands for, by the
// label it was registered with.
func (a *Adapter) menuCommand(label string) (string, bool) {
	r := a.router.Load()
	if r == nil {
		return "", false
	}
	for _, c := range r.Registry().Commands() {
		if c.MessageMenu && a.catalog.Text(r.DefaultLanguage(), "menu."+c.Name, nil) == label {
			return c.Name, true
		}
	}
	return "", false
}

func (a *Adapter) localized(id string) *map[discordgo.Locale]string {
	out := map[discordgo.Locale]string{}
	for _, lang := range a.catalog.Languages() {
		for _, loc := range locales[lang] {
			out[loc] = a.catalog.Text(lang, id, nil)
		}
	}
	return &out
}
