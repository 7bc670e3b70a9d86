package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// masked stands in for a secret value wherever a configuration is shown.
const masked = "********"

// Secret is a configuration value that must never be printed or logged.
// Formatting, YAML, JSON and slog all show it masked; Value gives it to the
// one piece of code that needs it.
type Secret string

// Value returns the secret itself, for the code that uses it.
func (s Secret) Value() string { return string(s) }

// String masks the secret so that %s and %v never reveal it.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return masked
}

// GoString masks the secret for %#v.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// MarshalYAML masks the secret when a configuration is printed.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON masks the secret in JSON output.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// LogValue masks the secret in structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// DSN is a PostgreSQL connection string (a postgres:// URL or key=value
// pairs). It is shown with its password masked.
type DSN string

// Value returns the connection string itself, for the database driver. A
// URL's scheme is lower-cased: schemes are case-insensitive, but the driver
// only recognises postgres:// and postgresql://.
func (d DSN) Value() string {
	s := string(d)
	if isURLDSN(s) {
		scheme, rest, _ := strings.Cut(s, "://")
		return strings.ToLower(scheme) + "://" + rest
	}
	return s
}

// String returns the connection string with any password masked.
func (d DSN) String() string { return RedactDSN(string(d)) }

// GoString masks the password for %#v.
func (d DSN) GoString() string { return strconv.Quote(d.String()) }

// MarshalYAML masks the password when a configuration is printed.
func (d DSN) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalJSON masks the password in JSON output.
func (d DSN) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(d.String())), nil }

// LogValue masks the password in structured logs.
func (d DSN) LogValue() slog.Value { return slog.StringValue(d.String()) }

var dsnPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)`)

// RedactDSN returns a PostgreSQL connection string with its password masked,
// so that it can be shown in messages and logs.
func RedactDSN(dsn string) string {
	if dsn == "" {
		return ""
	}
	if !isURLDSN(dsn) {
		return dsnPassword.ReplaceAllString(dsn, "${1}"+masked)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(an unreadable URL, hidden)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), masked)
	}
	q := u.Query()
	for key := range q {
		if strings.EqualFold(key, "password") {
			q.Set(key, masked)
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// HideDSNPassword masks, in a message that a driver may have built from dsn,
// every piece of dsn that RedactDSN does not show: the password.
func HideDSNPassword(msg, dsn string) string {
	shown := RedactDSN(dsn)
	isSeparator := func(r rune) bool { return strings.ContainsRune(":@/?&= '", r) }
	for _, part := range strings.FieldsFunc(dsn, isSeparator) {
		if len(part) >= 4 && !strings.Contains(shown, part) {
			msg = strings.ReplaceAll(msg, part, masked)
		}
	}
	return msg
}

// isURLDSN says whether dsn is a postgres:// or postgresql:// URL, the
// scheme in any case.
func isURLDSN(dsn string) bool {
	scheme, _, ok := strings.Cut(dsn, "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

// Owner is a platform account that owns the community.
type Owner struct {
	Platform string
	UserID   string
}

// String returns the owner as platform:user_id.
func (o Owner) String() string { return o.Platform + ":" + o.UserID }

// Platforms are the chat platforms an owner can be named on.
var Platforms = []string{"telegram", "discord"}

// ParseOwner reads an owner written as platform:user_id, such as
// telegram:123456.
func ParseOwner(s string) (Owner, error) {
	platform, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Owner{}, fmt.Errorf("%q is not platform:user_id (such as telegram:123456)", s)
	}
	platform = strings.ToLower(platform)
	if !slices.Contains(Platforms, platform) {
		return Owner{}, fmt.Errorf("%q: unknown platform %q (want %s)", s, platform, strings.Join(Platforms, " or "))
	}
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return Owner{}, fmt.Errorf("%q: the user id must be a positive number", s)
	}
	return Owner{Platform: platform, UserID: id}, nil
}
