package storage

import (
	"github.com/hearthbot/hearth/community"
)

// notFound is the domain's not-found error, with a message key.
func notFound(key string, data map[string]any, format string, args ...any) error {
	return community.Errorf(community.ENotFound, key, data, format, args...)
}
