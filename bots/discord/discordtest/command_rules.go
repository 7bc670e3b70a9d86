package discordtest

import (
	"regexp"
	"slices"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// Discord's rules for application commands,
// https://discord.com/developers/docs/interactions/application-commands.

// chatCommandName is Discord's rule for slash command and option names:
// 1-32 characters, lowercase where a letter has a lowercase form.
var chatCommandName = regexp.MustCompile(`^[-_'\p{Ll}\p{Lm}\p{Lo}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// locales are the locales Discord accepts as localization keys; discordgo
// lists all of them but Indonesian.
var locales = func() map[discordgo.Locale]bool {
	out := map[discordgo.Locale]bool{"id": true}
	for l := range discordgo.Locales {
		if l != discordgo.Unknown {
			out[l] = true
		}
	}
	return out
}()

// validateCommands checks a bulk overwrite: names unique per type, at most
// 100 slash commands, each command valid.
func validateCommands(fe formErrors, cmds []*discordgo.ApplicationCommand) {
	seen := map[string]bool{}
	slash := 0
	for i, c := range cmds {
		path := strconv.Itoa(i)
		typ := commandType(c)
		if typ == discordgo.ChatApplicationCommand {
			slash++
		}
		key := strconv.Itoa(int(typ)) + "/" + c.Name
		if seen[key] {
			fe.add(path+".name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
		validateCommand(fe, path, c)
	}
	if slash > 100 {
		fe.add("", "APPLICATION_COMMANDS_MAX_EXCEEDED", "Maximum number of application commands reached (100)")
	}
}

func commandType(c *discordgo.ApplicationCommand) discordgo.ApplicationCommandType {
	if c.Type == 0 {
		return discordgo.ChatApplicationCommand
	}
	return c.Type
}

func validateCommand(fe formErrors, path string, c *discordgo.ApplicationCommand) {
	names, descriptions := deref(c.NameLocalizations), deref(c.DescriptionLocalizations)
	if commandType(c) != discordgo.ChatApplicationCommand {
		fe.length(join(path, "name"), c.Name, 1, 32)
		validateLocalizations(fe, join(path, "name_localizations"), names, func(p, v string) { fe.length(p, v, 1, 32) })
		if c.Description != "" || len(c.Options) > 0 {
			fe.add(join(path, "description"), "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION_INVALID", "Context menu commands cannot have description")
		}
		return
	}
	commandName(fe, join(path, "name"), c.Name)
	validateLocalizations(fe, join(path, "name_localizations"), names, func(p, v string) { commandName(fe, p, v) })
	fe.length(join(path, "description"), c.Description, 1, 100)
	validateLocalizations(fe, join(path, "description_localizations"), descriptions, func(p, v string) { fe.length(p, v, 1, 100) })
	validateOptions(fe, join(path, "options"), c.Options, 0)
}

func commandName(fe formErrors, path, name string) {
	if !chatCommandName.MatchString(name) {
		fe.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
	}
}

// validateLocalizations checks that every key is a Discord locale and
// every value passes check.
func validateLocalizations(fe formErrors, path string, m map[discordgo.Locale]string, check func(path, value string)) {
	for l, v := range m {
		p := join(path, string(l))
		if !locales[l] {
			fe.add(p, "ENUM_TYPE_COERCE", strconv.Quote(string(l))+" is not a valid locale.")
			continue
		}
		check(p, v)
	}
}

func deref(m *map[discordgo.Locale]string) map[discordgo.Locale]string {
	if m == nil {
		return nil
	}
	return *m
}

func isSubCommand(o *discordgo.ApplicationCommandOption) bool {
	return o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup
}

// validateOptions checks the options under parent (0 for the command
// itself): groups may appear only at the top, subcommands at the top or in
// a group, plain options at the top or in a subcommand, and subcommands
// never mix with plain options.
func validateOptions(fe formErrors, path string, opts []*discordgo.ApplicationCommandOption, parent discordgo.ApplicationCommandOptionType) {
	fe.count(path, len(opts), 0, 25)
	subs := slices.IndexFunc(opts, isSubCommand) >= 0
	seen := map[string]bool{}
	optional := false
	for i, o := range opts {
		op := path + "." + strconv.Itoa(i)
		if seen[o.Name] {
			fe.add(op+".name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
		}
		seen[o.Name] = true
		if subs != isSubCommand(o) || !allowedUnder(parent, o.Type) {
			fe.add(op+".type", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command and sub-command group option types are mutually exclusive to all other types")
		}
		if o.Required && optional {
			fe.add(op+".required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
		}
		optional = optional || !o.Required
		validateOption(fe, op, o)
	}
}

func allowedUnder(parent, typ discordgo.ApplicationCommandOptionType) bool {
	switch typ {
	case discordgo.ApplicationCommandOptionSubCommandGroup:
		return parent == 0
	case discordgo.ApplicationCommandOptionSubCommand:
		return parent == 0 || parent == discordgo.ApplicationCommandOptionSubCommandGroup
	}
	return parent == 0 || parent == discordgo.ApplicationCommandOptionSubCommand
}

// choiceTypes are the option types that may offer choices.
var choiceTypes = []discordgo.ApplicationCommandOptionType{discordgo.ApplicationCommandOptionString,
	discordgo.ApplicationCommandOptionInteger, discordgo.ApplicationCommandOptionNumber}

func validateOption(fe formErrors, op string, o *discordgo.ApplicationCommandOption) {
	commandName(fe, op+".name", o.Name)
	validateLocalizations(fe, op+".name_localizations", o.NameLocalizations, func(p, v string) { commandName(fe, p, v) })
	fe.length(op+".description", o.Description, 1, 100)
	validateLocalizations(fe, op+".description_localizations", o.DescriptionLocalizations, func(p, v string) { fe.length(p, v, 1, 100) })
	if o.Type < discordgo.ApplicationCommandOptionSubCommand || o.Type > discordgo.ApplicationCommandOptionAttachment {
		fe.add(op+".type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
	}
	fe.count(op+".choices", len(o.Choices), 0, 25)
	if len(o.Choices) > 0 && !slices.Contains(choiceTypes, o.Type) {
		fe.add(op+".choices", "APPLICATION_COMMAND_OPTION_CHOICES_INVALID", "Choices are only allowed for string, integer and number options")
	}
	if len(o.Choices) > 0 && o.Autocomplete {
		fe.add(op+".autocomplete", "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_INVALID", "Autocomplete and choices are mutually exclusive")
	}
	for j, ch := range o.Choices {
		cp := op + ".choices." + strconv.Itoa(j)
		fe.length(cp+".name", ch.Name, 1, 100)
		validateLocalizations(fe, cp+".name_localizations", ch.NameLocalizations, func(p, v string) { fe.length(p, v, 1, 100) })
	}
	if o.MinLength != nil && (*o.MinLength < 0 || *o.MinLength > 6000) {
		fe.add(op+".min_length", "NUMBER_TYPE_MAX", "int value should be less than or equal to 6000.")
	}
	if o.MaxLength < 0 || o.MaxLength > 6000 {
		fe.add(op+".max_length", "NUMBER_TYPE_MAX", "int value should be less than or equal to 6000.")
	}
	if isSubCommand(o) {
		validateOptions(fe, op+".options", o.Options, o.Type)
	} else if len(o.Options) > 0 {
		fe.add(op+".options", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Only sub-commands and groups may have options")
	}
}
