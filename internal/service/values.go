package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Redacted stands in for every sensitive Helm value in the manifest, and
// RedactedChanged for one that another client changed in the cluster
// since the provider wrote it: the next plan shows that line change back.
const (
	Redacted        = "(sensitive value)"
	RedactedChanged = "(sensitive value, changed outside Terraform)"
)

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseValues reads Helm values: a YAML mapping (or nothing). Numbers keep
// their literal form. With secret set, the error says where the YAML is
// broken but never quotes it.
func parseValues(text string, secret bool) (map[string]any, error) {
	if strings.TrimSpace(text) == "" {
		return map[string]any{}, nil
	}
	raw, err := yaml.YAMLToJSON([]byte(text))
	if err != nil {
		if secret {
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
				return nil, fmt.Errorf("it is not valid YAML (line %s)", m[1])
			}
			return nil, errors.New("it is not valid YAML")
		}
		return nil, fmt.Errorf("it is not valid YAML: %s", strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, errors.New("it is not valid YAML")
	}
	switch m := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		pruned, _ := pruneNulls(m).(map[string]any) // pruneNulls keeps a map a map
		return pruned, nil
	default:
		return nil, fmt.Errorf("it is a YAML %s, not a mapping of value names (like `replicaCount: 1`)", kindOf(v))
	}
}

func kindOf(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	}
	return "scalar"
}

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// canonical brings a value from any source (parsed YAML, an object read
// from the cluster) to one form, so that equal values compare equal:
// JSON types, numbers as json.Number.
func canonical(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := decodeJSON(raw)
	if err != nil {
		return v
	}
	return out
}

// pruneNulls drops null values from maps: applying a null removes a field,
// so it would never read back.
func pruneNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if e != nil {
				out[k] = pruneNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = pruneNulls(e)
		}
		return out
	}
	return v
}

// deepMerge returns base with over merged in: maps merge key by key,
// recursively; any other value of over replaces base's. Neither input is
// changed.
func deepMerge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if bm, ok := out[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				out[k] = deepMerge(bm, om)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// leafPaths lists the paths of the values in a tree of maps: the keys
// down to each value that is not a non-empty map, sorted.
func leafPaths(m map[string]any) [][]string {
	var out [][]string
	var walk func(prefix []string, m map[string]any)
	walk = func(prefix []string, m map[string]any) {
		for k, v := range m {
			p := append(append([]string{}, prefix...), k)
			if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
				walk(p, sub)
				continue
			}
			out = append(out, p)
		}
	}
	walk(nil, m)
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00") })
	return out
}

func lookup(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func set(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// extract rebuilds the tree of the values at paths in m; ok is false when
// one of them is missing.
func extract(m map[string]any, paths [][]string) (map[string]any, bool) {
	out := map[string]any{}
	for _, p := range paths {
		v, found := lookup(m, p)
		if !found {
			return out, false
		}
		set(out, p, v)
	}
	return out, true
}

// redact returns a copy of m with every value at paths replaced by
// Redacted, or by RedactedChanged where changed says so. m is not changed.
func redact(m map[string]any, paths [][]string, changed func(path []string) bool) map[string]any {
	out, _ := deepCopy(m).(map[string]any)
	for _, p := range paths {
		if _, ok := lookup(out, p); ok {
			mark := Redacted
			if changed != nil && changed(p) {
				mark = RedactedChanged
			}
			set(out, p, mark)
		}
	}
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// project keeps of live only what desired has: the keys of desired's maps,
// recursively, and live's whole value where desired has any other value.
// Lists are replaced whole by server-side apply, like scalars, except that
// a list of maps as long as desired's (spec.sources) is projected item by
// item, so that a field defaulted inside an item is not a difference.
// What others added next to the provider's fields is not the provider's
// business, and a field missing in live stays missing.
func project(live, desired any) any {
	if dl, ok := desired.([]any); ok {
		ll, ok := live.([]any)
		if !ok || len(ll) != len(dl) {
			return live
		}
		out := make([]any, len(ll))
		for i := range ll {
			out[i] = project(ll[i], dl[i])
		}
		return out
	}
	dm, ok := desired.(map[string]any)
	if !ok {
		return live
	}
	lm, ok := live.(map[string]any)
	if !ok {
		return live
	}
	out := map[string]any{}
	for k, dv := range dm {
		if lv, found := lm[k]; found {
			out[k] = project(lv, dv)
		}
	}
	return out
}
