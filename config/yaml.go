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
	for _, f := range fields(&c) {
		path := strings.Split(f.key, ".")
		section := root
		for _, name := range path[:len(path)-1] { // sections and subsections (server.cors)
			section = child(section, name)
		}
		key := path[len(path)-1]
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

// child returns the mapping under key name of m, appending it when m's last
// key is another (fields come grouped by section, in declaration order).
func child(m *yaml.Node, name string) *yaml.Node {
	if n := len(m.Content); n >= 2 && m.Content[n-2].Value == name {
		return m.Content[n-1]
	}
	c := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, scalar(name), c)
	return c
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }
