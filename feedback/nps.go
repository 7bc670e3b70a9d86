package feedback

import "math"

// Score is a survey answer: how likely a member would recommend the
// community, 0 to 10.
type Score int

// Valid reports whether s is 0 to 10.
func (s Score) Valid() bool { return s >= 0 && s <= 10 }

// Promoter reports a 9 or 10; between a promoter and a detractor is a
// passive.
func (s Score) Promoter() bool { return s >= 9 }

// Detractor reports 0 to 6.
func (s Score) Detractor() bool { return s <= 6 }

// NPS is a Net Promoter Score: the share of promoters less the share of
// detractors, from -100 to 100, with its 95% interval.
type NPS struct {
	Score              float64 `json:"score"`
	Low                float64 `json:"low"` // the 95% interval, within -100 and 100
	High               float64 `json:"high"`
	Promoters          int     `json:"promoters"`
	Passives           int     `json:"passives"`
	Detractors         int     `json:"detractors"`
	Responses          int     `json:"responses"`
	EffectiveResponses float64 `json:"effective_responses"` // weighted: the sample size the weights leave (Kish)
}

// Weighted is an answer with its weight: a voter's CLV, or 1.
type Weighted struct {
	Score  Score
	Weight float64
}

// Compute is the NPS of answers, each counting once.
func Compute(scores []Score) NPS {
	w := make([]Weighted, len(scores))
	for i, s := range scores {
		w[i] = Weighted{Score: s, Weight: 1}
	}
	return ComputeWeighted(w)
}

// ComputeWeighted is the NPS of answers weighted by their weights (a
// negative or zero weight counts as none). Each answer is +1 (promoter),
// 0 or -1 (detractor); the score is their weighted mean times 100, and
// the interval is the normal one, mean ± 1.96 standard errors, with the
// sample size the weights leave, (Σw)² / Σw². No answer: a zero score
// and the whole range as its interval.
func ComputeWeighted(answers []Weighted) NPS {
	var out NPS
	var sum, sumSq, promo, detr float64
	for _, a := range answers {
		switch {
		case a.Score.Promoter():
			out.Promoters++
		case a.Score.Detractor():
			out.Detractors++
		default:
			out.Passives++
		}
		if a.Weight <= 0 {
			continue
		}
		sum += a.Weight
		sumSq += a.Weight * a.Weight
		if a.Score.Promoter() {
			promo += a.Weight
		} else if a.Score.Detractor() {
			detr += a.Weight
		}
	}
	out.Responses = len(answers)
	if sum == 0 {
		out.Low, out.High = -100, 100
		return out
	}
	p, d := promo/sum, detr/sum
	out.EffectiveResponses = sum * sum / sumSq
	mean := p - d
	variance := p + d - mean*mean
	half := 1.96 * math.Sqrt(variance/out.EffectiveResponses)
	out.Score = 100 * mean
	out.Low, out.High = math.Max(-100, 100*(mean-half)), math.Min(100, 100*(mean+half))
	return out
}
