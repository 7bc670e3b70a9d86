package digest

// Figure is one of the digest's numbers as a section shows it: this
// week's, the week before's, and the average of the (up to) four weeks
// before this one.
type Figure struct {
	This, Prev, Avg4 float64
	// Before is how many weeks before this one there were, up to four:
	// a community younger than five weeks has fewer.
	Before int
}

// FigureOf reads weekly values, oldest first, the last being this
// week's; weeks before the community existed are simply not given.
func FigureOf(weekly []float64) Figure {
	if len(weekly) == 0 {
		return Figure{}
	}
	f := Figure{This: weekly[len(weekly)-1]}
	before := weekly[:len(weekly)-1]
	if len(before) > 4 {
		before = before[len(before)-4:]
	}
	if f.Before = len(before); f.Before > 0 {
		f.Prev = before[len(before)-1]
		f.Avg4 = mean(before)
	}
	return f
}

// VsPrev is the change against the week before as a fraction (0.25 is a
// quarter more); ok is false when there is none to compare with (no week
// before, or it was zero and this week is not); nothing against nothing
// is no change.
func (f Figure) VsPrev() (change float64, ok bool) { return relative(f.This, f.Prev, f.Before > 0) }

// VsAvg4 is the change against the average of the four weeks before, as
// VsPrev.
func (f Figure) VsAvg4() (change float64, ok bool) { return relative(f.This, f.Avg4, f.Before > 0) }

func relative(now, then float64, known bool) (float64, bool) {
	switch {
	case !known || then == 0 && now != 0:
		return 0, false
	case then == 0:
		return 0, true // nothing then, nothing now
	}
	return (now - then) / then, true
}
