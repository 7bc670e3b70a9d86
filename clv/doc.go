// Package clv computes Customer Lifetime Value from orders: historical CLV,
// RFM segments, and BG/NBD with Gamma-Gamma predictions. It is pure Go with
// no I/O and can be used as a library on its own.
package clv
