package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Engagement configures the engagement score.
type Engagement struct {
	// HalfLife is how long it takes an activity to count half as much.
	HalfLife time.Duration `yaml:"half_life" env:"HEARTH_ENGAGEMENT_HALF_LIFE"`
	// Weights are kind=weight entries over the defaults.
	Weights []string `yaml:"weights" env:"HEARTH_ENGAGEMENT_WEIGHTS"`
	// Level1, Level2 and Level3 are the engagement percentiles at or
	// above which a member is at that level; the rest are at level 4.
	Level1 float64 `yaml:"level1_percentile" env:"HEARTH_ENGAGEMENT_LEVEL1"`
	Level2 float64 `yaml:"level2_percentile" env:"HEARTH_ENGAGEMENT_LEVEL2"`
	Level3 float64 `yaml:"level3_percentile" env:"HEARTH_ENGAGEMENT_LEVEL3"`
	// RecomputeEvery is how often scores, tiers and points are recomputed.
	RecomputeEvery time.Duration `yaml:"recompute_every" env:"HEARTH_RECOMPUTE_EVERY"`
	// KeepActivities is how long each activity is kept on its own; the
	// daily rollups the standings read stay until the member is erased.
	KeepActivities time.Duration `yaml:"keep_activities" env:"HEARTH_ENGAGEMENT_KEEP_ACTIVITIES"`
}

// Tiers configures how members' tiers and priority are decided.
type Tiers struct {
	VIPPercentile             float64 `yaml:"vip_percentile" env:"HEARTH_TIERS_VIP_PERCENTILE"`
	LoyalPercentile           float64 `yaml:"loyal_percentile" env:"HEARTH_TIERS_LOYAL_PERCENTILE"`
	LoyalEngagementPercentile float64 `yaml:"loyal_engagement_percentile" env:"HEARTH_TIERS_LOYAL_ENGAGEMENT_PERCENTILE"`
	NewcomerDays              int     `yaml:"newcomer_days" env:"HEARTH_TIERS_NEWCOMER_DAYS"`
	AtRiskDrop                float64 `yaml:"at_risk_drop" env:"HEARTH_TIERS_AT_RISK_DROP"`
	AtRiskPAlive              float64 `yaml:"at_risk_p_alive" env:"HEARTH_TIERS_AT_RISK_P_ALIVE"`
	ValueWeight               float64 `yaml:"priority_value_weight" env:"HEARTH_TIERS_PRIORITY_VALUE_WEIGHT"`
	// RemoveOnDowngrade takes a tier's perks (Discord role, Telegram VIP
	// group) away when a member falls below it.
	RemoveOnDowngrade bool `yaml:"remove_on_downgrade" env:"HEARTH_TIERS_REMOVE_ON_DOWNGRADE"`
}

// Loyalty configures loyalty points.
type Loyalty struct {
	Points            []string `yaml:"points" env:"HEARTH_LOYALTY_POINTS"`
	PointsPerOrder    float64  `yaml:"points_per_order" env:"HEARTH_LOYALTY_POINTS_PER_ORDER"`
	PointsPerCurrency float64  `yaml:"points_per_currency" env:"HEARTH_LOYALTY_POINTS_PER_CURRENCY"`
}

// Onboarding configures how newcomers are welcomed and checked.
type Onboarding struct {
	Welcome bool `yaml:"welcome" env:"HEARTH_ONBOARDING_WELCOME"`
	// Rules is the community's rules, in Hearth's markup, shown by the
	// welcome message's Rules button and /rules.
	Rules string `yaml:"rules" env:"HEARTH_ONBOARDING_RULES"`
	// ShopAccountURL is the shop page where customers find their link.
	ShopAccountURL string        `yaml:"shop_account_url" env:"HEARTH_ONBOARDING_SHOP_ACCOUNT_URL"`
	Captcha        bool          `yaml:"captcha" env:"HEARTH_ONBOARDING_CAPTCHA"`
	CaptchaTimeout time.Duration `yaml:"captcha_timeout" env:"HEARTH_ONBOARDING_CAPTCHA_TIMEOUT"`
	// NewcomerHours is how long a newcomer may post no links or media.
	NewcomerHours int `yaml:"newcomer_hours" env:"HEARTH_ONBOARDING_NEWCOMER_HOURS"`
}

// Moderation configures warnings and automod.
type Moderation struct {
	WarnExpiryDays int      `yaml:"warn_expiry_days" env:"HEARTH_MODERATION_WARN_EXPIRY_DAYS"`
	Ladder         []string `yaml:"ladder" env:"HEARTH_MODERATION_LADDER"`
	FloodMessages  int      `yaml:"flood_messages" env:"HEARTH_MODERATION_FLOOD_MESSAGES"`
	FloodSeconds   int      `yaml:"flood_seconds" env:"HEARTH_MODERATION_FLOOD_SECONDS"`
	// Blocklist holds words, or regular expressions written /like this/.
	Blocklist      []string      `yaml:"blocklist" env:"HEARTH_MODERATION_BLOCKLIST"`
	AutomodMute    time.Duration `yaml:"automod_mute" env:"HEARTH_MODERATION_AUTOMOD_MUTE"`
	ReportCooldown time.Duration `yaml:"report_cooldown" env:"HEARTH_MODERATION_REPORT_COOLDOWN"`
}

// Announce configures announcements.
type Announce struct {
	// WeeklyCap is how many announcements a member receives privately in
	// seven days at most.
	WeeklyCap int `yaml:"weekly_cap" env:"HEARTH_ANNOUNCE_WEEKLY_CAP"`
	// QuietHours (HH:MM-HH:MM, community time) hold private announcements.
	QuietHours string `yaml:"quiet_hours" env:"HEARTH_ANNOUNCE_QUIET_HOURS"`
}

func defaultCommunityRules(c *Config) {
	e := community.DefaultEngagementRules()
	c.Engagement = Engagement{HalfLife: e.HalfLife, Level1: e.LevelPercentiles[0], Level2: e.LevelPercentiles[1], Level3: e.LevelPercentiles[2],
		RecomputeEvery: 10 * time.Minute, KeepActivities: 365 * 24 * time.Hour}
	t := community.DefaultTierRules()
	c.Tiers = Tiers{VIPPercentile: t.VIPValue, LoyalPercentile: t.LoyalValue, LoyalEngagementPercentile: t.LoyalEngagement,
		NewcomerDays: int(t.NewcomerFor / (24 * time.Hour)), AtRiskDrop: t.AtRiskDrop, AtRiskPAlive: t.AtRiskPAlive, ValueWeight: t.ValueWeight,
		RemoveOnDowngrade: true}
	l := community.DefaultLoyaltyRules()
	c.Loyalty = Loyalty{PointsPerOrder: l.PerOrder, PointsPerCurrency: l.PerCurrency}
	c.Onboarding = Onboarding{Welcome: true, CaptchaTimeout: 5 * time.Minute, NewcomerHours: 24}
	m := community.DefaultModerationRules()
	c.Moderation = Moderation{WarnExpiryDays: int(m.WarnExpiry / (24 * time.Hour)), FloodMessages: 6, FloodSeconds: 10,
		AutomodMute: m.AutomodMute, ReportCooldown: m.ReportCooldown}
	for _, step := range m.Ladder {
		c.Moderation.Ladder = append(c.Moderation.Ladder, step.String())
	}
	c.Announce = Announce{WeeklyCap: 2, QuietHours: "22:00-08:00"}
}

// EngagementRules returns the engagement rules. Valid after Validate.
func (c *Config) EngagementRules() community.EngagementRules {
	w, _ := community.ParseWeights(c.Engagement.Weights, community.DefaultEngagementWeights())
	return community.EngagementRules{Weights: w, HalfLife: c.Engagement.HalfLife,
		LevelPercentiles: [3]float64{c.Engagement.Level1, c.Engagement.Level2, c.Engagement.Level3}}
}

// TierRules returns the tier rules. Valid after Validate.
func (c *Config) TierRules() community.TierRules {
	t := c.Tiers
	return community.TierRules{VIPValue: t.VIPPercentile, LoyalValue: t.LoyalPercentile, LoyalEngagement: t.LoyalEngagementPercentile,
		NewcomerFor: time.Duration(t.NewcomerDays) * 24 * time.Hour, AtRiskDrop: t.AtRiskDrop, AtRiskPAlive: t.AtRiskPAlive, ValueWeight: t.ValueWeight}
}

// LoyaltyRules returns the loyalty rules. Valid after Validate.
func (c *Config) LoyaltyRules() community.LoyaltyRules {
	p, _ := community.ParseWeights(c.Loyalty.Points, community.DefaultPointWeights())
	return community.LoyaltyRules{Points: p, PerOrder: c.Loyalty.PointsPerOrder, PerCurrency: c.Loyalty.PointsPerCurrency}
}

// Ladder returns the warning ladder. Valid after Validate.
func (c *Config) Ladder() []community.LadderStep {
	l, _ := community.ParseLadder(c.Moderation.Ladder)
	return l
}

// QuietHours returns the announcements' quiet hours. Valid after Validate.
func (c *Config) QuietHours() community.QuietHours {
	q, _ := community.ParseQuietHours(c.Announce.QuietHours)
	return q
}

// DiscordTierRoles returns the Discord role (an id or a name) of each
// tier that has one. Valid after Validate.
func (c *Config) DiscordTierRoles() map[community.Tier]string {
	out := map[community.Tier]string{}
	for _, e := range c.Discord.TierRoles {
		name, role, _ := strings.Cut(e, "=")
		if t, err := community.ParseTier(name); err == nil {
			out[t] = strings.TrimSpace(role)
		}
	}
	return out
}

func (c *Config) validateCommunityRules(add func(key, format string, args ...any)) {
	e := c.Engagement
	if e.HalfLife < time.Hour {
		add("engagement.half_life", "must be at least 1h (such as 720h for 30 days), not %s", e.HalfLife)
	}
	if _, err := community.ParseWeights(e.Weights, nil); err != nil {
		add("engagement.weights", "%v", err)
	}
	if !(e.Level1 > e.Level2 && e.Level2 > e.Level3 && e.Level3 > 0 && e.Level1 < 100) {
		add("engagement.level1_percentile", "levels 1 to 3 need falling percentiles between 0 and 100, such as 95, 80, 50; not %g, %g, %g", e.Level1, e.Level2, e.Level3)
	}
	if e.RecomputeEvery < time.Minute {
		add("engagement.recompute_every", "must be at least 1m, not %s", e.RecomputeEvery)
	}
	if e.KeepActivities < 30*24*time.Hour {
		add("engagement.keep_activities", "must be at least 720h (30 days; the default is 8760h, a year), not %s", e.KeepActivities)
	}
	t := c.Tiers
	percent := func(key string, v float64) {
		if v < 0 || v > 100 {
			add(key, "must be a percentile from 0 to 100, not %g", v)
		}
	}
	percent("tiers.vip_percentile", t.VIPPercentile)
	percent("tiers.loyal_percentile", t.LoyalPercentile)
	percent("tiers.loyal_engagement_percentile", t.LoyalEngagementPercentile)
	if t.LoyalPercentile > t.VIPPercentile {
		add("tiers.loyal_percentile", "must not be above tiers.vip_percentile (%g), not %g", t.VIPPercentile, t.LoyalPercentile)
	}
	if t.NewcomerDays < 0 || t.NewcomerDays > 365 {
		add("tiers.newcomer_days", "must be between 0 and 365, not %d", t.NewcomerDays)
	}
	share := func(key string, v float64) {
		if v < 0 || v > 1 {
			add(key, "must be a share from 0 to 1, not %g", v)
		}
	}
	share("tiers.at_risk_drop", t.AtRiskDrop)
	share("tiers.at_risk_p_alive", t.AtRiskPAlive)
	share("tiers.priority_value_weight", t.ValueWeight)
	if _, err := community.ParseWeights(c.Loyalty.Points, nil); err != nil {
		add("loyalty.points", "%v", err)
	}
	if c.Loyalty.PointsPerOrder < 0 {
		add("loyalty.points_per_order", "must not be negative, not %g", c.Loyalty.PointsPerOrder)
	}
	if c.Loyalty.PointsPerCurrency < 0 {
		add("loyalty.points_per_currency", "must not be negative, not %g", c.Loyalty.PointsPerCurrency)
	}
	c.validateTierPerks(add)
	c.validateOnboarding(add)
	c.validateModeration(add)
}

func (c *Config) validateTierPerks(add func(key, format string, args ...any)) {
	seen := map[string]bool{}
	for i, e := range c.Discord.TierRoles {
		name, role, ok := strings.Cut(e, "=")
		_, err := community.ParseTier(name)
		key := fmt.Sprintf("discord.tier_roles[%d]", i)
		switch {
		case !ok || strings.TrimSpace(role) == "":
			add(key, "%q: want TIER=ROLE, such as vip=123456789012345678 or vip=VIP", e)
		case err != nil:
			add(key, "%v", err)
		case seen[strings.ToLower(strings.TrimSpace(name))]:
			add(key, "%q: the tier has a role already", e)
		}
		seen[strings.ToLower(strings.TrimSpace(name))] = true
	}
	if id := c.Telegram.VIPChatID; id != "" {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n >= 0 {
			add("telegram.vip_chat_id", "%q is not a Telegram group id (a negative number such as -1001234567890)", id)
		}
	}
	for i, id := range c.Telegram.Groups {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n >= 0 {
			add(fmt.Sprintf("telegram.groups[%d]", i), "%q is not a Telegram group id (a negative number such as -1001234567890)", id)
		}
	}
}

func (c *Config) validateOnboarding(add func(key, format string, args ...any)) {
	o := c.Onboarding
	if o.ShopAccountURL != "" {
		if err := checkHTTPURL(o.ShopAccountURL); err != nil {
			add("onboarding.shop_account_url", "%v", err)
		}
	}
	if o.CaptchaTimeout < 30*time.Second || o.CaptchaTimeout > 24*time.Hour {
		add("onboarding.captcha_timeout", "must be between 30s and 24h, not %s", o.CaptchaTimeout)
	}
	if o.NewcomerHours < 0 || o.NewcomerHours > 24*30 {
		add("onboarding.newcomer_hours", "must be between 0 (off) and 720, not %d", o.NewcomerHours)
	}
	if len(o.Rules) > 3000 {
		add("onboarding.rules", "is longer than 3000 characters")
	}
}

func (c *Config) validateModeration(add func(key, format string, args ...any)) {
	m := c.Moderation
	if m.WarnExpiryDays < 1 || m.WarnExpiryDays > 3650 {
		add("moderation.warn_expiry_days", "must be between 1 and 3650, not %d", m.WarnExpiryDays)
	}
	if _, err := community.ParseLadder(m.Ladder); err != nil {
		add("moderation.ladder", "%v", err)
	}
	if m.FloodMessages < 0 || m.FloodMessages == 1 || m.FloodMessages > 100 {
		add("moderation.flood_messages", "must be 0 (off) or between 2 and 100, not %d", m.FloodMessages)
	}
	if m.FloodSeconds < 1 || m.FloodSeconds > 3600 {
		add("moderation.flood_seconds", "must be between 1 and 3600, not %d", m.FloodSeconds)
	}
	if _, err := community.ParseBlocklist(m.Blocklist); err != nil {
		add("moderation.blocklist", "%v", err)
	}
	if m.AutomodMute < time.Minute || m.AutomodMute > 28*24*time.Hour {
		add("moderation.automod_mute", "must be between 1m and 672h (28 days), not %s", m.AutomodMute)
	}
	if m.ReportCooldown < 0 || m.ReportCooldown > 24*time.Hour {
		add("moderation.report_cooldown", "must be between 0 and 24h, not %s", m.ReportCooldown)
	}
	if c.Announce.WeeklyCap < 0 || c.Announce.WeeklyCap > 50 {
		add("announce.weekly_cap", "must be between 0 (no private announcements) and 50, not %d", c.Announce.WeeklyCap)
	}
	if _, err := community.ParseQuietHours(c.Announce.QuietHours); err != nil {
		add("announce.quiet_hours", "%v", err)
	}
}
