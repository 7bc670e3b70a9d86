// Package clv computes Customer Lifetime Value from orders: historical CLV,
// RFM segments, and BG/NBD with Gamma-Gamma predictions. It is pure Go with
// no I/O and can be used as a library on its own.
//
// The pieces, in the order a CLV run uses them:
//
//   - Transactions turns shop orders into purchases worth revenue or margin
//     (OrderMargin), and Summarize reduces them to one Summary per customer
//     (frequency, recency, T and mean repeat value, in an explicit Period)
//     with the definitions of the BTYD literature and of Python's lifetimes.
//   - HistoricalCLV is each customer's margin to date minus the acquisition
//     cost; SimpleCLV is the textbook average order value × purchase
//     frequency × lifespan × margin.
//   - ScoreRFM gives recency, frequency and monetary quintile scores and a
//     named Segment.
//   - FitBGNBD and FitGammaGamma estimate the two models by maximum
//     likelihood, with standard errors and diagnostics (FitInfo); a data
//     set that cannot support a fit gives a *FitError.
//   - BGNBD predicts P(alive) and expected purchases, GammaGamma the value
//     of a future purchase, and Predict applies both to every customer with
//     a discounted CLV over a horizon given by CLVOptions.
//   - ScoreEach runs all of it over orders yielded one customer at a time
//     (CustomerOrders), such as from a database cursor, keeping a compact
//     row per customer and never all the orders; Score does the same for
//     orders in a slice.
//
// Times are in the period of the summaries throughout: a model fitted on
// weekly summaries takes and returns weeks, and CLVOptions says how many
// weeks a discounting step (such as a month) is.
package clv
