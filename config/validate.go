package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	minLinkSecret   = 32
	maxCommunityLen = 100
)

var (
	telegramToken = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	webhookSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	logLevels     = []string{"debug", "info", "warn", "error"}
	logFormats    = []string{"", FormatText, FormatJSON}
	telegramModes = []string{ModePolling, ModeWebhook}
	clvPeriods    = []string{"day", "week", "month"}
)

// Validate checks the whole configuration and returns every problem found,
// each naming its key. Secret values are never quoted in a problem.
func (c *Config) Validate() Problems {
	var p Problems
	add := func(key, format string, args ...any) {
		p = append(p, key+": "+fmt.Sprintf(format, args...))
	}
	c.validateDatabase(add)
	c.validateTelegram(add)

	c.validateService(add)
	c.validateDiscord(add)
	c.validateCommunity(add)
	c.validateAccess(add)
	c.validateCLV(add)
	c.validateCommunityRules(add)
	c.validateNPS(add)
	c.validateDigest(add)
	c.validateShowcase(add)
	c.validateSupport(add)
	return p
}

// validateService checks the process settings: HTTP, logs, the outbox.
func (c *Config) validateService(add func(key, format string, args ...any)) {
	if err := checkHostPort(c.HTTP.Addr); err != nil {
		add("http.addr", "%v", err)
	}
	if !slices.Contains(logLevels, c.Log.Level) {
		add("log.level", "%q is not one of %s", c.Log.Level, strings.Join(logLevels, ", "))
	}
	if !slices.Contains(logFormats, c.Log.Format) {
		add("log.format", "%q is not text or json", c.Log.Format)
	}
	if c.Outbox.MaxAttempts < 1 || c.Outbox.MaxAttempts > 100 {
		add("outbox.max_attempts", "must be between 1 and 100, not %d", c.Outbox.MaxAttempts)
	}
	if c.Outbox.KeepSent < time.Hour {
		add("outbox.keep_sent", "must be at least 1h (such as 168h, a week), not %s", c.Outbox.KeepSent)
	}
	if c.Audit.Keep < 30*24*time.Hour {
		add("audit.keep", "must be at least 720h (30 days; the default is 17520h, two years), not %s", c.Audit.Keep)
	}
}

// validateDiscord checks the Discord ids and sharding.
func (c *Config) validateDiscord(add func(key, format string, args ...any)) {
	if err := checkHTTPURL(c.Discord.APIURL); err != nil {
		add("discord.api_url", "%v", err)
	}
	for i, id := range c.Discord.GuildIDs {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			add(fmt.Sprintf("discord.guild_ids[%d]", i), "%q is not a Discord id (a number)", id)
		}
	}
	for i, id := range c.Discord.StaffRoleIDs {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			add(fmt.Sprintf("discord.staff_role_ids[%d]", i), "%q is not a Discord role id (a number)", id)
		}
	}
	if c.Discord.ShardCount < 1 {
		add("discord.shard_count", "must be at least 1, not %d", c.Discord.ShardCount)
	} else if c.Discord.ShardID < 0 || c.Discord.ShardID >= c.Discord.ShardCount {
		add("discord.shard_id", "must be between 0 and discord.shard_count - 1 (%d), not %d", c.Discord.ShardCount-1, c.Discord.ShardID)
	}
}

// validateCommunity checks the community's name, language, zone and caches.
func (c *Config) validateCommunity(add func(key, format string, args ...any)) {
	switch name := strings.TrimSpace(c.Community.Name); {
	case name == "":
		add("community.name", "must not be empty")
	case len([]rune(name)) > maxCommunityLen:
		add("community.name", "is longer than %d characters", maxCommunityLen)
	}
	if !slices.Contains(Languages, c.Community.DefaultLanguage) {
		add("community.default_language", "%q is not one of %s", c.Community.DefaultLanguage, strings.Join(Languages, ", "))
	}
	if _, err := time.LoadLocation(c.Community.Timezone); err != nil || c.Community.Timezone == "" {
		add("community.timezone", "%q is not an IANA time zone (such as Europe/Athens or UTC)", c.Community.Timezone)
	}
	if c.Community.AdminCacheTTL < time.Second {
		add("community.admin_cache_ttl", "must be at least 1s (such as 10m), not %s", c.Community.AdminCacheTTL)
	}
}

// validateAccess checks the owners and the link settings.
func (c *Config) validateAccess(add func(key, format string, args ...any)) {
	for i, s := range c.Owners {
		if _, err := ParseOwner(s); err != nil {
			add(fmt.Sprintf("owners[%d]", i), "%v", err)
		}
	}
	if s := c.Link.Secret.Value(); s != "" && len(s) < minLinkSecret {
		add("link.secret", "is too short: use at least %d random characters", minLinkSecret)
	}
	if c.Link.TTL < time.Minute {
		add("link.ttl", "must be at least 1m (such as 720h), not %s", c.Link.TTL)
	}
}

func (c *Config) validateCLV(add func(key, format string, args ...any)) {
	v := c.CLV
	if _, err := time.Parse("15:04", v.RefreshAt); err != nil {
		add("clv.refresh_at", "%q is not a time of day as HH:MM (such as 03:00)", v.RefreshAt)
	}
	if _, err := time.LoadLocation(v.Timezone); err != nil {
		add("clv.timezone", "%q is not an IANA time zone (such as Europe/Athens); leave it empty for community.timezone", v.Timezone)
	}
	if !slices.Contains(clvPeriods, v.Period) {
		add("clv.period", "%q is not one of %s", v.Period, strings.Join(clvPeriods, ", "))
	}
	if v.HorizonMonths < 1 || v.HorizonMonths > 120 {
		add("clv.horizon_months", "must be between 1 and 120, not %d", v.HorizonMonths)
	}
	if v.DiscountRate < 0 || v.DiscountRate >= 1 {
		add("clv.discount_rate", "must be a monthly rate from 0 up to 1 (such as 0.01 for 1%%), not %g", v.DiscountRate)
	}
	if v.MarginRate <= 0 || v.MarginRate > 1 {
		add("clv.margin_rate", "must be a share above 0 and at most 1 (such as 0.3), not %g", v.MarginRate)
	}
	if v.AcquisitionCost < 0 {
		add("clv.acquisition_cost", "must not be negative, not %g", v.AcquisitionCost)
	}
}

func (c *Config) validateDatabase(add func(key, format string, args ...any)) {
	d := c.Database
	if err := checkDSN(d.URL.Value()); err != nil {
		add("database.url", "%v", err)
	}
	if d.URL == "" && strings.TrimSpace(d.DataDir) == "" {
		add("database.data_dir", "must not be empty when database.url is not set")
	}
	if d.MaxOpenConns < 1 {
		add("database.max_open_conns", "must be at least 1, not %d", d.MaxOpenConns)
	}
	if d.MaxIdleConns < 0 || d.MaxIdleConns > d.MaxOpenConns {
		add("database.max_idle_conns", "must be between 0 and database.max_open_conns (%d), not %d", d.MaxOpenConns, d.MaxIdleConns)
	}
	if d.ConnMaxLifetime < 0 {
		add("database.conn_max_lifetime", "must not be negative")
	}
	if d.ConnectTimeout <= 0 {
		add("database.connect_timeout", "must be positive (such as 60s)")
	}
}

func (c *Config) validateTelegram(add func(key, format string, args ...any)) {
	t := c.Telegram
	if t.Token != "" && !telegramToken.MatchString(t.Token.Value()) {
		add("telegram.token", "does not look like a bot token from BotFather (digits, a colon, then letters)")
	}
	if err := checkHTTPURL(t.APIURL); err != nil {
		add("telegram.api_url", "%v", err)
	}
	if !slices.Contains(telegramModes, t.Mode) {
		add("telegram.mode", "%q is not polling or webhook", t.Mode)
	}
	if t.WebhookSecret != "" && !webhookSecret.MatchString(t.WebhookSecret.Value()) {
		add("telegram.webhook_secret", "must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
	}
	if t.Mode != ModeWebhook {
		return
	}
	if t.Token == "" {
		add("telegram.token", "must be set when telegram.mode is webhook")
	}
	if t.WebhookURL == "" {
		add("telegram.webhook_url", "must be set when telegram.mode is webhook")
	} else if err := checkHTTPURL(t.WebhookURL); err != nil {
		add("telegram.webhook_url", "%v", err)
	}
	if t.WebhookSecret == "" {
		add("telegram.webhook_secret", "must be set when telegram.mode is webhook")
	}
}

// checkDSN accepts an empty string (the local database), a postgres:// URL or
// key=value pairs. Its errors never quote the value: it may hold a password.
func checkDSN(dsn string) error {
	if dsn == "" {
		return nil
	}
	if isURLDSN(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return fmt.Errorf("is not a valid URL")
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return fmt.Errorf("names no host (want postgres://user@host:5432/dbname)")
		}
		return nil
	}
	if !strings.Contains(dsn, "=") {
		return fmt.Errorf("is not a PostgreSQL URL (want postgres://user@host:5432/dbname or key=value pairs)")
	}
	return nil
}

func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (such as 127.0.0.1:8080 or :8080)", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("%q has an invalid port", addr)
	}
	return nil
}

func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}
