package clv

import (
	"time"
)

// CustomerScore is one customer's value after a CLV run: what Hearth
// stores and the rest of Hearth reads.
type CustomerScore struct {
	CustomerID string
	Orders     int       // paid orders counted
	First      time.Time // first paid order
	Last       time.Time // latest paid order
	Revenue    float64   // paid, net of refunds
	Historical float64   // margin to date minus the acquisition cost

	// The predictions, valid when HasModel: no model could be fitted
	// when the data were too thin.
	HasModel  bool
	Predicted float64 // discounted CLV over the horizon
	PAlive    float64 // probability the customer still buys
	Expected  float64 // expected purchases over the horizon

	Recency, Frequency, Monetary int    // RFM scores, 1-5
	Segment                      string // RFM segment, such as "Champions"
}

// ModelRun describes one CLV run: the models fitted (nil when the data
// could not support one, with the reason in Error) and the data they saw.
type ModelRun struct {
	ComputedAt time.Time
	End        time.Time // observation end
	Period     Period
	Customers  int
	BGNBD      *BGNBDFit
	GammaGamma *GammaGammaFit
	Error      string
}
