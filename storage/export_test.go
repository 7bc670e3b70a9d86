package storage

// OrderIDMatchesSQL lets the agreement test read the facts the order-id
// linking rule decides from.
const OrderIDMatchesSQL = orderIDMatchesSQL

// DecideInBatchesOf makes standings runs decide n members at a time, until
// the test ends.
func DecideInBatchesOf(t interface{ Cleanup(func()) }, n int) {
	old := decideBatch
	decideBatch = n
	t.Cleanup(func() { decideBatch = old })
}

// The outbox's statements, for the benchmarks to EXPLAIN.
const (
	ClaimDeliveriesSQL = claimDeliveriesSQL
	NextDueSQL         = nextDueSQL
)
