package acctest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// stateDoc is a state file as both CLIs write it, with private state
// encoded as the framework does: base64 of a JSON map whose values are
// base64 of each document.
func stateDoc(serial int, version int, private string, extra string) string {
	return stateDocSensitive(serial, version, private, extra, `[[{"type":"get_attr","value":"data_wo"}],[{"type":"get_attr","value":"other_wo"}]]`)
}

func stateDocSensitive(serial int, version int, private, extra, sensitive string) string {
	inner := base64.StdEncoding.EncodeToString([]byte(private))
	outer := base64.StdEncoding.EncodeToString([]byte(`{"secret":"` + inner + `"}`))
	return fmt.Sprintf(`{
  "version": 4,
  "terraform_version": "1.11.4",
  "serial": %d,
  "lineage": "5c1e",
  "outputs": {},
  "resources": [
    {
      "mode": "managed",
      "type": "homelab_bootstrap_secret",
      "name": "s",
      "instances": [
        {
          "schema_version": 0,
          "attributes": {
            "data_wo": null,
            "data_wo_version": %d,
            "keys": ["A", "B"]%s
          },
          "sensitive_attributes": %s,
          "private": %q
        }
      ]
    }
  ],
  "check_results": null
}
`, serial, version, extra, sensitive, outer)
}

func TestStateChanges(t *testing.T) {
	const attrs = "resources.homelab_bootstrap_secret.s.instances[0].attributes."
	base := stateDoc(3, 1, `{"managed":["A","B"]}`, "")
	for _, tc := range []struct {
		name  string
		after string
		want  []string
		lines int
	}{
		{"nothing", base, nil, 0},
		{"serial and version", stateDoc(4, 2, `{"managed":["A","B"]}`, ""), []string{attrs + "data_wo_version", "serial"}, 2},
		{"inside private state", stateDoc(3, 1, `{"managed":["A","B"],"drifted":true}`, ""),
			[]string{"resources.homelab_bootstrap_secret.s.instances[0].private.secret.drifted"}, 1},
		{"an attribute added", stateDoc(3, 1, `{"managed":["A","B"]}`, `,
            "data_sha256": "ab12"`), []string{attrs + "data_sha256"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := StateChanges([]byte(base), []byte(tc.after))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("StateChanges = %v, want %v", got, tc.want)
			}
			if n := ChangedLines([]byte(base), []byte(tc.after)); n != tc.lines {
				t.Errorf("ChangedLines = %d, want %d", n, tc.lines)
			}
		})
	}
	reordered := stateDocSensitive(3, 1, `{"managed":["A","B"]}`, "", `[[{"type":"get_attr","value":"other_wo"}],[{"type":"get_attr","value":"data_wo"}]]`)
	if got, err := StateChanges([]byte(base), []byte(reordered)); err != nil || len(got) != 0 {
		t.Errorf("sensitive_attributes reordered: StateChanges = %v, %v; want nothing", got, err)
	}
	fewer := stateDocSensitive(3, 1, `{"managed":["A","B"]}`, "", `[[{"type":"get_attr","value":"data_wo"}]]`)
	if got, _ := StateChanges([]byte(base), []byte(fewer)); len(got) != 2 || !strings.Contains(got[0], "sensitive_attributes[1]") {
		t.Errorf("a sensitive attribute dropped: StateChanges = %v", got)
	}
	if err := ExpectStateChanges([]byte(base), []byte(stateDoc(4, 2, `{"managed":["A","B"]}`, "")), attrs+"data_wo_version"); err != nil {
		t.Errorf("ExpectStateChanges: %v", err)
	}
	err := ExpectStateChanges([]byte(base), []byte(stateDoc(4, 2, `{"managed":["A","B"]}`, "")))
	if err == nil || !strings.Contains(err.Error(), "data_wo_version") {
		t.Errorf("ExpectStateChanges missed the version: %v", err)
	}
}

func TestNothingDerivedFrom(t *testing.T) {
	const secret = "hunter2-Pass"
	sum := sha256.Sum256([]byte(secret))
	for _, tc := range []struct {
		name, private, extra string
		wantErr              string
	}{
		{"clean", `{"managed":["A"]}`, "", ""},
		{"the value", `{"managed":["A"]}`, `, "note": "x` + secret + `x"`, "holds the value of secret 0"},
		{"its SHA-256 in an attribute", `{"managed":["A"]}`, `, "data_sha256": "` + hex.EncodeToString(sum[:]) + `"`, "holds its SHA-256 in hex of secret 0"},
		{"its SHA-256 in private state", `{"applied_hash":"` + hex.EncodeToString(sum[:]) + `"}`, "", "private.secret.applied_hash holds its SHA-256 in hex of secret 0"},
		{"its base64", `{"managed":["A"]}`, `, "b": "` + base64.StdEncoding.EncodeToString([]byte(secret)) + `"`, "holds its base64 of secret 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := NothingDerivedFrom([]byte(stateDoc(1, 1, tc.private, tc.extra)), "other-Secret-1", secret)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), strings.Replace(tc.wantErr, "secret 0", "secret 1", 1))):
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			case err != nil && strings.Contains(err.Error(), secret):
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
	if err := NothingDerivedFrom([]byte(stateDoc(1, 1, `{}`, "")), ""); err == nil {
		t.Error("an empty secret passed; it would match nothing")
	}
}
