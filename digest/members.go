package digest

// MemberWeeks are the members who share a pattern of activity over the
// weeks a digest reads and the week they were first seen: the store
// counts them, the digest's rules read them (CountMembers).
type MemberWeeks struct {
	// Active has bit k set when the members were active in week k+1 of
	// the reach: Lookback weeks before the span, then the span's weeks.
	Active uint32
	// Joined is the week of the reach they were first seen in, 1-based;
	// 0 before the reach.
	Joined  int
	Members int
}

// Lookback is how many weeks before its span a digest reads: who went
// quiet was active in one of the four weeks before.
const Lookback = 4

// Reach is how many weeks a digest reads: its span and the Lookback.
const Reach = ChartWeeks + Lookback

// CountMembers counts, for each week of the span, the members active in
// it; those returning (active in it, not in the week before, and first
// seen before that week); and those gone quiet (active in one of the
// four weeks before, not in it).
func CountMembers(groups []MemberWeeks) (active, returning, quiet []int) {
	active, returning, quiet = make([]int, ChartWeeks), make([]int, ChartWeeks), make([]int, ChartWeeks)
	for _, g := range groups {
		for i := range ChartWeeks {
			k := Lookback + i // the week's bit
			in := g.Active&(1<<k) != 0
			switch {
			case in:
				active[i] += g.Members
				if g.Active&(1<<(k-1)) == 0 && g.Joined < k {
					returning[i] += g.Members
				}
			case g.Active&(0xf<<(k-Lookback)) != 0:
				quiet[i] += g.Members
			}
		}
	}
	return active, returning, quiet
}
