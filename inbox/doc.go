// Package inbox is the contract for what comes in: each platform update
// recorded once (who, where, the activity it counts as), kept whole until
// it is handled, leased to one process at a time in order per chat, and
// given up on into the dead letters when it cannot be recorded or
// handled. Storage persists it; the chat layer's router feeds and drains
// it. Texts are cleaned (CleanText) before they reach PostgreSQL.
package inbox
