package clv

import (
	"errors"
	"fmt"
)

// The reasons a data set cannot support a model fit. Test for them with
// errors.Is; errors.As with *FitError gives the model and the counts.
var (
	ErrTooFewCustomers  = errors.New("too few customers")
	ErrNoRepeatBuyers   = errors.New("no customer bought more than once")
	ErrNoPositiveValues = errors.New("no repeat buyer has a positive monetary value")
)

// MinFitCustomers is the fewest customers a fit accepts: BG/NBD counts all
// customers, Gamma-Gamma the repeat buyers with a positive monetary value.
const MinFitCustomers = 10

// FitError says why a model could not be fitted to the data.
type FitError struct {
	Model     string // "BG/NBD" or "Gamma-Gamma"
	Customers int    // customers the fit could have used
	Err       error  // one of the Err* reasons, or what went wrong
}

// Error describes the failure with the model and the data size.
func (e *FitError) Error() string {
	customers := "customers"
	if e.Customers == 1 {
		customers = "customer"
	}
	return fmt.Sprintf("clv: cannot fit %s to %d %s: %v", e.Model, e.Customers, customers, e.Err)
}

// Unwrap gives the reason, for errors.Is.
func (e *FitError) Unwrap() error { return e.Err }

// SummaryError names a summary that a model cannot use, and why.
type SummaryError struct {
	Index      int // position in the slice given
	CustomerID string
	Reason     string
}

// Error names the summary and the problem.
func (e *SummaryError) Error() string {
	return fmt.Sprintf("clv: summary %d (customer %q): %s", e.Index, e.CustomerID, e.Reason)
}

// checkSummaries returns a *SummaryError for the first unusable summary,
// or the number of repeat buyers (Frequency > 0).
func checkSummaries(s summarySet) (repeat int, err error) {
	for i := range s.Len() {
		c := s.summary(i)
		if reason := validSummary(c); reason != "" {
			return 0, &SummaryError{Index: i, CustomerID: s.customerID(i), Reason: reason}
		}
		if c.Frequency > 0 {
			repeat++
		}
	}
	return repeat, nil
}
