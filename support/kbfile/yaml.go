package kbfile

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hearthbot/hearth/support"
)

// The YAML format: a list of entries, each a mapping with the keys
// question, answer, tags (a list, or one string of comma-separated tags)
// and lang; any other key is a problem.

// yamlEntry is an entry as WriteYAML writes it.
type yamlEntry struct {
	Question string   `yaml:"question"`
	Lang     string   `yaml:"lang"`
	Tags     []string `yaml:"tags,flow,omitempty"`
	Answer   string   `yaml:"answer"`
}

// yamlError matches the line a yaml syntax error names.
var yamlError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML reads the entries of a YAML file.
func parseYAML(lines []string, ps *problems) []draft {
	var doc yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(strings.Join(lines, "\n")))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, msg := 0, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlError.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		ps.add(line, invalid("kbfile.bad_yaml", map[string]any{"Error": msg}, "not YAML: %s", msg))
		return nil
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		ps.add(more.Line, invalid("kbfile.yaml_documents", nil, "a second YAML document; put all entries in one list"))
		return nil
	}
	list := resolve(&doc)
	if list.Kind == yaml.DocumentNode && len(list.Content) == 1 {
		list = resolve(list.Content[0])
	}
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		ps.add(list.Line, invalid("kbfile.yaml_not_list", nil, "the file is not a list of entries (- question: ...)"))
		return nil
	}
	drafts := make([]draft, 0, len(list.Content))
	for _, item := range list.Content {
		if d, ok := yamlDraft(resolve(item), ps); ok {
			drafts = append(drafts, d)
		}
	}
	return drafts
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// yamlDraft reads one entry of the list; false when it is not a mapping
// of the known keys (the problems are recorded).
func yamlDraft(item *yaml.Node, ps *problems) (draft, bool) {
	if item.Kind != yaml.MappingNode {
		ps.add(item.Line, invalid("kbfile.yaml_not_entry", nil, "an item that is not an entry (question: ..., answer: ...)"))
		return draft{}, false
	}
	d := draft{line: item.Line, entry: support.Entry{Tags: []string{}}}
	ok := true
	seen := map[string]int{}
	for i := 0; i+1 < len(item.Content); i += 2 {
		key, value := resolve(item.Content[i]), resolve(item.Content[i+1])
		if first, twice := seen[key.Value]; twice {
			ps.add(key.Line, invalid("kbfile.yaml_key_twice", map[string]any{"Key": key.Value, "Line": first},
				"a second %q in the entry (the first is at line %d)", key.Value, first))
			ok = false
			continue
		}
		seen[key.Value] = key.Line
		var err error
		switch key.Value {
		case "question":
			d.entry.Question, err = yamlText(key.Value, value)
		case "answer":
			d.entry.Answer, err = yamlText(key.Value, value)
		case "lang":
			d.entry.Lang, err = yamlText(key.Value, value)
		case "tags":
			d.entry.Tags, err = yamlTags(value)
		default:
			ps.add(key.Line, invalid("kbfile.yaml_unknown_key", map[string]any{"Key": key.Value},
				"unknown key %q; an entry has question, answer, tags and lang", key.Value))
			ok = false
			continue
		}
		if err != nil {
			ps.add(value.Line, err)
			ok = false
		}
	}
	return d, ok
}

// yamlText returns a scalar's text; null is empty.
func yamlText(key string, n *yaml.Node) (string, error) {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return "", nil
	case n.Kind == yaml.ScalarNode:
		return n.Value, nil
	}
	return "", invalid("kbfile.yaml_not_text", map[string]any{"Key": key}, "%s is not text", key)
}

// yamlTags returns tags given as a list or as one comma-separated string.
func yamlTags(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return []string{}, nil
		}
		return strings.Split(n.Value, ","), nil
	case yaml.SequenceNode:
		tags := make([]string, 0, len(n.Content))
		for _, t := range n.Content {
			tag, err := yamlText("a tag", resolve(t))
			if err != nil {
				return nil, err
			}
			tags = append(tags, tag)
		}
		return tags, nil
	}
	return nil, invalid("kbfile.yaml_bad_tags", nil, "tags are not a list ([a, b]) or comma-separated text")
}

// WriteYAML writes entries as a YAML list that Read takes back as they are
// (Normalized), in their order, each with question, lang, tags (when
// there are some) and answer. An entry that fails its checks is an error,
// and then nothing is written. ID and UpdatedAt are not written.
func WriteYAML(w io.Writer, entries []support.Entry) error {
	entries, err := checked(entries)
	if err != nil {
		return err
	}
	out := make([]yamlEntry, len(entries))
	for i, e := range entries {
		out[i] = yamlEntry{Question: e.Question, Lang: e.Lang, Tags: e.Tags, Answer: e.Answer}
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return err
	}
	return enc.Close()
}
