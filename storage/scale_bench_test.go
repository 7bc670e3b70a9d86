package storage_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/jmoiron/sqlx"
)

// seededStore opens the database HEARTH_SEEDED_DATABASE_URL names, one
// `hearth bench seed` filled (docs/benchmarks.md); the benchmark is
// skipped without it. Benchmarks change that database.
func seededStore(b *testing.B) *storage.Store {
	url := os.Getenv("HEARTH_SEEDED_DATABASE_URL")
	if url == "" {
		b.Skip("HEARTH_SEEDED_DATABASE_URL names no seeded database")
	}
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return storage.New(db)
}

// BenchmarkEraseSeededMember forgets the seeded community's busiest
// member left (the lowest id), again and again, one after another
// (/forgetme): each has thousands of activities, an identity, and most
// a customer and orders.
func BenchmarkEraseSeededMember(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	admit := func([]community.Sanction) error { return nil }
	timed(b, 1, func() {
		var member int64
		if err := s.DB().Get(&member, `SELECT min(id) FROM members`); err != nil {
			b.Fatal(err)
		}
		if err := s.EraseMember(ctx, community.Erasure{Member: community.MemberID(member), At: time.Now()}, admit); err != nil {
			b.Fatal(err)
		}
	})
}
