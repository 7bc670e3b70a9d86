package clv

import (
	"cmp"
	"slices"
)

// RFM is a customer's recency, frequency and monetary scores, each from 1
// (lowest fifth) to 5 (highest fifth) among the customers scored together,
// and the segment the recency and frequency scores place them in.
type RFM struct {
	CustomerID string
	Recency    int // 5: bought most recently
	Frequency  int // 5: most repeat purchases
	Monetary   int // 5: spent the most in total
	Segment    Segment
}

// ScoreRFM scores each summary against all of them and returns the scores
// in the order given. Recency ranks the time since the last purchase,
// T − Recency (shorter is better), frequency ranks Frequency and monetary
// ranks Total. A score is 1 + ⌊5·k/n⌋ where k is the number of customers
// ranked strictly below: equal values always get equal scores, and the
// lowest value always gets 1, so a large tie (all one-time buyers) shares
// one score and the next value up starts higher.
func ScoreRFM(s []Summary) []RFM {
	n := len(s)
	recency, frequency, monetary := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, c := range s {
		recency[i], frequency[i], monetary[i] = rfmValues(c)
	}
	r, f, m := quintiles(recency, nil, nil), quintiles(frequency, nil, nil), quintiles(monetary, nil, nil)
	out := make([]RFM, n)
	for i, c := range s {
		rec, freq := int(r[i]), int(f[i])
		out[i] = RFM{CustomerID: c.CustomerID, Recency: rec, Frequency: freq, Monetary: int(m[i]), Segment: SegmentOf(rec, freq)}
	}
	return out
}

// rfmValues are what the recency, frequency and monetary scores rank, the
// higher the better: minus the time since the last purchase, the repeat
// purchases and the total spent.
func rfmValues(c Summary) (recency, frequency, monetary float64) {
	return -(c.T - c.Recency), float64(c.Frequency), c.Total
}

// quintiles scores values 1..5 by their rank, ties sharing the score of
// the lowest rank they hold. It works in order and scores when they are
// long enough, so that millions of customers are scored in little memory.
func quintiles(values []float64, order []int32, scores []uint8) []uint8 {
	n := len(values)
	if len(order) < n || len(scores) < n {
		order, scores = make([]int32, n), make([]uint8, n)
	}
	order, scores = order[:n], scores[:n]
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(p, q int32) int { return cmp.Compare(values[p], values[q]) })
	for i := 0; i < n; {
		j := i + 1
		for j < n && cmp.Compare(values[order[j]], values[order[i]]) == 0 {
			j++
		}
		for _, k := range order[i:j] {
			scores[k] = uint8(1 + 5*i/n)
		}
		i = j
	}
	return scores
}

// Segment is a named group of customers by their recency and frequency
// scores, for treating each group differently.
type Segment string

// The segments, best first.
const (
	SegmentChampions         Segment = "Champions"
	SegmentLoyal             Segment = "Loyal"
	SegmentPotentialLoyalist Segment = "Potential loyalist"
	SegmentNew               Segment = "New"
	SegmentPromising         Segment = "Promising"
	SegmentNeedAttention     Segment = "Need attention"
	SegmentAboutToSleep      Segment = "About to sleep"
	SegmentAtRisk            Segment = "At risk"
	SegmentCantLoseThem      Segment = "Can't lose them"
	SegmentHibernating       Segment = "Hibernating"
	SegmentLost              Segment = "Lost"
)

// Segments lists every segment, best first.
func Segments() []Segment {
	return []Segment{
		SegmentChampions, SegmentLoyal, SegmentPotentialLoyalist, SegmentNew, SegmentPromising,
		SegmentNeedAttention, SegmentAboutToSleep, SegmentAtRisk, SegmentCantLoseThem,
		SegmentHibernating, SegmentLost,
	}
}

// SegmentOf names the segment of a recency score r and a frequency score
// f, with the widely used R-F grid (recency down, frequency across):
//
//	R\F  1               2               3               4          5
//	5    New             Potential       Potential       Champions  Champions
//	4    Promising       Potential       Potential       Loyal      Loyal
//	3    About to sleep  About to sleep  Need attention  Loyal      Loyal
//	2    Hibernating     Hibernating     At risk         At risk    Can't lose them
//	1    Lost            Hibernating     At risk         At risk    Can't lose them
//
// Potential stands for Potential loyalist. Lost is the corner R=1, F=1 of
// the common grid's Hibernating block: customers who bought least, longest
// ago. Scores outside 1..5 are clamped.
func SegmentOf(r, f int) Segment {
	r, f = min(max(r, 1), 5), min(max(f, 1), 5)
	switch {
	case r <= 2 && f <= 2:
		if r == 1 && f == 1 {
			return SegmentLost
		}
		return SegmentHibernating
	case r <= 2 && f <= 4:
		return SegmentAtRisk
	case r <= 2:
		return SegmentCantLoseThem
	case r == 3 && f <= 2:
		return SegmentAboutToSleep
	case r == 3 && f == 3:
		return SegmentNeedAttention
	case r == 5 && f >= 4:
		return SegmentChampions
	case f >= 4:
		return SegmentLoyal
	case f >= 2:
		return SegmentPotentialLoyalist
	case r == 5:
		return SegmentNew
	}
	return SegmentPromising // r == 4, f == 1
}
