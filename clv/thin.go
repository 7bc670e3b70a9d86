package clv

// MinRFMCustomers is the fewest customers whose RFM scores can spread over
// 1 to 5. Scores are quintiles of the customers scored together: with fewer,
// some scores cannot occur, and a customer scored alone gets 1 everywhere
// (segment Lost) however good a customer they are.
const MinRFMCustomers = 5

// OneTimeBuyer says whether the customer has bought in one period only (a
// day; a month for monthly models), with no repeat purchase. BG/NBD lets a
// customer drop out only after a repeat purchase, so it puts a one-time
// buyer's P(alive) at 1 however long ago they bought: for them the RFM
// segment says more.
func (s CustomerScore) OneTimeBuyer() bool { return s.RepeatPurchases == 0 }

// OneTimeBuyers counts the scores of one-time buyers (see OneTimeBuyer).
func OneTimeBuyers(scores []CustomerScore) int {
	n := 0
	for _, s := range scores {
		if s.OneTimeBuyer() {
			n++
		}
	}
	return n
}
