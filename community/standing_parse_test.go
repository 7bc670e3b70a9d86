package community

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// TestTiersReadAndWriteByName: tiers are written by name in events and
// read back, in any case; an unknown name is refused, naming the tiers.
func TestTiersReadAndWriteByName(t *testing.T) {
	raw, err := json.Marshal(TierChange{From: TierRegular, To: TierVIP})
	if err != nil || !strings.Contains(string(raw), `"from":"regular","to":"vip"`) {
		t.Fatalf("encoded %s, %v", raw, err)
	}
	var c TierChange
	if err := json.Unmarshal(raw, &c); err != nil || c.From != TierRegular || c.To != TierVIP {
		t.Errorf("decoded %+v, %v", c, err)
	}
	if tier, err := ParseTier(" Loyal "); err != nil || tier != TierLoyal {
		t.Errorf("ParseTier(Loyal) = %s, %v", tier, err)
	}
	if err := json.Unmarshal([]byte(`{"to":"gold"}`), &c); err == nil || !strings.Contains(err.Error(), "vip, loyal, regular or newcomer") {
		t.Errorf("an unknown tier: %v", err)
	}
}

// TestParseWeights: entries override the defaults by kind; a missing
// "=", an unknown kind or a number that is not 0 or more is refused,
// naming the entry.
func TestParseWeights(t *testing.T) {
	w, err := ParseWeights([]string{"message=2", " helpful_answer = 7.5 "}, DefaultEngagementWeights())
	if err != nil || w[ActivityMessage] != 2 || w[ActivityHelpfulAnswer] != 7.5 || w[ActivityReply] != 1.5 {
		t.Fatalf("weights %v, %v", w, err)
	}
	if DefaultEngagementWeights()[ActivityMessage] != 1 {
		t.Error("parsing changed the defaults")
	}
	if w, err := ParseWeights([]string{"vote=1"}, nil); err != nil || len(w) != 1 {
		t.Errorf("over no defaults: %v, %v", w, err)
	}
	for _, bad := range []string{"message", "shouting=1", "message=-1", "message=lots", "message=NaN", "message=+Inf"} {
		if _, err := ParseWeights([]string{"reply=1", bad}, nil); err == nil || !strings.Contains(err.Error(), "entry 2") {
			t.Errorf("%q: %v; want entry 2 refused", bad, err)
		}
	}
}

// TestDecayHalvesInAHalfLife: an activity one half-life old counts half.
func TestDecayHalvesInAHalfLife(t *testing.T) {
	r := DefaultEngagementRules()
	if got := math.Exp(-r.Decay() * r.HalfLife.Seconds()); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("after a half-life an activity counts %v", got)
	}
	r.HalfLife = time.Hour
	if got := r.Decay(); math.Abs(got-math.Ln2/3600) > 1e-15 {
		t.Errorf("decay %v", got)
	}
}
