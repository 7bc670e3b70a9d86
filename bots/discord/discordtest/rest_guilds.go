package discordtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

func (s *Server) guildRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /guilds/{gid}", s.getGuild)
	m.HandleFunc("GET /guilds/{gid}/channels", s.getGuildChannels)
	m.HandleFunc("GET /guilds/{gid}/roles", s.getRoles)
	m.HandleFunc("GET /guilds/{gid}/members", s.listMembers)
	m.HandleFunc("GET /guilds/{gid}/members/{uid}", s.getMember)
	m.HandleFunc("PATCH /guilds/{gid}/members/{uid}", s.editMember)
	m.HandleFunc("DELETE /guilds/{gid}/members/{uid}", s.kick)
	m.HandleFunc("PUT /guilds/{gid}/members/{uid}/roles/{rid}", s.addRole)
	m.HandleFunc("DELETE /guilds/{gid}/members/{uid}/roles/{rid}", s.removeRole)
	m.HandleFunc("GET /guilds/{gid}/bans/{uid}", s.getBan)
	m.HandleFunc("PUT /guilds/{gid}/bans/{uid}", s.ban)
	m.HandleFunc("DELETE /guilds/{gid}/bans/{uid}", s.unban)
	m.HandleFunc("DELETE /users/@me/guilds/{gid}", s.leaveGuild)
}

// leaveGuild is the bot leaving a server (Leave Guild): 204, then a
// GUILD_DELETE without "unavailable" on every session.
func (s *Server) leaveGuild(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("gid")
	s.mu.Lock()
	if _, ok := s.guildLocked(w, id); !ok {
		s.mu.Unlock()
		return
	}
	delete(s.guilds, id)
	s.guildOrder = slices.DeleteFunc(s.guildOrder, func(g string) bool { return g == id })
	s.notifyLocked()
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	raw, _ := json.Marshal(map[string]string{"id": id})
	s.broadcast("GUILD_DELETE", raw)
}

// guildLocked returns the stored guild, answering 404 Unknown Guild
// otherwise; s.mu must be held.
func (s *Server) guildLocked(w http.ResponseWriter, id string) (*guildState, bool) {
	gs, ok := s.guilds[id]
	if !ok {
		writeError(w, http.StatusNotFound, 10004, "Unknown Guild")
	}
	return gs, ok
}

// targetLocked returns the guild and the member a request names, answering
// 404 Unknown Guild or Unknown Member otherwise; s.mu must be held.
func (s *Server) targetLocked(w http.ResponseWriter, r *http.Request) (*guildState, *discordgo.Member, bool) {
	gs, ok := s.guildLocked(w, r.PathValue("gid"))
	if !ok {
		return nil, nil, false
	}
	_, m := s.memberLocked(gs.guild.ID, r.PathValue("uid"))
	if m == nil {
		writeError(w, http.StatusNotFound, 10007, "Unknown Member")
		return nil, nil, false
	}
	return gs, m, true
}

func (s *Server) getGuild(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	gs, ok := s.guildLocked(w, r.PathValue("gid"))
	var raw json.RawMessage
	if ok {
		raw = restGuild(gs.guild)
		if r.URL.Query().Get("with_counts") == "true" {
			raw = withCounts(raw, len(gs.guild.Members))
		}
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, raw)
	}
}

// withCounts adds the approximate counts GET /guilds/{id}?with_counts=true
// answers; the fake counts every member as present.
func withCounts(raw json.RawMessage, members int) json.RawMessage {
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return raw
	}
	o["approximate_member_count"] = json.RawMessage(strconv.Itoa(members))
	o["approximate_presence_count"] = json.RawMessage(strconv.Itoa(members))
	b, _ := json.Marshal(o)
	return b
}

// answerGuildPart answers a copy of part of a stored guild.
func (s *Server) answerGuildPart(w http.ResponseWriter, r *http.Request, part func(*discordgo.Guild) any) {
	s.mu.Lock()
	gs, ok := s.guildLocked(w, r.PathValue("gid"))
	var b []byte
	if ok {
		b, _ = json.Marshal(part(gs.guild))
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, json.RawMessage(b))
	}
}

func (s *Server) getGuildChannels(w http.ResponseWriter, r *http.Request) {
	s.answerGuildPart(w, r, func(g *discordgo.Guild) any { return nonNil(g.Channels) })
}

func (s *Server) getRoles(w http.ResponseWriter, r *http.Request) {
	s.answerGuildPart(w, r, func(g *discordgo.Guild) any { return nonNil(g.Roles) })
}

// listMembers answers GET /guilds/{id}/members?limit=&after=, members
// sorted by user id as Discord pages them.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	limit := 1
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fe := formErrors{}
			fe.add("limit", "NUMBER_TYPE_MAX", "int value should be less than or equal to 1000.")
			writeFormErrors(w, fe)
			return
		}
		limit = n
	}
	after, _ := strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)
	s.answerGuildPart(w, r, func(g *discordgo.Guild) any {
		members := slices.Clone(g.Members)
		slices.SortFunc(members, func(a, b *discordgo.Member) int { return compareIDs(a.User.ID, b.User.ID) })
		out := []*discordgo.Member{}
		for _, m := range members {
			if id, _ := strconv.ParseUint(m.User.ID, 10, 64); id > after && len(out) < limit {
				out = append(out, m)
			}
		}
		return out
	})
}

func compareIDs(a, b string) int {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, m, ok := s.targetLocked(w, r)
	var b []byte
	if ok {
		b, _ = json.Marshal(m)
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, json.RawMessage(b))
	}
}

// maxTimeout is how far ahead Discord lets a timeout end.
const maxTimeout = 28 * 24 * time.Hour

// memberEdit is the part of PATCH /guilds/{id}/members/{uid} the fake
// applies; an empty field was not in the body, and null (kept as such)
// clears what it names.
type memberEdit struct {
	Nick    json.RawMessage `json:"nick"`
	Roles   *[]string       `json:"roles"`
	Timeout json.RawMessage `json:"communication_disabled_until"`
}

// editMember changes a member's nick, roles or timeout, with the
// permissions Discord asks for each.
func (s *Server) editMember(w http.ResponseWriter, r *http.Request) {
	var edit memberEdit
	if !decodeJSON(w, r, &edit) {
		return
	}
	until, ok := parseTimeout(w, edit.Timeout)
	if !ok {
		return
	}
	s.mu.Lock()
	gs, m, ok := s.targetLocked(w, r)
	if ok && edit.Timeout != nil {
		ok = s.botMayLocked(w, gs, discordgo.PermissionModerateMembers, m) && timeoutAllowed(w, gs, m, until)
	}
	if ok && edit.Roles != nil {
		ok = s.botMayLocked(w, gs, discordgo.PermissionManageRoles, nil) && s.rolesAllowedLocked(w, gs, m, *edit.Roles)
	}
	if ok && edit.Nick != nil {
		ok = s.botMayLocked(w, gs, discordgo.PermissionManageNicknames, m)
	}
	var update json.RawMessage
	if ok {
		if edit.Timeout != nil {
			m.CommunicationDisabledUntil = until
		}
		if edit.Roles != nil {
			m.Roles = slices.Clone(*edit.Roles)
		}
		if edit.Nick != nil {
			m.Nick = ""
			_ = json.Unmarshal(edit.Nick, &m.Nick) // null clears it
		}
		update = memberWire(gs.guild.ID, m)
		s.notifyLocked()
	}
	s.mu.Unlock()
	if ok {
		s.broadcast("GUILD_MEMBER_UPDATE", update)
		writeJSON(w, http.StatusOK, update)
	}
}

// parseTimeout reads communication_disabled_until: nil (absent or null)
// ends a timeout; a time must lie at most 28 days ahead.
func parseTimeout(w http.ResponseWriter, raw json.RawMessage) (*time.Time, bool) {
	if raw == nil || string(raw) == "null" {
		return nil, true
	}
	var until time.Time
	fe := formErrors{}
	if err := json.Unmarshal(raw, &until); err != nil {
		fe.add("communication_disabled_until", "DATE_TIME_TYPE_PARSE", "Could not parse "+string(raw)+". Should be ISO8601.")
	} else if until.After(time.Now().Add(maxTimeout)) {
		fe.add("communication_disabled_until", "INVALID_COMMUNICATION_DISABLED_TIMESTAMP", "Invalid communication disabled timestamp")
	}
	if len(fe) > 0 {
		writeFormErrors(w, fe)
		return nil, false
	}
	return &until, true
}

// timeoutAllowed: Discord refuses to time out a member who is an
// administrator (ending a timeout is always allowed).
func timeoutAllowed(w http.ResponseWriter, gs *guildState, m *discordgo.Member, until *time.Time) bool {
	if until != nil && until.After(time.Now()) && gs.permissions(m)&discordgo.PermissionAdministrator != 0 {
		missingPermissions(w)
		return false
	}
	return true
}

// rolesAllowedLocked checks a full role list: every role exists, and each
// role added or removed is one the bot may manage.
func (s *Server) rolesAllowedLocked(w http.ResponseWriter, gs *guildState, m *discordgo.Member, roles []string) bool {
	for _, id := range roles {
		if findRole(gs.guild, id) == nil {
			fe := formErrors{}
			fe.add("roles", "UNKNOWN_ROLE", "Unknown role")
			writeFormErrors(w, fe)
			return false
		}
	}
	for _, id := range symmetricDifference(m.Roles, roles) {
		if !s.botOutranksRoleLocked(gs, findRole(gs.guild, id)) {
			missingPermissions(w)
			return false
		}
	}
	return true
}

func symmetricDifference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) addRole(w http.ResponseWriter, r *http.Request)    { s.changeRole(w, r, true) }
func (s *Server) removeRole(w http.ResponseWriter, r *http.Request) { s.changeRole(w, r, false) }

// changeRole gives a member a role or takes it away; both answer 204 even
// when nothing changes, as Discord does.
func (s *Server) changeRole(w http.ResponseWriter, r *http.Request, add bool) {
	s.mu.Lock()
	gs, m, ok := s.targetLocked(w, r)
	var role *discordgo.Role
	if ok {
		if role = findRole(gs.guild, r.PathValue("rid")); role == nil {
			writeError(w, http.StatusNotFound, 10011, "Unknown Role")
			ok = false
		}
	}
	if ok && (!s.botMayLocked(w, gs, discordgo.PermissionManageRoles, nil) || !s.botOutranksRole(w, gs, role)) {
		ok = false
	}
	var update json.RawMessage
	if ok {
		has := slices.Contains(m.Roles, role.ID)
		switch {
		case add && !has:
			m.Roles = append(m.Roles, role.ID)
		case !add && has:
			m.Roles = slices.DeleteFunc(m.Roles, func(id string) bool { return id == role.ID })
		}
		if add != has {
			update = memberWire(gs.guild.ID, m)
			s.notifyLocked()
		}
	}
	s.mu.Unlock()
	if update != nil {
		s.broadcast("GUILD_MEMBER_UPDATE", update)
	}
	if ok {
		noContent(w)
	}
}

func (s *Server) botOutranksRole(w http.ResponseWriter, gs *guildState, role *discordgo.Role) bool {
	if !s.botOutranksRoleLocked(gs, role) {
		missingPermissions(w)
		return false
	}
	return true
}

// kick removes a member from the guild.
func (s *Server) kick(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	gs, m, ok := s.targetLocked(w, r)
	if ok {
		ok = s.botMayLocked(w, gs, discordgo.PermissionKickMembers, m)
	}
	var gone json.RawMessage
	if ok {
		gs.removeMember(m.User.ID)
		gone = userEvent(gs.guild.ID, m.User)
		s.notifyLocked()
	}
	s.mu.Unlock()
	if ok {
		s.broadcast("GUILD_MEMBER_REMOVE", gone)
		noContent(w)
	}
}

func (s *Server) getBan(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	gs, ok := s.guildLocked(w, r.PathValue("gid"))
	var b []byte
	if ok {
		uid := r.PathValue("uid")
		reason, banned := gs.bans[uid]
		if !banned {
			writeError(w, http.StatusNotFound, 10026, "Unknown Ban")
			ok = false
		} else {
			b, _ = json.Marshal(discordgo.GuildBan{Reason: reason, User: s.userLocked(uid)})
		}
	}
	s.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, json.RawMessage(b))
	}
}

// ban bans a user, member or not, removing them from the guild. The reason
// comes from X-Audit-Log-Reason or, as discordgo sends it, ?reason=.
func (s *Server) ban(w http.ResponseWriter, r *http.Request) {
	reason := auditReason(r)
	s.mu.Lock()
	gs, ok := s.guildLocked(w, r.PathValue("gid"))
	uid := r.PathValue("uid")
	var member *discordgo.Member
	if ok {
		_, member = s.memberLocked(gs.guild.ID, uid)
		ok = s.botMayLocked(w, gs, discordgo.PermissionBanMembers, member)
	}
	var banned, gone json.RawMessage
	if ok {
		gs.bans[uid] = reason
		banned = userEvent(gs.guild.ID, s.userLocked(uid))
		if member != nil {
			gs.removeMember(uid)
			gone = banned
		}
		s.notifyLocked()
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	s.broadcast("GUILD_BAN_ADD", banned)
	if gone != nil {
		s.broadcast("GUILD_MEMBER_REMOVE", gone)
	}
	noContent(w)
}

func (s *Server) unban(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	gs, ok := s.guildLocked(w, r.PathValue("gid"))
	uid := r.PathValue("uid")
	if ok {
		ok = s.botMayLocked(w, gs, discordgo.PermissionBanMembers, nil)
	}
	if ok {
		if _, ok = gs.bans[uid]; !ok {
			writeError(w, http.StatusNotFound, 10026, "Unknown Ban")
		}
	}
	var unbanned json.RawMessage
	if ok {
		delete(gs.bans, uid)
		unbanned = userEvent(gs.guild.ID, s.userLocked(uid))
		s.notifyLocked()
	}
	s.mu.Unlock()
	if ok {
		s.broadcast("GUILD_BAN_REMOVE", unbanned)
		noContent(w)
	}
}

// auditReason is the audit log reason a moderation request carries.
func auditReason(r *http.Request) string {
	if reason := r.Header.Get("X-Audit-Log-Reason"); reason != "" {
		return reason
	}
	return r.URL.Query().Get("reason")
}

// memberWire encodes a member as GUILD_MEMBER_UPDATE carries it.
func memberWire(guildID string, m *discordgo.Member) json.RawMessage {
	cp := *m
	cp.GuildID = guildID
	cp.Roles = nonNil(cp.Roles)
	b, err := json.Marshal(&cp)
	if err != nil {
		panic("discordtest: encode member: " + err.Error())
	}
	return b
}

// userEvent encodes {guild_id, user}, the body of ban and removal events.
func userEvent(guildID string, u *discordgo.User) json.RawMessage {
	b, err := json.Marshal(map[string]any{"guild_id": guildID, "user": u})
	if err != nil {
		panic("discordtest: encode user: " + err.Error())
	}
	return b
}

// nonNil makes a nil slice encode as [] rather than null.
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
