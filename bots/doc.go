// Package bots is where members and staff meet Hearth: it turns Telegram,
// Discord and console messages into platform-neutral updates, routes
// commands with their permissions, renders replies and delivers outbound
// events. Its platform adapters live in bots/telegram, bots/discord and
// bots/console.
package bots
