package storage

import (
	"context"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

// OutboxChannel is the PostgreSQL notification channel the outbox tables
// signal on (see the outbox_notify trigger).
const OutboxChannel = "hearth_outbox"

// ListenOutbox signals on the returned channel whenever any replica queues
// outbox work, until ctx ends. Signals coalesce: one pending signal stands
// for any number of notifications. After a lost connection it signals once
// more, since notifications may have been missed.
func ListenOutbox(ctx context.Context, dsn string, log *slog.Logger) (<-chan struct{}, error) {
	wake := make(chan struct{}, 1)
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	l := pq.NewListener(dsn, time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventReconnected:
			signal()
		case pq.ListenerEventConnectionAttemptFailed, pq.ListenerEventDisconnected:
			log.Warn("outbox listener", "event", ev, "error", err)
		}
	})
	if err := l.Listen(OutboxChannel); err != nil {
		_ = l.Close()
		return nil, err
	}
	go func() {
		defer func() { _ = l.Close() }()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-l.Notify:
				_ = n
				signal()
			case <-time.After(90 * time.Second):
				go func() { _ = l.Ping() }()
			}
		}
	}()
	return wake, nil
}
