package config

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// WriteYAML writes c as a configuration file that Load reads back to the same
// Config: sections and keys in declaration order, durations as "10s".
func (c Config) WriteYAML(w io.Writer) error {
	root := &yaml.Node{Kind: yaml.MappingNode}
	var section *yaml.Node
	for _, f := range fields(&c) {
		name, key, _ := strings.Cut(f.key, ".")
		if section == nil || root.Content[len(root.Content)-2].Value != name {
			section = &yaml.Node{Kind: yaml.MappingNode}
			root.Content = append(root.Content, scalar(name), section)
		}
		val := f.val.Interface()
		if d, ok := val.(time.Duration); ok {
			val = d.String()
		}
		node := &yaml.Node{}
		if err := node.Encode(val); err != nil {
			return fmt.Errorf("encode %s: %w", f.key, err)
		}
		if f.val.Kind() == reflect.Slice {
			node.Style = yaml.FlowStyle
		}
		section.Content = append(section.Content, scalar(key), node)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return err
	}
	return enc.Close()
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }
