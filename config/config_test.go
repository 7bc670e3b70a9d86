package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// envMap is a LookupEnv over a fixed map, so tests never see the real
// environment.
func envMap(m map[string]string) LookupEnv {
	return func(key string) (string, bool) {
		v, ok := m[key]
		return v, ok
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hearth.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultsAreValid(t *testing.T) {
	cfg, err := Load("", envMap(nil))
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Fatalf("Load with nothing set differs from Default():\n%+v\n%+v", cfg, Default())
	}
}

func TestEnvironmentOverridesFileOverridesDefaults(t *testing.T) {
	path := writeFile(t, `
http:
  addr: 127.0.0.1:9000
log:
  level: debug
community:
  name: Beans & Co
owners: [telegram:1]
database:
  max_open_conns: 7
`)
	cfg, err := Load(path, envMap(map[string]string{
		"HEARTH_HTTP_ADDR":          "0.0.0.0:8081",
		"HEARTH_OWNERS":             " telegram:42, discord:99 ",
		"HEARTH_DB_CONNECT_TIMEOUT": "5s",
		"HEARTH_LOG_LEVEL":          "", // empty counts as unset
		"HEARTH_CLV_DISCOUNT_RATE":  "0.005",
	}))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key       string
		got, want any
	}{
		{"http.addr (env over file)", cfg.HTTP.Addr, "0.0.0.0:8081"},
		{"log.level (file; empty env ignored)", cfg.Log.Level, "debug"},
		{"community.name (file)", cfg.Community.Name, "Beans & Co"},
		{"database.max_open_conns (file)", cfg.Database.MaxOpenConns, 7},
		{"database.connect_timeout (env)", cfg.Database.ConnectTimeout, 5 * time.Second},
		{"database.max_idle_conns (default)", cfg.Database.MaxIdleConns, 5},
		{"clv.discount_rate (env, a number)", cfg.CLV.DiscountRate, 0.005},
		{"owners (env list)", cfg.Owners, []string{"telegram:42", "discord:99"}},
		{"owner accounts", cfg.OwnerAccounts(), []Owner{{"telegram", "42"}, {"discord", "99"}}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.key, c.got, c.want)
		}
	}
}

func TestConfigFileFromEnvironment(t *testing.T) {
	path := writeFile(t, "community:\n  timezone: Europe/Athens\n")
	cfg, err := Load("", envMap(map[string]string{FileEnv: path}))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Location().String(); got != "Europe/Athens" {
		t.Fatalf("timezone from HEARTH_CONFIG file: got %s", got)
	}
}

func TestMissingFileIsAnError(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), envMap(nil))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("got %v, want an error naming the file", err)
	}
}

// problemsOf loads and returns the problems, failing if there are none.
func problemsOf(t *testing.T, path string, env map[string]string) Problems {
	t.Helper()
	_, err := Load(path, envMap(env))
	p, ok := err.(Problems)
	if !ok {
		t.Fatalf("got error %v (%T), want Problems", err, err)
	}
	return p
}

func TestEveryProblemIsReportedWithItsKey(t *testing.T) {
	path := writeFile(t, `
http:
  addr: nonsense
log:
  level: loud
  colour: red
telegram:
  mode: carrier-pigeon
database:
  max_open_conns: lots
`)
	got := problemsOf(t, path, map[string]string{
		"HEARTH_DB_CONNECT_TIMEOUT": "soon",
		"HEARTH_TIMEZONE":           "Mars/Olympus",
		"HEARTH_OWNERS":             "telegram:12,bob",
		"DISCORD_GUILD_IDS":         "123,abc",
		"HEARTH_CLV_MARGIN_RATE":    "30%",
		"HEARTH_ONBOARDING_CAPTCHA": "sometimes",
	})
	want := []string{
		"line 6: unknown key log.colour",
		"line 10: database.max_open_conns: cannot unmarshal !!str `lots` into a whole number",
		"database.connect_timeout (from HEARTH_DB_CONNECT_TIMEOUT): \"soon\" is not a duration",
		"clv.margin_rate (from HEARTH_CLV_MARGIN_RATE): \"30%\" is not a number",
		"onboarding.captcha (from HEARTH_ONBOARDING_CAPTCHA): \"sometimes\" is not true or false",
		"telegram.mode: \"carrier-pigeon\" is not polling or webhook",
		"http.addr: \"nonsense\" is not host:port",
		"log.level: \"loud\" is not one of debug, info, warn, error",
		"discord.guild_ids[1]: \"abc\" is not a Discord id",
		"community.timezone: \"Mars/Olympus\" is not an IANA time zone",
		"owners[1]: \"bob\" is not platform:user_id",
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(got), len(want), got)
	}
	text := got.Error()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("problems lack %q:\n%s", w, text)
		}
	}
}

// validationCases are one bad setting each, with the problem Validate
// must report for it.
var validationCases = []struct {
	name   string
	change func(*Config)
	want   string
}{
	{"webhook needs url, secret and token", func(c *Config) { c.Telegram.Mode = ModeWebhook },
		"telegram.token: must be set when telegram.mode is webhook"},
	{"webhook url must be http(s)", func(c *Config) {
		c.Telegram.Mode, c.Telegram.WebhookURL = ModeWebhook, "ftp://example.com/hook"
	}, "telegram.webhook_url: \"ftp://example.com/hook\" is not an http(s) URL"},
	{"bad webhook secret", func(c *Config) { c.Telegram.WebhookSecret = "has spaces" },
		"telegram.webhook_secret: must be 1-256 characters"},
	{"bad api url", func(c *Config) { c.Discord.APIURL = "discord.com" },
		"discord.api_url: \"discord.com\" is not an http(s) URL"},
	{"unknown language", func(c *Config) { c.Community.DefaultLanguage = "xx" },
		"community.default_language: \"xx\" is not one of en, el, ru, pl, ro"},
	{"idle over open", func(c *Config) { c.Database.MaxIdleConns = 50 },
		"database.max_idle_conns: must be between 0 and database.max_open_conns (20), not 50"},
	{"no data dir", func(c *Config) { c.Database.DataDir = " " },
		"database.data_dir: must not be empty"},
	{"not a dsn", func(c *Config) { c.Database.URL = "localhost" },
		"database.url: is not a PostgreSQL URL"},
	{"port out of range", func(c *Config) { c.HTTP.Addr = "127.0.0.1:70000" },
		"http.addr: \"127.0.0.1:70000\" has an invalid port"},
	{"empty community name", func(c *Config) { c.Community.Name = "" },
		"community.name: must not be empty"},
	{"short link secret", func(c *Config) { c.Link.Secret = "short" },
		"link.secret: is too short"},
	{"short link lifetime", func(c *Config) { c.Link.TTL = time.Second },
		"link.ttl: must be at least 1m"},
	{"refresh time", func(c *Config) { c.CLV.RefreshAt = "3am" },
		"clv.refresh_at: \"3am\" is not a time of day as HH:MM"},
	{"clv time zone", func(c *Config) { c.CLV.Timezone = "Mars/Olympus" },
		"clv.timezone: \"Mars/Olympus\" is not an IANA time zone"},
	{"clv period", func(c *Config) { c.CLV.Period = "fortnight" },
		"clv.period: \"fortnight\" is not one of day, week, month"},
	{"clv horizon", func(c *Config) { c.CLV.HorizonMonths = 0 },
		"clv.horizon_months: must be between 1 and 120, not 0"},
	{"discount as a percentage", func(c *Config) { c.CLV.DiscountRate = 10 },
		"clv.discount_rate: must be a monthly rate from 0 up to 1 (such as 0.01 for 1%), not 10"},
	{"margin rate", func(c *Config) { c.CLV.MarginRate = 0 },
		"clv.margin_rate: must be a share above 0 and at most 1"},
	{"acquisition cost", func(c *Config) { c.CLV.AcquisitionCost = -5 },
		"clv.acquisition_cost: must not be negative, not -5"},
	{"SLA target without resolution", func(c *Config) { c.Support.SLAHigh = "1h" },
		"support.sla_high: \"1h\" is not a first-response and a resolution target such as 1h/8h"},
	{"SLA resolution before the first response", func(c *Config) { c.Support.SLALow = "8h/1h" },
		"support.sla_low: \"8h/1h\": the resolution target is shorter than the first-response one"},
	{"business hours across midnight", func(c *Config) { c.Support.BusinessHours = "18:00-09:00" },
		"support.business_hours: \"18:00-09:00\" is not a span of the day such as 09:00-18:00"},
	{"business days misspelt", func(c *Config) { c.Support.BusinessDays = "mon-fry" },
		"support.business_days: \"mon-fry\" is not a list of days such as mon-fri or sat,sun"},
	{"unknown owner platform", func(c *Config) { c.Owners = []string{"slack:1"} },
		"owners[0]: \"slack:1\": unknown platform \"slack\""},
	{"unknown activity", func(c *Config) { c.Engagement.Weights = []string{"message=2", "posts=1"} },
		"engagement.weights: entry 2 \"posts=1\": want kind=number"},
	{"negative points", func(c *Config) { c.Loyalty.Points = []string{"message=-1"} },
		"loyalty.points: entry 1 \"message=-1\": \"-1\" is not a number of 0 or more"},
	{"levels out of order", func(c *Config) { c.Engagement.Level2 = 99 },
		"engagement.level1_percentile: levels 1 to 3 need falling percentiles"},
	{"loyal above vip", func(c *Config) { c.Tiers.LoyalPercentile = 95 },
		"tiers.loyal_percentile: must not be above tiers.vip_percentile (90), not 95"},
	{"drop as a percentage", func(c *Config) { c.Tiers.AtRiskDrop = 50 },
		"tiers.at_risk_drop: must be a share from 0 to 1, not 50"},
	{"tier role without a tier", func(c *Config) { c.Discord.TierRoles = []string{"gold=123"} },
		"discord.tier_roles[0]: \"gold\" is not a tier"},
	{"vip chat is a user", func(c *Config) { c.Telegram.VIPChatID = "12345" },
		"telegram.vip_chat_id: \"12345\" is not a Telegram group id"},
	{"ladder going down", func(c *Config) { c.Moderation.Ladder = []string{"3=mute 1h", "2=ban"} },
		"moderation.ladder: step 2 \"2=ban\": the steps must climb"},
	{"ladder with a bad duration", func(c *Config) { c.Moderation.Ladder = []string{"3=mute 1 hour"} },
		"moderation.ladder: step 1 \"3=mute 1 hour\": want an action"},
	{"blocklist regexp", func(c *Config) { c.Moderation.Blocklist = []string{"spam", "/(unclosed/"} },
		"moderation.blocklist: entry 2 \"/(unclosed/\" is not a valid regular expression"},
	{"flood of one", func(c *Config) { c.Moderation.FloodMessages = 1 },
		"moderation.flood_messages: must be 0 (off) or between 2 and 100, not 1"},
	{"quiet hours", func(c *Config) { c.Announce.QuietHours = "10pm-8am" },
		"announce.quiet_hours: \"10pm-8am\" is not a span of the day"},
	{"captcha timeout", func(c *Config) { c.Onboarding.CaptchaTimeout = time.Second },
		"onboarding.captcha_timeout: must be between 30s and 24h, not 1s"},
	{"sent messages kept for no time", func(c *Config) { c.Outbox.KeepSent = 0 },
		"outbox.keep_sent: must be at least 1h (such as 168h, a week), not 0s"},
	{"audit kept a day", func(c *Config) { c.Audit.Keep = 24 * time.Hour },
		"audit.keep: must be at least 720h (30 days; the default is 17520h, two years), not 24h0m0s"},
}

func TestValidationRules(t *testing.T) {
	for _, c := range validationCases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			c.change(&cfg)
			if got := cfg.Validate().Error(); !strings.Contains(got, c.want) {
				t.Fatalf("got %s\nwant a problem containing %q", got, c.want)
			}
		})
	}
}

const sentinel = "SENTINEL-s3cr3t-value-0123456789abcdef"

func TestSecretsAreNeverShown(t *testing.T) {
	cfg := Default()
	cfg.Telegram.Token = Secret("123:" + sentinel)
	cfg.Telegram.WebhookSecret = Secret(sentinel)
	cfg.Discord.Token = Secret(sentinel)
	cfg.Link.Secret = Secret(sentinel)
	cfg.Shop.WebhookSecret = Secret(sentinel)
	cfg.Shop.ShopifySecret = Secret(sentinel)
	cfg.Shop.WooCommerceSecret = Secret(sentinel)
	cfg.Database.URL = DSN("postgres://hearth:" + sentinel + "@db.example:5432/hearth?sslmode=disable")

	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "telegram", cfg.Telegram, "url", cfg.Database.URL, "token", cfg.Discord.Token)
	yamlOut, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	jsonOut, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", cfg),
		"%+v":  fmt.Sprintf("%+v", cfg),
		"%#v":  fmt.Sprintf("%#v", cfg),
		"%s":   fmt.Sprintf("%s %s", cfg.Link.Secret, cfg.Database.URL),
		"yaml": string(yamlOut),
		"json": string(jsonOut),
		"slog": logs.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, sentinel) {
			t.Errorf("%s output reveals a secret:\n%s", name, out)
		}
	}
	if !strings.Contains(string(yamlOut), "db.example:5432") {
		t.Errorf("yaml hides the whole database URL, want only its password masked:\n%s", yamlOut)
	}
	if cfg.Link.Secret.Value() != sentinel {
		t.Errorf("Value() must return the secret itself")
	}
}

func TestInvalidSecretsAreNotEchoed(t *testing.T) {
	got := problemsOf(t, "", map[string]string{
		"TELEGRAM_BOT_TOKEN":      sentinel, // no "digits:" prefix
		"TELEGRAM_WEBHOOK_SECRET": sentinel + " !",
		"HEARTH_LINK_SECRET":      "short-" + sentinel[:5],
		"DATABASE_URL":            "postgres://u:" + sentinel + "@%zz/db",
	})
	if len(got) != 4 {
		t.Errorf("got %d problems, want 4: %v", len(got), got)
	}
	if text := got.Error(); strings.Contains(text, sentinel[:8]) {
		t.Fatalf("a problem quotes a secret:\n%s", text)
	}
}

func TestRedactDSN(t *testing.T) {
	cases := map[string]string{
		"": "",
		"postgres://u:pw@h:5432/db?sslmode=disable": "postgres://u:%2A%2A%2A%2A%2A%2A%2A%2A@h:5432/db?sslmode=disable",
		"postgres://u@h/db":                         "postgres://u@h/db",
		"postgres://h/db?password=pw":               "postgres://h/db?password=%2A%2A%2A%2A%2A%2A%2A%2A",
		"host=h user=u password=pw dbname=db":       "host=h user=u password=******** dbname=db",
		"host=h password='p w\\'x' dbname=db":       "host=h password=******** dbname=db",
		// The scheme and the keys are read in any case, as PostgreSQL reads them.
		"POSTGRES://u:pw@h/db":                "postgres://u:%2A%2A%2A%2A%2A%2A%2A%2A@h/db",
		"PostgreSQL://u:pw@h/db?PassWord=pw2": "postgresql://u:%2A%2A%2A%2A%2A%2A%2A%2A@h/db?PassWord=%2A%2A%2A%2A%2A%2A%2A%2A",
		"HOST=h PASSWORD=pw dbname=db":        "HOST=h PASSWORD=******** dbname=db",
		"host=h Password = 'p w' dbname=db":   "host=h Password = ******** dbname=db",
	}
	for in, want := range cases {
		if got := RedactDSN(in); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExampleFileDocumentsEveryKey keeps hearth.example.yaml true: it must
// load cleanly, show the defaults, and name every key and its variable.
func TestExampleFileDocumentsEveryKey(t *testing.T) {
	path := filepath.Join("..", "hearth.example.yaml")
	cfg, err := Load(path, envMap(nil))
	if err != nil {
		t.Fatalf("example file: %v", err)
	}
	def := Default()
	def.Discord.GuildIDs, def.Discord.StaffRoleIDs, def.Owners, def.Telegram.Groups = []string{}, []string{}, []string{}, []string{}
	def.Discord.TierRoles, def.Engagement.Weights, def.Loyalty.Points, def.Moderation.Blocklist = []string{}, []string{}, []string{}, []string{}
	if !reflect.DeepEqual(cfg, def) {
		t.Errorf("example file values differ from the defaults:\n%+v\n%+v", cfg, def)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := keysByLine(mustNode(t, text))
	documented := map[string]bool{}
	for _, key := range lines {
		documented[key] = true
	}
	for _, f := range fields(&cfg) {
		if !documented[f.Key] {
			t.Errorf("example file lacks key %s", f.Key)
		}
		if f.Env == "" {
			t.Errorf("key %s has no environment variable", f.Key)
		} else if !strings.Contains(string(text), f.Env) {
			t.Errorf("example file does not mention %s (for %s)", f.Env, f.Key)
		}
	}
}

func mustNode(t *testing.T, text []byte) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(text, &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestReadmeDocumentsEveryKey keeps the README's configuration table true.
func TestReadmeDocumentsEveryKey(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Default()
	for _, f := range fields(&cfg) {
		row := fmt.Sprintf("| `%s` | `%s` |", f.Key, f.Env)
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no configuration row starting %s", row)
		}
	}
}

func TestHideDSNPassword(t *testing.T) {
	for _, dsn := range []string{"postgres://u:" + sentinel + "@h:5432/db", "POSTGRES://u:" + sentinel + "@h:5432/db"} {
		msg := `parse "` + dsn + `": invalid port`
		if got := HideDSNPassword(msg, dsn); strings.Contains(got, sentinel) || !strings.Contains(got, "u:********@h:5432/db") {
			t.Errorf("HideDSNPassword: %q", got)
		}
	}
}

// TestUpperCaseDSNSchemeIsMaskedAndUsable: a URL scheme is case-insensitive,
// so POSTGRES:// is masked wherever the configuration is shown and reaches
// the driver (which only reads a lower-case scheme) as postgres://.
func TestUpperCaseDSNSchemeIsMaskedAndUsable(t *testing.T) {
	cfg, err := Load("", envMap(map[string]string{"DATABASE_URL": "POSTGRES://hearth:" + sentinel + "@db.example:5432/hearth"}))
	if err != nil {
		t.Fatal(err)
	}
	yamlOut, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"yaml": string(yamlOut), "%v": fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", cfg)} {
		if strings.Contains(out, sentinel) {
			t.Errorf("%s output reveals the password:\n%s", name, out)
		}
	}
	if got, want := cfg.Database.URL.Value(), "postgres://hearth:"+sentinel+"@db.example:5432/hearth"; got != want {
		t.Errorf("Value() = %q, want %q", got, want)
	}
}
