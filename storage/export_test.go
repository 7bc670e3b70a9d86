package storage

// OrderIDMatchesSQL lets the agreement test read the facts the order-id
// linking rule decides from.
const OrderIDMatchesSQL = orderIDMatchesSQL
