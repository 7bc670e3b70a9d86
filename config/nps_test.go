package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestNPSValidation: each bad nps.* value is reported with its key.
func TestNPSValidation(t *testing.T) {
	for _, tc := range []struct {
		change func(*NPS)
		want   string
	}{
		{func(n *NPS) { n.Schedule = "every tuesday" }, "nps.schedule: "},
		{func(n *NPS) { n.SamplePercent = 101 }, "nps.sample_percent: "},
		{func(n *NPS) { n.MaxPerWave = -1 }, "nps.max_per_wave: "},
		{func(n *NPS) { n.MinInterval = time.Hour }, "nps.min_interval: "},
		{func(n *NPS) { n.AnswerWindow = 0 }, "nps.answer_window: "},
	} {
		c := Default()
		tc.change(&c.NPS)
		p := c.Validate()
		if !slices.ContainsFunc(p, func(s string) bool { return strings.HasPrefix(s, tc.want) }) {
			t.Errorf("problems %v; want one for %s", p, tc.want)
		}
	}
}
