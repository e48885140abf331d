package acctest

import (
	"bytes"
	"crypto/md5"  //nolint:gosec // looked for, not used to protect anything
	"crypto/sha1" //nolint:gosec // looked for, not used to protect anything
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// StateFile is the state file the CLI writes for one test, read as it is
// on disk: the harness's state checks see neither the raw file nor
// private state, and the promise that state says nothing about a secret
// covers both.
type StateFile struct{ dir string }

// NewStateFile points the harness's working directories (TF_ACC_TEMP_DIR)
// into a directory of the test's own, where Read finds the state file. It
// sets process environment, so the test cannot run in parallel.
func NewStateFile(t *testing.T) *StateFile {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", dir)
	return &StateFile{dir: dir}
}

// Read returns the state file of the test's working directory.
func (f *StateFile) Read() ([]byte, error) {
	matches, err := filepath.Glob(filepath.Join(f.dir, "plugintest*", "work*", "terraform.tfstate"))
	if err != nil {
		return nil, err
	}
	if len(matches) != 1 {
		return nil, fmt.Errorf("found %d state files under %s, want 1", len(matches), f.dir)
	}
	return os.ReadFile(matches[0])
}

// StateChanges compares two state files and returns the JSON paths
// (never the values) of what differs, sorted, with each resource's private
// state decoded into its documents so that a change inside it is named.
// Resources are named by address: resources.<type>.<name>.instances[0]...
// An instance's sensitive_attributes, the paths of its sensitive
// attributes, is compared as the set it is: the CLIs write it in no fixed
// order, whatever the values.
func StateChanges(before, after []byte) ([]string, error) {
	b, err := flattenState(before)
	if err != nil {
		return nil, fmt.Errorf("the first state: %w", err)
	}
	a, err := flattenState(after)
	if err != nil {
		return nil, fmt.Errorf("the second state: %w", err)
	}
	var out []string
	for p, v := range a {
		if w, ok := b[p]; !ok || w != v {
			out = append(out, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ChangedLines counts the lines of after that are not in before, in a
// line diff of the two files as the CLI wrote them (one attribute per
// line; private state is one line per resource instance).
func ChangedLines(before, after []byte) int {
	x, y := strings.Split(string(before), "\n"), strings.Split(string(after), "\n")
	// Longest common subsequence; state files are a few hundred lines.
	prev, cur := make([]int, len(y)+1), make([]int, len(y)+1)
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			switch {
			case x[i-1] == y[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return len(y) - prev[len(y)]
}

// ExpectStateChanges fails unless exactly the paths want changed between
// the two state files, besides serial and lineage, which may. The message
// lists paths only.
func ExpectStateChanges(before, after []byte, want ...string) error {
	changes, err := StateChanges(before, after)
	if err != nil {
		return err
	}
	got := slices.DeleteFunc(changes, func(p string) bool { return p == "serial" || p == "lineage" })
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		return fmt.Errorf("the state file changed at %s; want %s (%d lines of the file changed)",
			listOrNothing(got), listOrNothing(want), ChangedLines(before, after))
	}
	return nil
}

func listOrNothing(paths []string) string {
	if len(paths) == 0 {
		return "nothing besides serial and lineage"
	}
	return "\n  " + strings.Join(paths, "\n  ") + "\n"
}

// NothingDerivedFrom fails when the state file, private state decoded,
// holds any of the secrets or a common digest or encoding of one: the
// value itself, base64, hex, and MD5, SHA-1, SHA-256 and SHA-512 in hex
// and base64. The message names the path, never the value.
func NothingDerivedFrom(raw []byte, secrets ...string) error {
	flat, err := flattenState(raw)
	if err != nil {
		return err
	}
	if len(flat) < 10 {
		return fmt.Errorf("the state file has %d values; the check would prove nothing", len(flat))
	}
	for i, s := range secrets {
		if s == "" {
			return fmt.Errorf("secret %d is empty; the check would prove nothing", i)
		}
		for _, f := range derivedForms(s) {
			form, needle := f[0], f[1]
			if bytes.Contains(raw, []byte(needle)) {
				return fmt.Errorf("the state file holds %s of secret %d", form, i)
			}
			for p, v := range flat {
				if strings.Contains(v, needle) {
					return fmt.Errorf("%s holds %s of secret %d", p, form, i)
				}
			}
		}
	}
	return nil
}

// derivedForms lists the forms NothingDerivedFrom looks for, in a fixed
// order so that a message always names the same one.
func derivedForms(s string) [][2]string {
	md5sum, sha1sum := md5.Sum([]byte(s)), sha1.Sum([]byte(s)) //nolint:gosec // looked for, not used
	sha256sum, sha512sum := sha256.Sum256([]byte(s)), sha512.Sum512([]byte(s))
	out := [][2]string{
		{"the value", s}, {"its base64", base64.StdEncoding.EncodeToString([]byte(s))},
		{"its unpadded base64", base64.RawStdEncoding.EncodeToString([]byte(s))}, {"its hex", hex.EncodeToString([]byte(s))},
	}
	for _, d := range []struct {
		name string
		sum  []byte
	}{{"MD5", md5sum[:]}, {"SHA-1", sha1sum[:]}, {"SHA-256", sha256sum[:]}, {"SHA-512", sha512sum[:]}} {
		out = append(out, [2]string{"its " + d.name + " in hex", hex.EncodeToString(d.sum)},
			[2]string{"its " + d.name + " in base64", base64.StdEncoding.EncodeToString(d.sum)})
	}
	return out
}

// flattenState maps every leaf of a state file to its JSON text, by path.
func flattenState(raw []byte) (map[string]string, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range doc {
		if k != "resources" {
			flatten(k, v, false, out)
		}
	}
	resources, _ := doc["resources"].([]any)
	for i, r := range resources {
		rm, _ := r.(map[string]any)
		name := fmt.Sprintf("resources[%d]", i)
		if t, n := rm["type"], rm["name"]; t != nil && n != nil {
			name = fmt.Sprintf("resources.%v.%v", t, n)
			if m, ok := rm["module"].(string); ok {
				name = m + "." + name
			}
		}
		flatten(name, r, false, out)
	}
	return out, nil
}

// flatten walks v; below a "private" key, strings that are base64 of JSON
// (the framework's encoding of private state, twice) are walked decoded.
func flatten(path string, v any, private bool, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			out[path] = "{}"
		}
		for k, e := range t {
			flatten(path+"."+k, e, private || k == "private", out)
		}
	case []any:
		if len(t) == 0 {
			out[path] = "[]"
		}
		if strings.HasSuffix(path, ".sensitive_attributes") {
			t = slices.Clone(t)
			slices.SortFunc(t, func(a, b any) int {
				x, _ := json.Marshal(a)
				y, _ := json.Marshal(b)
				return strings.Compare(string(x), string(y))
			})
		}
		for i, e := range t {
			flatten(path+"["+strconv.Itoa(i)+"]", e, private, out)
		}
	case string:
		if strings.HasSuffix(path, ".private") {
			private = true
		}
		if private {
			if decoded, err := base64.StdEncoding.DecodeString(t); err == nil {
				var inner any
				if json.Unmarshal(decoded, &inner) == nil {
					if _, scalar := inner.(string); !scalar {
						flatten(path, inner, true, out)
						return
					}
				}
			}
		}
		out[path] = strconv.Quote(t)
	default:
		raw, _ := json.Marshal(t)
		out[path] = string(raw)
	}
}
