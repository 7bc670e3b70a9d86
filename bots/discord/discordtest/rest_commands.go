package discordtest

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/bwmarrin/discordgo"
)

func (s *Server) commandRoutes(m *http.ServeMux) {
	for _, base := range []string{"/applications/{app}/commands", "/applications/{app}/guilds/{gid}/commands"} {
		m.HandleFunc("GET "+base, s.listCommands)
		m.HandleFunc("PUT "+base, s.overwriteCommands)
		m.HandleFunc("POST "+base, s.createCommand)
		m.HandleFunc("GET "+base+"/{cid}", s.getCommand)
		m.HandleFunc("DELETE "+base+"/{cid}", s.deleteCommand)
	}
}

// commandScopeLocked returns the key of the command list a request names
// ("" for global commands, else the guild id), answering 403 Missing
// Access for another application or a guild the bot is not in.
func (s *Server) commandScopeLocked(w http.ResponseWriter, r *http.Request) (string, bool) {
	gid := r.PathValue("gid")
	if _, inGuild := s.guilds[gid]; r.PathValue("app") != s.ApplicationID() || (gid != "" && !inGuild) {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
		return "", false
	}
	return gid, true
}

func (s *Server) listCommands(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	scope, ok := s.commandScopeLocked(w, r)
	b, _ := json.Marshal(nonNil(s.commands[scope]))
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, json.RawMessage(b))
	}
}

func (s *Server) getCommand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	scope, ok := s.commandScopeLocked(w, r)
	var b []byte
	if ok {
		i := slices.IndexFunc(s.commands[scope], func(c *discordgo.ApplicationCommand) bool { return c.ID == r.PathValue("cid") })
		if ok = i >= 0; ok {
			b, _ = json.Marshal(s.commands[scope][i])
		} else {
			writeError(w, http.StatusNotFound, 10063, "Unknown application command")
		}
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, json.RawMessage(b))
	}
}

// overwriteCommands replaces the whole command list. A command keeps its
// id when one of the same type and name existed, as on Discord.
func (s *Server) overwriteCommands(w http.ResponseWriter, r *http.Request) {
	var cmds []*discordgo.ApplicationCommand
	if !decodeJSON(w, r, &cmds) {
		return
	}
	fe := formErrors{}
	validateCommands(fe, cmds)
	if len(fe) > 0 {
		writeFormErrors(w, fe)
		return
	}
	s.mu.Lock()
	scope, ok := s.commandScopeLocked(w, r)
	var b []byte
	if ok {
		for _, c := range cmds {
			s.registerLocked(scope, c)
		}
		s.commands[scope] = cmds
		b, _ = json.Marshal(nonNil(cmds))
		s.notifyLocked()
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, json.RawMessage(b))
	}
}

// createCommand adds one command, or replaces the one of the same type and
// name (200 then, 201 for a new one).
func (s *Server) createCommand(w http.ResponseWriter, r *http.Request) {
	var c discordgo.ApplicationCommand
	if !decodeJSON(w, r, &c) {
		return
	}
	fe := formErrors{}
	validateCommand(fe, "", &c)
	if len(fe) > 0 {
		writeFormErrors(w, fe)
		return
	}
	s.mu.Lock()
	scope, ok := s.commandScopeLocked(w, r)
	status := http.StatusCreated
	var b []byte
	if ok {
		cmds := s.commands[scope]
		if i := s.registerLocked(scope, &c); i >= 0 {
			cmds[i], status = &c, http.StatusOK
		} else {
			cmds = append(cmds, &c)
		}
		s.commands[scope] = cmds
		b, _ = json.Marshal(&c)
		s.notifyLocked()
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, status, json.RawMessage(b))
	}
}

// registerLocked fills in what Discord sets on a stored command and
// returns the index of the command it replaces, or -1.
func (s *Server) registerLocked(scope string, c *discordgo.ApplicationCommand) int {
	c.Type = commandType(c)
	c.ApplicationID, c.GuildID, c.Version = s.ApplicationID(), scope, NewID()
	i := slices.IndexFunc(s.commands[scope], func(old *discordgo.ApplicationCommand) bool {
		return old.Type == c.Type && old.Name == c.Name
	})
	c.ID = NewID()
	if i >= 0 {
		c.ID = s.commands[scope][i].ID
	}
	return i
}

func (s *Server) deleteCommand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	scope, ok := s.commandScopeLocked(w, r)
	if ok {
		n := len(s.commands[scope])
		s.commands[scope] = slices.DeleteFunc(s.commands[scope], func(c *discordgo.ApplicationCommand) bool { return c.ID == r.PathValue("cid") })
		if ok = len(s.commands[scope]) != n; !ok {
			writeError(w, http.StatusNotFound, 10063, "Unknown application command")
		}
		s.notifyLocked()
	}
	s.mu.Unlock()
	if ok {
		noContent(w)
	}
}

// commandLocked finds the registered chat command a user can run by name
// in a guild: the guild's own first, then the global one.
func (s *Server) commandLocked(guildID, name string) *discordgo.ApplicationCommand {
	return s.commandOfTypeLocked(guildID, name, discordgo.ChatApplicationCommand)
}

func (s *Server) commandOfTypeLocked(guildID, name string, typ discordgo.ApplicationCommandType) *discordgo.ApplicationCommand {
	for _, scope := range []string{guildID, ""} {
		for _, c := range s.commands[scope] {
			if c.Name == name && c.Type == typ {
				return c
			}
		}
	}
	return nil
}
