package community

import (
	"strconv"
	"strings"
)

// MemberRef names a member on a platform, by user id or by username.
type MemberRef struct {
	UserID   string
	Username string
	Text     string // as written, for messages
}

// ParseMemberRef reads @username, <@id> / <@!id> (Discord mentions), a
// numeric user id or a bare username.
func ParseMemberRef(s string) MemberRef {
	s = strings.TrimSpace(s)
	ref := MemberRef{Text: s}
	inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "<@"), "!"), ">")
	switch {
	case strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">") && isDigits(inner):
		ref.UserID = inner
	case strings.HasPrefix(s, "@"):
		ref.Username = s[1:]
	case isDigits(s):
		ref.UserID = s
	default:
		ref.Username = s
	}
	return ref
}

func isDigits(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}
