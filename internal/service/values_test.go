package service

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		secret   bool
		want     string // JSON of the result, or the error's text
		wantErr  bool
	}{
		{"empty", "", false, `{}`, false},
		{"null document", "~", false, `{}`, false},
		{"mapping", "a: 1\nb: {c: [x, z]}\n", false, `{"a":1,"b":{"c":["x","z"]}}`, false},
		{"YAML 1.1 booleans, as Helm reads them", "on: yes", false, `{"true":true}`, false},
		{"nulls dropped", "a: null\nb: {c: ~, d: 1}", false, `{"b":{"d":1}}`, false},
		{"big numbers keep their digits", "big: 12345678901234567890", false, `{"big":12345678901234567890}`, false},
		{"list", "- a", false, "YAML list, not a mapping", true},
		{"scalar", "hello", false, "YAML string, not a mapping", true},
		{"broken", "a: [1, 2", false, "not valid YAML: yaml: line 1", true},
		{"broken secret names only the line", "a: 1\npw: [hunter2-Secret", true, "it is not valid YAML (line 2)", true},
	}
	for _, tt := range tests {
		got, err := parseValues(tt.in, tt.secret)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error = %v, want it to contain %q", tt.name, err, tt.want)
			}
			if tt.secret && err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: the error quotes the secret", tt.name)
			}
			continue
		}
		raw, _ := json.Marshal(got)
		if err != nil || string(raw) != tt.want {
			t.Errorf("%s: = %s, %v; want %s", tt.name, raw, err, tt.want)
		}
	}
}

func TestDeepMerge(t *testing.T) {
	t.Parallel()
	base := map[string]any{"a": map[string]any{"x": 1, "y": map[string]any{"k": "v"}}, "l": []any{1, 2}, "s": "base"}
	over := map[string]any{"a": map[string]any{"y": map[string]any{"p": "secret"}, "z": 3}, "l": []any{9}, "s": map[string]any{"now": "a map"}}
	got := deepMerge(base, over)
	want := map[string]any{
		"a": map[string]any{"x": 1, "y": map[string]any{"k": "v", "p": "secret"}, "z": 3},
		"l": []any{9}, "s": map[string]any{"now": "a map"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deepMerge = %v, want %v", got, want)
	}
	if _, changed := base["a"].(map[string]any)["z"]; changed {
		t.Error("deepMerge changed its input")
	}
	if got := deepMerge(nil, map[string]any{"a": 1}); !reflect.DeepEqual(got, map[string]any{"a": 1}) {
		t.Errorf("deepMerge(nil, …) = %v", got)
	}
}

func TestLeafPathsExtractRedact(t *testing.T) {
	t.Parallel()
	secret := map[string]any{"postgresql": map[string]any{"auth": map[string]any{"password": "pw1", "postgresPassword": "pw2"}}, "redis": map[string]any{"auth": map[string]any{"password": "pw3"}}, "empty": map[string]any{}}
	paths := leafPaths(secret)
	want := [][]string{{"empty"}, {"postgresql", "auth", "password"}, {"postgresql", "auth", "postgresPassword"}, {"redis", "auth", "password"}}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("leafPaths = %v, want %v", paths, want)
	}
	merged := deepMerge(map[string]any{"postgresql": map[string]any{"auth": map[string]any{"username": "u"}}}, secret)
	back, ok := extract(merged, paths)
	if !ok || !reflect.DeepEqual(canonical(back), canonical(secret)) {
		t.Errorf("extract = %v, %v; want the sensitive tree back", back, ok)
	}
	if _, ok := extract(map[string]any{"redis": map[string]any{}}, paths); ok {
		t.Error("extract of a tree missing the paths reported ok")
	}
	red := redact(merged, paths, func(p []string) bool { return p[0] == "redis" })
	raw, _ := json.Marshal(red)
	for _, pw := range []string{"pw1", "pw2", "pw3"} {
		if strings.Contains(string(raw), pw) {
			t.Errorf("redact left %s in %s", pw, raw)
		}
	}
	if !strings.Contains(string(raw), `"username":"u"`) || strings.Count(string(raw), `"`+Redacted+`"`) != 3 || strings.Count(string(raw), RedactedChanged) != 1 {
		t.Errorf("redact = %s", raw)
	}
	if raw, _ := json.Marshal(merged); !strings.Contains(string(raw), "pw1") {
		t.Error("redact changed its input")
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	a, _ := parseValues("b: 1\na: {x: true}", false)
	b := map[string]any{"a": map[string]any{"x": true}, "b": int64(1)} // as read from the cluster
	if !reflect.DeepEqual(canonical(a), canonical(b)) {
		t.Error("the same values parsed and read back differ")
	}
	c := map[string]any{"a": map[string]any{"x": true}, "b": int64(2)}
	if reflect.DeepEqual(canonical(a), canonical(c)) {
		t.Error("different values compare equal")
	}
}

func TestProject(t *testing.T) {
	t.Parallel()
	desired := map[string]any{"spec": map[string]any{"source": map[string]any{"path": "k8s", "helm": map[string]any{"valuesObject": map[string]any{"a": 1}}}, "list": []any{"x"}}}
	live := map[string]any{
		"spec": map[string]any{
			"source": map[string]any{"path": "other", "directory": map[string]any{"recurse": true}, "helm": map[string]any{"valuesObject": map[string]any{"a": 1, "b": 2}}},
			"list":   []any{"x", "y"}, "extra": true,
		},
		"status": map[string]any{"sync": "Synced"},
	}
	got := project(live, desired)
	want := map[string]any{"spec": map[string]any{"source": map[string]any{"path": "other", "helm": map[string]any{"valuesObject": map[string]any{"a": 1}}}, "list": []any{"x", "y"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("project = %v, want %v", got, want)
	}
	if got := project(map[string]any{}, desired); !reflect.DeepEqual(got, map[string]any{}) {
		t.Errorf("project of a missing spec = %v", got)
	}
}
