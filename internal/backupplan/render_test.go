package backupplan

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestCleanPaths(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []string
		want    []string
		wantErr string
	}{
		{name: "sorted unique cleaned", in: []string{"/var/lib/jellyfin/", "/etc/nixos", "/var/lib//hass", "/etc/nixos", "/var/lib/jellyfin"},
			want: []string{"/etc/nixos", "/var/lib/hass", "/var/lib/jellyfin"}},
		{name: "dot segments", in: []string{"/srv/./data/../media"}, want: []string{"/srv/media"}},
		{name: "root", in: []string{"/"}, want: []string{"/"}},
		{name: "empty list", in: nil, want: []string{}},
		{name: "relative", in: []string{"/etc", "var/lib/x"}, wantErr: `path "var/lib/x" is relative`},
		{name: "dot relative", in: []string{"./data"}, wantErr: "must be absolute, e.g. /var/lib/data"},
		{name: "empty", in: []string{""}, wantErr: "a path is empty"},
		{name: "blank", in: []string{"  "}, wantErr: "a path is empty"},
		{name: "padded", in: []string{" /etc"}, wantErr: "whitespace"},
		{name: "newline", in: []string{"/etc\n/root"}, wantErr: "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CleanPaths(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("CleanPaths(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestCleanExcludes(t *testing.T) {
	got, err := CleanExcludes([]string{"*.tmp", "/var/lib/jellyfin/cache/", "**/node_modules", "*.tmp", "/var/lib/x/*.log", "/var/lib/jellyfin/cache"})
	want := []string{"**/node_modules", "*.tmp", "/var/lib/jellyfin/cache", "/var/lib/x/*.log"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("CleanExcludes = %q, %v; want %q", got, err, want)
	}
	for _, tc := range []struct{ in, wantErr string }{{"", "empty"}, {" x", "whitespace"}, {"#x", "comment"}, {"a\tb", "control character"}} {
		if _, err := CleanExcludes([]string{tc.in}); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("CleanExcludes(%q) = %v, want %q", tc.in, err, tc.wantErr)
		}
	}
}

func TestValidators(t *testing.T) {
	for _, tc := range []struct {
		fn    func(string) error
		in    string
		valid bool
	}{
		{ValidateName, "homelab", true}, {ValidateName, "b2.daily-1_x", true}, {ValidateName, "_x", true},
		{ValidateName, "", false}, {ValidateName, "has space", false}, {ValidateName, "_sys_", false}, {ValidateName, strings.Repeat("a", 51), false},
		{ValidateTag, "homelab", true}, {ValidateTag, "with space", true}, {ValidateTag, "a,b", false}, {ValidateTag, "", false}, {ValidateTag, " x", false},
		{ValidateEnvName, "B2_ACCOUNT_ID", true}, {ValidateEnvName, "_X1", true}, {ValidateEnvName, "1X", false}, {ValidateEnvName, "A-B", false}, {ValidateEnvName, "", false},
		{ValidateRepository, "b2:homelab-backup:restic", true}, {ValidateRepository, "/srv/restic", true},
		{ValidateRepository, "rest:https://backup.lan:8000/homelab", true}, {ValidateRepository, "sftp:user@host:/srv/restic", true},
		{ValidateRepository, "rest:https://user:pa55@backup.lan:8000/", false}, {ValidateRepository, "", false}, {ValidateRepository, "/srv/restic ", false},
	} {
		if err := tc.fn(tc.in); (err == nil) != tc.valid {
			t.Errorf("validating %q: err = %v, want valid=%v", tc.in, err, tc.valid)
		}
	}
}

func fullSpec() Spec {
	return Spec{
		Name: "homelab", Repository: "b2:homelab-backup:restic", Binary: "restic",
		Paths: []string{"/etc/nixos", "/var/lib/hass"}, Excludes: []string{"*.tmp", "/var/lib/hass/$cache"},
		Tags: []string{"homelab", "nixos"}, Host: "nixos", Schedule: "0  3 * * *",
		Retention: &Retention{Daily: 7, Weekly: 4, Monthly: 6},
		EnvNames:  []string{"B2_ACCOUNT_KEY", "B2_ACCOUNT_ID"},
	}
}

func TestCommands(t *testing.T) {
	s := fullSpec()
	wantBackup := []string{"restic", "--repo", "b2:homelab-backup:restic", "backup", "--host", "nixos", "--tag", "homelab", "--tag", "nixos",
		"--exclude", "*.tmp", "--exclude", "/var/lib/hass/$cache", "/etc/nixos", "/var/lib/hass"}
	if got := s.BackupCommand(); !reflect.DeepEqual(got, wantBackup) {
		t.Errorf("BackupCommand = %q\nwant %q", got, wantBackup)
	}
	wantForget := []string{"restic", "--repo", "b2:homelab-backup:restic", "forget", "--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "6",
		"--host", "nixos", "--tag", "homelab,nixos"}
	if got := s.ForgetCommand(); !reflect.DeepEqual(got, wantForget) {
		t.Errorf("ForgetCommand = %q\nwant %q", got, wantForget)
	}
	s.Retention = &Retention{Last: 3, Hourly: 24, Yearly: 2}
	s.Host, s.Tags, s.Binary = "", nil, "/run/current-system/sw/bin/restic"
	wantForget = []string{"/run/current-system/sw/bin/restic", "--repo", "b2:homelab-backup:restic", "forget", "--keep-last", "3", "--keep-hourly", "24", "--keep-yearly", "2"}
	if got := s.ForgetCommand(); !reflect.DeepEqual(got, wantForget) {
		t.Errorf("ForgetCommand = %q\nwant %q", got, wantForget)
	}
	s.Retention = nil
	if got := s.ForgetCommand(); got != nil {
		t.Errorf("ForgetCommand without retention = %q, want nil", got)
	}
	if got := fullSpec().ExcludeFile(); got != "*.tmp\n/var/lib/hass/$$cache\n" {
		t.Errorf("ExcludeFile = %q", got)
	}
	if got := (Spec{}).ExcludeFile(); got != "" {
		t.Errorf("ExcludeFile without excludes = %q", got)
	}
}

func TestBackrestPlan(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Spec)
		want   string
	}{
		{name: "full", change: func(*Spec) {}, want: `{
  "id": "homelab", "repo": "homelab",
  "paths": ["/etc/nixos", "/var/lib/hass"],
  "excludes": ["*.tmp", "/var/lib/hass/$cache"],
  "schedule": {"cron": "0 3 * * *", "clock": "CLOCK_LOCAL"},
  "retention": {"policyTimeBucketed": {"daily": 7, "weekly": 4, "monthly": 6}},
  "backup_flags": ["--host nixos", "--tag homelab", "--tag nixos"]}`},
		{name: "keep last only, no schedule, quoted tag", change: func(s *Spec) {
			s.Retention, s.Schedule, s.Tags, s.Host, s.Excludes = &Retention{Last: 10}, "", []string{"it's mine"}, "", nil
		}, want: `{
  "id": "homelab", "repo": "homelab",
  "paths": ["/etc/nixos", "/var/lib/hass"],
  "schedule": {"disabled": true},
  "retention": {"policyKeepLastN": 10},
  "backup_flags": ["--tag 'it'\"'\"'s mine'"]}`},
		{name: "keep last with buckets, no retention keeps all", change: func(s *Spec) { s.Retention = nil }, want: `{
  "id": "homelab", "repo": "homelab",
  "paths": ["/etc/nixos", "/var/lib/hass"],
  "excludes": ["*.tmp", "/var/lib/hass/$cache"],
  "schedule": {"cron": "0 3 * * *", "clock": "CLOCK_LOCAL"},
  "retention": {"policyKeepAll": true},
  "backup_flags": ["--host nixos", "--tag homelab", "--tag nixos"]}`},
		{name: "last and daily", change: func(s *Spec) { s.Retention = &Retention{Last: 2, Daily: 7} }, want: `{
  "id": "homelab", "repo": "homelab",
  "paths": ["/etc/nixos", "/var/lib/hass"],
  "excludes": ["*.tmp", "/var/lib/hass/$cache"],
  "schedule": {"cron": "0 3 * * *", "clock": "CLOCK_LOCAL"},
  "retention": {"policyTimeBucketed": {"daily": 7, "keepLastN": 2}},
  "backup_flags": ["--host nixos", "--tag homelab", "--tag nixos"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fullSpec()
			tc.change(&s)
			assertJSONEqual(t, s.BackrestPlan(), tc.want)
		})
	}
}

func TestBackrestRepo(t *testing.T) {
	got := fullSpec().BackrestRepo("5e50ac30472b9fba8bbded867a13a08b4887487c1a9afd6a5578ab07935e5a00")
	assertJSONEqual(t, got, `{
  "id": "homelab", "uri": "b2:homelab-backup:restic",
  "guid": "5e50ac30472b9fba8bbded867a13a08b4887487c1a9afd6a5578ab07935e5a00",
  "env": ["B2_ACCOUNT_ID=${B2_ACCOUNT_ID}", "B2_ACCOUNT_KEY=${B2_ACCOUNT_KEY}", "RESTIC_PASSWORD=${RESTIC_PASSWORD}"],
  "prunePolicy": {"schedule": {"cron": "0 0 1 * *", "clock": "CLOCK_LAST_RUN_TIME"}, "maxUnusedPercent": 10},
  "checkPolicy": {"schedule": {"cron": "0 0 1 * *", "clock": "CLOCK_LAST_RUN_TIME"}}}`)
}

func assertJSONEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("rendered JSON does not parse: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("test JSON does not parse: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("rendered JSON:\n%s\nwant:\n%s", got, want)
	}
}
