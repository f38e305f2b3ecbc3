package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// DefaultFile is the configuration file Load reads from LoadOptions.Dir (the
// working directory by default) when LoadOptions.File is empty.
const DefaultFile = "folio.yaml"

// EnvPrefix prefixes the environment variable of every key: server.addr is
// read from FOLIO_SERVER_ADDR. List values are comma-separated.
const EnvPrefix = "FOLIO"

// LoadOptions tell Load where to look besides the defaults and the environment.
type LoadOptions struct {
	// File is the configuration file to read; it must exist. When empty,
	// DefaultFile is read from Dir if it exists there.
	File string
	// Dir is the directory searched for DefaultFile; empty means the working directory.
	Dir string
	// Flags maps configuration keys to command-line flags (e.g. "server.addr" →
	// --addr). A flag overrides everything else, but only when it was set.
	Flags map[string]*pflag.Flag
}

// Load builds the effective configuration: defaults, overridden by the
// configuration file, overridden by FOLIO_* environment variables, overridden
// by the flags that were set. It returns an error naming the file and the key
// for an unknown key in the file, an error naming the key for a value that
// does not parse (e.g. "search.timeout: invalid value \"soon\" ..."), and the
// errors of Validate otherwise.
func Load(opts LoadOptions) (Config, error) {
	v := viper.New()
	def := Default()
	for _, f := range fields(&def) {
		v.SetDefault(f.key, f.val.Interface())
	}

	file := opts.File
	if file == "" {
		candidate := filepath.Join(opts.Dir, DefaultFile)
		if _, err := os.Stat(candidate); err == nil {
			file = candidate
		}
	}
	if file != "" {
		settings, err := readFile(file)
		if err != nil {
			return Config{}, err
		}
		if err := v.MergeConfigMap(settings); err != nil {
			return Config{}, fmt.Errorf("%s: %w", file, err)
		}
	}

	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()

	known := keys()
	for _, key := range slices.Sorted(maps.Keys(opts.Flags)) {
		if !slices.Contains(known, key) {
			return Config{}, fmt.Errorf("flag bound to unknown configuration key %q", key)
		}
		if err := v.BindPFlag(key, opts.Flags[key]); err != nil {
			return Config{}, fmt.Errorf("bind flag to %s: %w", key, err)
		}
	}

	var c Config
	if err := v.Unmarshal(&c, viper.DecodeHook(decodeValue)); err != nil {
		return Config{}, keyErrors(err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// readFile parses a configuration file (YAML unless its extension names
// another format viper reads) and rejects keys Folio does not know.
func readFile(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	fv := viper.New()
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	if !slices.Contains(viper.SupportedExts, ext) {
		ext = "yaml"
	}
	fv.SetConfigType(ext)
	if err := fv.ReadConfig(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	known := keys()
	var problems []string
	found := fv.AllKeys()
	slices.Sort(found)
	for _, k := range found {
		var msg string
		if i := slices.IndexFunc(known, func(key string) bool { return strings.HasPrefix(k, key+".") }); i >= 0 {
			msg = fmt.Sprintf("%s: %q must be a value, not a section", path, known[i])
		} else if slices.Contains(sections(), k) {
			msg = fmt.Sprintf("%s: %q must be a section of keys (e.g. %s), not a value", path, k, firstKey(k))
		} else if !slices.Contains(known, k) {
			msg = fmt.Sprintf("%s: unknown key %q", path, k)
			if s := suggest(k, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
		}
		if msg != "" && !slices.Contains(problems, msg) {
			problems = append(problems, msg)
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	settings := fv.AllSettings()
	if err := sourceEntries(path, settings); err != nil {
		return nil, err
	}
	return settings, nil
}

// field is one configuration key and the struct field that holds it.
type field struct {
	key string
	val reflect.Value
}

// fields lists the keys of c in declaration order, from the mapstructure tags.
func fields(c *Config) []field {
	var out []field
	var walk func(prefix string, s reflect.Value)
	walk = func(prefix string, s reflect.Value) {
		for j := range s.NumField() {
			key := prefix + s.Type().Field(j).Tag.Get("mapstructure")
			if s.Field(j).Kind() == reflect.Struct { // a subsection, e.g. server.cors
				walk(key+".", s.Field(j))
				continue
			}
			out = append(out, field{key, s.Field(j)})
		}
	}
	sections := reflect.ValueOf(c).Elem()
	for i := range sections.NumField() {
		walk(sections.Type().Field(i).Tag.Get("mapstructure")+".", sections.Field(i))
	}
	return out
}

// keys lists every configuration key in declaration order.
func keys() []string {
	var c Config
	var out []string
	for _, f := range fields(&c) {
		out = append(out, f.key)
	}
	return out
}

func sections() []string {
	t := reflect.TypeFor[Config]()
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Tag.Get("mapstructure")
	}
	return out
}

func firstKey(section string) string {
	for _, k := range keys() {
		if strings.HasPrefix(k, section+".") {
			return k
		}
	}
	return section + ".…"
}

// suggest returns the known key closest to k when it is a plausible typo.
func suggest(k string, known []string) string {
	best, bestDist := "", 3
	for _, c := range known {
		if d := editDistance(k, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// decodeValue is the mapstructure decode hook of Load: it converts raw (a
// default, a file value, an environment string or a flag value) to the type
// of the Config field it goes to, or returns an error saying what was
// expected. Sections (structs) pass through for mapstructure to walk.
func decodeValue(_ reflect.Type, to reflect.Type, raw any) (any, error) {
	var (
		out any
		ok  bool
	)
	switch to {
	case reflect.TypeFor[string]():
		switch r := raw.(type) {
		case string:
			return r, nil
		case bool, int, int64, uint64, float64:
			return fmt.Sprint(r), nil
		}
		return nil, invalid(raw, "a string")
	case reflect.TypeFor[int]():
		if out, ok = toInt(raw); !ok {
			return nil, invalid(raw, "an integer")
		}
	case reflect.TypeFor[float64]():
		if out, ok = toFloat(raw); !ok {
			return nil, invalid(raw, "a number")
		}
	case reflect.TypeFor[time.Duration]():
		if out, ok = toDuration(raw); !ok {
			return nil, invalid(raw, "a duration with a unit, such as 500ms, 10s or 1m30s")
		}
	case reflect.TypeFor[bool]():
		if out, ok = toBool(raw); !ok {
			return nil, invalid(raw, "true or false")
		}
	case reflect.TypeFor[[]string]():
		if out, ok = toList(raw); !ok {
			return nil, invalid(raw, "a list of strings, or one comma-separated string")
		}
	default:
		if to.Kind() == reflect.Struct { // a section such as server or server.cors
			return raw, nil
		}
		return nil, fmt.Errorf("unsupported field type %s", to)
	}
	return out, nil
}

// keyErrors flattens the errors of Unmarshal to one "key: problem" per line,
// in declaration order (mapstructure decodes fields in that order).
func keyErrors(err error) error {
	var out []error
	var walk func(error)
	walk = func(err error) {
		if de, ok := err.(*mapstructure.DecodeError); ok {
			if inner, ok := de.Unwrap().(interface{ Unwrap() []error }); ok {
				for _, e := range inner.Unwrap() {
					walk(e)
				}
				return
			}
			out = append(out, fmt.Errorf("%s: %w", de.Name(), de.Unwrap()))
			return
		}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range joined.Unwrap() {
				walk(e)
			}
			return
		}
		if inner := errors.Unwrap(err); inner != nil { // "decoding failed due to the following error(s)"
			walk(inner)
			return
		}
		out = append(out, err)
	}
	walk(err)
	return errors.Join(out...)
}

func toBool(raw any) (bool, bool) {
	switch r := raw.(type) {
	case bool:
		return r, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(r))
		return b, err == nil
	}
	return false, false
}

func invalid(raw any, expected string) error {
	if s, ok := raw.(string); ok {
		return fmt.Errorf("invalid value %q (expected %s)", s, expected)
	}
	return fmt.Errorf("invalid value %v (expected %s)", raw, expected)
}

func toInt(raw any) (int, bool) {
	if s, ok := raw.(string); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		return n, err == nil
	}
	v := reflect.ValueOf(raw)
	switch {
	case v.CanInt():
		return int(v.Int()), true
	case v.CanUint():
		return int(v.Uint()), true
	case v.CanFloat() && v.Float() == float64(int(v.Float())):
		return int(v.Float()), true
	}
	return 0, false
}

func toFloat(raw any) (float64, bool) {
	if s, ok := raw.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	v := reflect.ValueOf(raw)
	switch {
	case v.CanFloat():
		return v.Float(), true
	case v.CanInt():
		return float64(v.Int()), true
	case v.CanUint():
		return float64(v.Uint()), true
	}
	return 0, false
}

// toDuration accepts durations and strings with a unit; a bare number other
// than 0 is rejected, since "timeout: 5" would otherwise mean 5ns.
func toDuration(raw any) (time.Duration, bool) {
	switch r := raw.(type) {
	case time.Duration:
		return r, true
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(r))
		return d, err == nil
	}
	if n, ok := toInt(raw); ok && n == 0 {
		return 0, true
	}
	return 0, false
}

func toList(raw any) ([]string, bool) {
	switch r := raw.(type) {
	case nil:
		return []string{}, true
	case []string:
		return slices.Clone(r), true
	case string:
		out := []string{}
		for _, s := range strings.Split(r, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, true
	case []any:
		out := make([]string, 0, len(r))
		for _, e := range r {
			switch e.(type) {
			case string, int, float64, bool:
				out = append(out, fmt.Sprint(e))
			default:
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}
