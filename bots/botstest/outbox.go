// Package botstest holds test doubles of the chat layer's interfaces, for
// the tests of several packages.
package botstest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// ErrKilled is what a killed process's outbox answers.
var ErrKilled = errors.New("the process was killed")

// DyingOutbox is an outbox store as a dispatcher sees it from a process
// that may die: once Kill is called nothing it does reaches the database
// any more (no claim, renewal, mark or release), as after a kill -9.
type DyingOutbox struct {
	outbox.Store
	dead atomic.Bool
}

// Kill makes the process dead.
func (s *DyingOutbox) Kill() { s.dead.Store(true) }

// Killed reports whether Kill was called.
func (s *DyingOutbox) Killed() bool { return s.dead.Load() }

// ClaimEvents implements outbox.Store.
func (s *DyingOutbox) ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]outbox.Event, error) {
	if s.Killed() {
		return nil, ErrKilled
	}
	return s.Store.ClaimEvents(ctx, limit, lease)
}

// ClaimDeliveries implements outbox.Store.
func (s *DyingOutbox) ClaimDeliveries(ctx context.Context, p []community.Platform, chats, perChat int, lease time.Duration) ([]outbox.Delivery, error) {
	if s.Killed() {
		return nil, ErrKilled
	}
	return s.Store.ClaimDeliveries(ctx, p, chats, perChat, lease)
}

// RenewClaims implements outbox.Store.
func (s *DyingOutbox) RenewClaims(ctx context.Context, events, deliveries []outbox.ClaimRef, lease time.Duration) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.Store.RenewClaims(ctx, events, deliveries, lease)
}

// ReleaseDeliveries implements outbox.Store.
func (s *DyingOutbox) ReleaseDeliveries(ctx context.Context, dels []outbox.Delivery) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.Store.ReleaseDeliveries(ctx, dels)
}

// PartsSent implements outbox.Store.
func (s *DyingOutbox) PartsSent(ctx context.Context, d outbox.Delivery, ids []string) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.Store.PartsSent(ctx, d, ids)
}

// Delivered implements outbox.Store.
func (s *DyingOutbox) Delivered(ctx context.Context, id int64, ids []string) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.Store.Delivered(ctx, id, ids)
}

// FailedDelivery implements outbox.Store.
func (s *DyingOutbox) FailedDelivery(ctx context.Context, d outbox.Delivery, ids []string, f outbox.Failure) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.Store.FailedDelivery(ctx, d, ids, f)
}
