package bots

import (
	"context"

	"github.com/hearthbot/hearth/outbox"
)

// Sender delivers messages on one platform. Send returns the platform ids
// of every part sent, including those of an earlier attempt, even when it
// fails part way; it calls outbox.Delivery.Accepted after each part. It waits for
// the platform's rate limits itself.
type Sender interface {
	Send(ctx context.Context, d outbox.Delivery) ([]string, error)
}
