// Package botstest holds test doubles of the chat layer's interfaces, for
// the tests of several packages.
package botstest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
)

// ErrKilled is what a killed process's outbox answers.
var ErrKilled = errors.New("the process was killed")

// DyingOutbox is an outbox store as a dispatcher sees it from a process
// that may die: once Kill is called nothing it does reaches the database
// any more (no claim, renewal, mark or release), as after a kill -9.
type DyingOutbox struct {
	bots.OutboxStore
	dead atomic.Bool
}

// Kill makes the process dead.
func (s *DyingOutbox) Kill() { s.dead.Store(true) }

// Killed reports whether Kill was called.
func (s *DyingOutbox) Killed() bool { return s.dead.Load() }

// ClaimEvents implements bots.OutboxStore.
func (s *DyingOutbox) ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]bots.OutboxEvent, error) {
	if s.Killed() {
		return nil, ErrKilled
	}
	return s.OutboxStore.ClaimEvents(ctx, limit, lease)
}

// ClaimDeliveries implements bots.OutboxStore.
func (s *DyingOutbox) ClaimDeliveries(ctx context.Context, p []community.Platform, chats, perChat int, lease time.Duration) ([]bots.Delivery, error) {
	if s.Killed() {
		return nil, ErrKilled
	}
	return s.OutboxStore.ClaimDeliveries(ctx, p, chats, perChat, lease)
}

// RenewClaims implements bots.OutboxStore.
func (s *DyingOutbox) RenewClaims(ctx context.Context, events, deliveries []bots.ClaimRef, lease time.Duration) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.OutboxStore.RenewClaims(ctx, events, deliveries, lease)
}

// ReleaseDeliveries implements bots.OutboxStore.
func (s *DyingOutbox) ReleaseDeliveries(ctx context.Context, dels []bots.Delivery) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.OutboxStore.ReleaseDeliveries(ctx, dels)
}

// PartsSent implements bots.OutboxStore.
func (s *DyingOutbox) PartsSent(ctx context.Context, d bots.Delivery, ids []string) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.OutboxStore.PartsSent(ctx, d, ids)
}

// Delivered implements bots.OutboxStore.
func (s *DyingOutbox) Delivered(ctx context.Context, id int64, ids []string) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.OutboxStore.Delivered(ctx, id, ids)
}

// FailedDelivery implements bots.OutboxStore.
func (s *DyingOutbox) FailedDelivery(ctx context.Context, d bots.Delivery, ids []string, f bots.Failure) error {
	if s.Killed() {
		return ErrKilled
	}
	return s.OutboxStore.FailedDelivery(ctx, d, ids, f)
}
