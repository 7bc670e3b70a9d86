package storage

// OrderIDMatchesSQL lets the agreement test read the facts the order-id
// linking rule decides from.
const OrderIDMatchesSQL = orderIDMatchesSQL

// The outbox's statements, for the benchmarks to EXPLAIN.
const (
	ClaimDeliveriesSQL = claimDeliveriesSQL
	NextDueSQL         = nextDueSQL
)
