// Package feedback collects what members tell the brand: ideas and votes,
// NPS answers, customers' posts for resharing with their consent, and
// support questions. It knows nothing about chat platforms or SQL.
package feedback
