// Package config reads Hearth's configuration: defaults, then an optional
// YAML file, then environment variables, validated as a whole.
package config

import (
	"time"
)

// Config is everything Hearth can be configured with. The yaml tag is the
// key in the file, the env tag the environment variable that overrides it.
type Config struct {
	Database  Database  `yaml:"database"`
	HTTP      HTTP      `yaml:"http"`
	Log       Log       `yaml:"log"`
	Telegram  Telegram  `yaml:"telegram"`
	Discord   Discord   `yaml:"discord"`
	Community Community `yaml:"community"`
	Owners    []string  `yaml:"owners" env:"HEARTH_OWNERS"`
	Link      Link      `yaml:"link"`
	Outbox    Outbox    `yaml:"outbox"`
	Audit     Audit     `yaml:"audit"`
	Shop      Shop      `yaml:"shop"`
	CLV       CLV       `yaml:"clv"`
	// The community core: engagement, tiers, loyalty, onboarding,
	// moderation and announcements (config/community.go).
	Engagement Engagement `yaml:"engagement"`
	Tiers      Tiers      `yaml:"tiers"`
	Loyalty    Loyalty    `yaml:"loyalty"`
	Onboarding Onboarding `yaml:"onboarding"`
	Moderation Moderation `yaml:"moderation"`
	Announce   Announce   `yaml:"announce"`
	NPS        NPS        `yaml:"nps"`      // config/nps.go
	Digest     Digest     `yaml:"digest"`   // config/digest.go
	Showcase   Showcase   `yaml:"showcase"` // config/showcase.go
	Support    Support    `yaml:"support"`  // config/support.go
}

// Database says where the PostgreSQL database is and how to pool connections.
type Database struct {
	URL             DSN           `yaml:"url" env:"DATABASE_URL"`
	DataDir         string        `yaml:"data_dir" env:"HEARTH_DATA_DIR"`
	MaxOpenConns    int           `yaml:"max_open_conns" env:"HEARTH_DB_MAX_OPEN_CONNS"`
	MaxIdleConns    int           `yaml:"max_idle_conns" env:"HEARTH_DB_MAX_IDLE_CONNS"`
	ConnMaxLifetime time.Duration `yaml:"conn_max_lifetime" env:"HEARTH_DB_CONN_MAX_LIFETIME"`
	ConnectTimeout  time.Duration `yaml:"connect_timeout" env:"HEARTH_DB_CONNECT_TIMEOUT"`
}

// HTTP configures Hearth's HTTP server (health, metrics, webhooks).
type HTTP struct {
	Addr string `yaml:"addr" env:"HEARTH_HTTP_ADDR"`
}

// Log configures logging to standard error.
type Log struct {
	Level  string `yaml:"level" env:"HEARTH_LOG_LEVEL"`
	Format string `yaml:"format" env:"HEARTH_LOG_FORMAT"`
}

// Telegram configures the Telegram bot.
type Telegram struct {
	Token         Secret `yaml:"token" env:"TELEGRAM_BOT_TOKEN"`
	APIURL        string `yaml:"api_url" env:"TELEGRAM_API_URL"`
	Mode          string `yaml:"mode" env:"TELEGRAM_MODE"`
	WebhookURL    string `yaml:"webhook_url" env:"TELEGRAM_WEBHOOK_URL"`
	WebhookSecret Secret `yaml:"webhook_secret" env:"TELEGRAM_WEBHOOK_SECRET"`
	// VIPChatID is a private group for VIPs: Hearth approves its join
	// requests only for them and /vip invites them.
	VIPChatID string `yaml:"vip_chat_id" env:"TELEGRAM_VIP_CHAT_ID"`
	// Groups are the community's Telegram groups, whoever added Hearth to
	// them (besides those an owner connected).
	Groups []string `yaml:"groups" env:"TELEGRAM_GROUPS"`
}

// Discord configures the Discord bot.
type Discord struct {
	Token    Secret   `yaml:"token" env:"DISCORD_BOT_TOKEN"`
	APIURL   string   `yaml:"api_url" env:"DISCORD_API_URL"`
	GuildIDs []string `yaml:"guild_ids" env:"DISCORD_GUILD_IDS"`
	// StaffRoleIDs are roles whose members are staff, besides members
	// with the Administrator, Manage Server or Moderate Members permission.
	StaffRoleIDs []string `yaml:"staff_role_ids" env:"DISCORD_STAFF_ROLE_IDS"`
	ShardID      int      `yaml:"shard_id" env:"DISCORD_SHARD_ID"`
	ShardCount   int      `yaml:"shard_count" env:"DISCORD_SHARD_COUNT"`
	// TierRoles are tier=role entries (a role id, or a role name found in
	// every server): members get their tier's role.
	TierRoles []string `yaml:"tier_roles" env:"DISCORD_TIER_ROLES"`
	// LeaveUnknownGuilds makes Hearth leave a server it is added to that is
	// not the community's, instead of staying silent in it.
	LeaveUnknownGuilds bool `yaml:"leave_unknown_guilds" env:"DISCORD_LEAVE_UNKNOWN_GUILDS"`
}

// Community describes the brand's community as a whole.
type Community struct {
	Name            string `yaml:"name" env:"HEARTH_COMMUNITY_NAME"`
	DefaultLanguage string `yaml:"default_language" env:"HEARTH_DEFAULT_LANGUAGE"`
	Timezone        string `yaml:"timezone" env:"HEARTH_TIMEZONE"`
	// AdminCacheTTL is how long Hearth trusts what a platform said about
	// who administers the community's groups before asking again.
	AdminCacheTTL time.Duration `yaml:"admin_cache_ttl" env:"HEARTH_ADMIN_CACHE_TTL"`
}

// Link configures the signed tokens that link a member to a shop customer.
type Link struct {
	Secret Secret `yaml:"secret" env:"HEARTH_LINK_SECRET"`
	// TTL is how long a link token stays valid after it is issued.
	TTL time.Duration `yaml:"ttl" env:"HEARTH_LINK_TTL"`
}

// Shop configures the webhooks through which the shop sends its orders.
// Each endpoint is served only when its secret is set.
type Shop struct {
	// WebhookSecret signs Hearth's own orders API (POST /api/orders).
	WebhookSecret Secret `yaml:"webhook_secret" env:"HEARTH_SHOP_WEBHOOK_SECRET"`
	// ShopifySecret is the Shopify app's webhook signing secret.
	ShopifySecret Secret `yaml:"shopify_secret" env:"SHOPIFY_WEBHOOK_SECRET"`
	// WooCommerceSecret is the secret set on the WooCommerce webhooks.
	WooCommerceSecret Secret `yaml:"woocommerce_secret" env:"WOOCOMMERCE_WEBHOOK_SECRET"`
}

// CLV configures how customers' lifetime value is computed.
type CLV struct {
	// RefreshAt is the time of day (HH:MM) of the nightly CLV run, in
	// Timezone (empty: the community's time zone).
	RefreshAt string `yaml:"refresh_at" env:"HEARTH_CLV_REFRESH_AT"`
	Timezone  string `yaml:"timezone" env:"HEARTH_CLV_TIMEZONE"`
	// Period is the time unit of the models: day, week or month.
	Period string `yaml:"period" env:"HEARTH_CLV_PERIOD"`
	// HorizonMonths is how far ahead predicted CLV looks.
	HorizonMonths int `yaml:"horizon_months" env:"HEARTH_CLV_HORIZON_MONTHS"`
	// DiscountRate is the discount rate per month of predicted CLV.
	DiscountRate float64 `yaml:"discount_rate" env:"HEARTH_CLV_DISCOUNT_RATE"`
	// MarginRate is the share of an order's amount that is profit, for
	// orders that carry no margin of their own (1: CLV in revenue).
	MarginRate float64 `yaml:"margin_rate" env:"HEARTH_CLV_MARGIN_RATE"`
	// AcquisitionCost is what winning one customer costs on average; it
	// is subtracted from historical CLV.
	AcquisitionCost float64 `yaml:"acquisition_cost" env:"HEARTH_CLV_ACQUISITION_COST"`
}

// Outbox configures the delivery of Hearth's messages.
type Outbox struct {
	// MaxAttempts is how many times a message is tried before it is moved
	// to the dead letters that owners list with /outbox.
	MaxAttempts int `yaml:"max_attempts" env:"HEARTH_OUTBOX_MAX_ATTEMPTS"`
	// KeepSent is how long a message Hearth sent is kept (its text names
	// members) before the hourly prune deletes it.
	KeepSent time.Duration `yaml:"keep_sent" env:"HEARTH_OUTBOX_KEEP_SENT"`
}

// Audit configures the audit log: who did what, and every refusal.
type Audit struct {
	// Keep is how long an audit entry is kept before the hourly prune
	// deletes it.
	Keep time.Duration `yaml:"keep" env:"HEARTH_AUDIT_KEEP"`
}

// Log formats and levels Hearth accepts.
const (
	FormatText = "text"
	FormatJSON = "json"
)

// Telegram update modes.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// Languages are the languages Hearth has message catalogs for.
var Languages = []string{"en", "el", "ru", "pl", "ro"}

// Default returns the configuration used when nothing else is said.
// Log.Format is left empty: it means text on a terminal, JSON otherwise.
func Default() Config {
	c := base()
	defaultCommunityRules(&c)
	defaultNPS(&c)
	defaultDigest(&c)
	defaultShowcase(&c)
	defaultSupport(&c)
	return c
}

func base() Config {
	return Config{
		Database: Database{
			DataDir:         "./.hearth",
			MaxOpenConns:    20,
			MaxIdleConns:    5,
			ConnMaxLifetime: 30 * time.Minute,
			ConnectTimeout:  60 * time.Second,
		},
		HTTP:     HTTP{Addr: "127.0.0.1:8080"},
		Log:      Log{Level: "info"},
		Telegram: Telegram{APIURL: "https://api.telegram.org", Mode: ModePolling},
		Discord:  Discord{APIURL: "https://discord.com", ShardCount: 1},
		Outbox:   Outbox{MaxAttempts: 8, KeepSent: 7 * 24 * time.Hour},
		Audit:    Audit{Keep: 2 * 365 * 24 * time.Hour},
		Link:     Link{TTL: 30 * 24 * time.Hour},
		CLV:      CLV{RefreshAt: "03:00", Period: "week", HorizonMonths: 12, DiscountRate: 0.01, MarginRate: 1},
		Community: Community{
			Name:            "Hearth community",
			DefaultLanguage: "en",
			Timezone:        "UTC",
			AdminCacheTTL:   10 * time.Minute,
		},
	}
}

// OwnerAccounts returns the owners as parsed accounts. It is valid after
// Validate, which reports every malformed entry.
func (c *Config) OwnerAccounts() []Owner {
	var out []Owner
	for _, s := range c.Owners {
		if o, err := ParseOwner(s); err == nil {
			out = append(out, o)
		}
	}
	return out
}

// CLVLocation returns the time zone of the nightly CLV run. It is valid
// after Validate.
func (c *Config) CLVLocation() *time.Location {
	if c.CLV.Timezone == "" {
		return c.Location()
	}
	loc, err := time.LoadLocation(c.CLV.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Location returns the community's time zone. It is valid after Validate.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Community.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}
