package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FileEnv is the environment variable that names the configuration file
// when --config is not given.
const FileEnv = "HEARTH_CONFIG"

// Problems lists everything wrong with a configuration, each entry naming
// the key (and, where it came from there, the file line or environment
// variable) it is about.
type Problems []string

// Error lists the problems, one per line.
func (p Problems) Error() string {
	noun := "problems"
	if len(p) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("invalid configuration (%d %s):\n  - %s", len(p), noun, strings.Join(p, "\n  - "))
}

// LookupEnv finds an environment variable; os.LookupEnv in production.
type LookupEnv func(key string) (string, bool)

// Load builds the configuration from the defaults, the YAML file at path (or
// named by HEARTH_CONFIG when path is empty; no file is fine) and the
// environment, and validates it. Every problem found on the way is returned
// at once as Problems; a file that cannot be read is a plain error.
func Load(path string, env LookupEnv) (Config, error) {
	cfg := Default()
	if path == "" {
		path, _ = env(FileEnv)
	}
	var problems Problems
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("read config file: %w", err)
		}
		problems = append(problems, decodeFile(path, data, &cfg)...)
	}
	problems = append(problems, applyEnv(&cfg, env)...)
	problems = append(problems, cfg.Validate()...)
	if len(problems) > 0 {
		return cfg, problems
	}
	return cfg, nil
}

// decodeFile decodes YAML into cfg, rejecting unknown keys, and reports
// problems with their file line and key.
func decodeFile(path string, data []byte, cfg *Config) Problems {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Problems{fmt.Sprintf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(cfg)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	var typeErr *yaml.TypeError
	if !errors.As(err, &typeErr) {
		return Problems{fmt.Sprintf("%s: %v", path, err)}
	}
	keys := keysByLine(&root)
	var out Problems
	for _, msg := range typeErr.Errors {
		out = append(out, fmt.Sprintf("%s: %s", path, describeYAMLError(msg, keys)))
	}
	return out
}

var (
	yamlLine      = regexp.MustCompile(`^line (\d+): (.*)$`)
	yamlUnknown   = regexp.MustCompile(`^field \S+ not found in type`)
	yamlGoTypeTag = regexp.MustCompile(`into (\S+)$`)
)

// yamlTypeNames says in plain words what the Go types of Config hold.
var yamlTypeNames = map[string]string{
	"time.Duration":    "a duration (such as 30s or 5m)",
	"int":              "a whole number",
	"string":           "a text value",
	"config.Secret":    "a text value",
	"config.DSN":       "a text value",
	"[]string":         "a list",
	"config.Config":    "a section",
	"config.Database":  "a section",
	"config.HTTP":      "a section",
	"config.Log":       "a section",
	"config.Telegram":  "a section",
	"config.Discord":   "a section",
	"config.Community": "a section",
	"config.Link":      "a section",
}

// describeYAMLError rewrites one of yaml's type errors so that it names the
// key in Hearth's terms instead of Go's.
func describeYAMLError(msg string, keys map[int]string) string {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	key, detail := keys[line], m[2]
	if yamlUnknown.MatchString(detail) {
		return fmt.Sprintf("line %d: unknown key %s", line, key)
	}
	if t := yamlGoTypeTag.FindStringSubmatch(detail); t != nil && yamlTypeNames[t[1]] != "" {
		detail = strings.TrimSuffix(detail, t[0]) + "into " + yamlTypeNames[t[1]]
	}
	return fmt.Sprintf("line %d: %s: %s", line, key, detail)
}

// keysByLine maps each line of a YAML document to the dotted key written on
// it (list items map to their list's key).
func keysByLine(root *yaml.Node) map[int]string {
	keys := map[int]string{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				if path != "" {
					keys[c.Line] = path
				}
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				if path != "" {
					key = path + "." + key
				}
				keys[n.Content[i].Line] = key
				walk(n.Content[i+1], key)
			}
		}
	}
	walk(root, "")
	return keys
}

// field is one configuration key with its environment variable.
type field struct {
	Key    string
	Env    string
	value  reflect.Value
	secret bool
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	secretType   = reflect.TypeFor[Secret]()
	dsnType      = reflect.TypeFor[DSN]()
)

// fields lists every key of cfg in declaration order.
func fields(cfg *Config) []field {
	var out []field
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			key := prefix + strings.Split(f.Tag.Get("yaml"), ",")[0]
			if f.Type.Kind() == reflect.Struct {
				walk(v.Field(i), key+".")
				continue
			}
			out = append(out, field{
				Key:    key,
				Env:    f.Tag.Get("env"),
				value:  v.Field(i),
				secret: f.Type == secretType || f.Type == dsnType,
			})
		}
	}
	walk(reflect.ValueOf(cfg).Elem(), "")
	return out
}

// applyEnv overrides cfg with every environment variable that is set and not
// empty. Lists are comma-separated.
func applyEnv(cfg *Config, env LookupEnv) Problems {
	var problems Problems
	for _, f := range fields(cfg) {
		raw, ok := env(f.Env)
		raw = strings.TrimSpace(raw)
		if !ok || raw == "" {
			continue
		}
		if err := setFromString(f.value, raw); err != nil {
			shown := strconv.Quote(raw)
			if f.secret {
				shown = "the value"
			}
			problems = append(problems, fmt.Sprintf("%s (from %s): %s %s", f.Key, f.Env, shown, err))
		}
	}
	return problems
}

func setFromString(v reflect.Value, raw string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return errors.New("is not a duration (such as 30s, 5m or 1h)")
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return errors.New("is not a whole number")
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return errors.New("is not a number (such as 0.01)")
		}
		v.SetFloat(f)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return errors.New("is not true or false")
		}
		v.SetBool(b)
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		var items []string
		for item := range strings.SplitSeq(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		v.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("cannot be set from the environment (type %s)", v.Type())
	}
	return nil
}
