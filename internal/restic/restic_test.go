package restic_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/homelab-tf/terraform-provider-homelab/internal/restic"
	"github.com/homelab-tf/terraform-provider-homelab/internal/restic/restictest"
)

const password = "rp-Secret-8c41d2e7f9"

func runner(t *testing.T, repo string) *restic.Runner {
	t.Helper()
	return &restic.Runner{Binary: restictest.Binary(t), Repository: repo, Password: password, Timeout: time.Minute}
}

// ownConfigID asks restic itself, outside the package, for the id.
func ownConfigID(t *testing.T, repo, pw string) string {
	t.Helper()
	out, err := restictest.Command(t, []string{"RESTIC_PASSWORD=" + pw}, "--repo", repo, "--no-cache", "cat", "config", "--json").Output()
	if err != nil {
		t.Fatalf("restic cat config: %v", err)
	}
	var c struct{ ID string }
	if err := json.Unmarshal(out, &c); err != nil || len(c.ID) != 64 {
		t.Fatalf("restic cat config printed %q (%v)", out, err)
	}
	return c.ID
}

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    restic.Version
		wantErr bool
	}{
		{in: "restic 0.19.1 compiled with go1.26.8 on linux/amd64\n", want: restic.Version{0, 19, 1}},
		{in: "restic 0.14.0 compiled with go1.19.8 on linux/amd64", want: restic.Version{0, 14, 0}},
		{in: "restic 0.17.3-dev (compiled manually) compiled with go1.23 on darwin/arm64", want: restic.Version{0, 17, 3}},
		{in: "restic 1.2.10 compiled", want: restic.Version{1, 2, 10}},
		{in: "rustic 0.9.0", wantErr: true},
		{in: "", wantErr: true},
	} {
		got, err := restic.ParseVersion(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	if !(restic.Version{0, 17, 0}).Less(restic.MinVersion) || (restic.Version{0, 17, 1}).Less(restic.MinVersion) || !(restic.Version{0, 9, 9}).Less(restic.Version{0, 10, 0}) {
		t.Error("Version.Less orders releases wrongly")
	}
}

func TestAccRestic_CheckVersion_realBinary(t *testing.T) {
	v, err := runner(t, "").CheckVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v != (restic.Version{0, 19, 1}) {
		t.Fatalf("the test binary is restic %s, want 0.19.1 (run `make restic`)", v)
	}
}

// fakeRestic writes a shell script standing in for restic.
func fakeRestic(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "restic")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckVersion_tooOldAndMissing(t *testing.T) {
	old := &restic.Runner{Binary: fakeRestic(t, `echo "restic 0.14.0 compiled with go1.19.8 on linux/amd64"`)}
	_, err := old.CheckVersion(context.Background())
	if err == nil || !strings.Contains(err.Error(), "restic 0.14.0") || !strings.Contains(err.Error(), "0.17.1 or newer") {
		t.Fatalf("old restic: err = %v", err)
	}
	missing := &restic.Runner{Binary: filepath.Join(t.TempDir(), "no-restic-here")}
	_, err = missing.CheckVersion(context.Background())
	var re *restic.Error
	if !errors.As(err, &re) || re.Code != -1 || !strings.Contains(err.Error(), "could not be run") {
		t.Fatalf("missing restic: err = %v", err)
	}
}

func TestAccRestic_InitCatConfigAndProbe(t *testing.T) {
	ctx := context.Background()
	repo := filepath.Join(t.TempDir(), "repo")
	r := runner(t, repo)

	if state, _, err := r.Probe(ctx); state != restic.Missing || err != nil {
		t.Fatalf("Probe before init = %v, %v; want Missing", state, err)
	}
	_, err := r.CatConfig(ctx)
	if !restic.IsNotExist(err) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("CatConfig before init: %v; want a not-exist error", err)
	}

	id, err := r.Init(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if own := ownConfigID(t, repo, password); id != own {
		t.Fatalf("Init returned id %s, restic's own cat config says %s", id, own)
	}
	c, err := r.CatConfig(ctx)
	if err != nil || c.ID != id || c.Version != 2 {
		t.Fatalf("CatConfig = %+v, %v; want id %s, version 2", c, err, id)
	}
	if state, _, err := r.Probe(ctx); state != restic.Exists || err != nil {
		t.Fatalf("Probe after init = %v, %v; want Exists", state, err)
	}

	// A second init fails (exit code 1) and says why.
	_, err = r.Init(ctx)
	var re *restic.Error
	if !errors.As(err, &re) || re.Code != restic.ExitFatal || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second Init: %v", err)
	}

	snaps, err := r.Snapshots(ctx)
	if err != nil || len(snaps) != 0 {
		t.Fatalf("Snapshots of a new repository = %v, %v", snaps, err)
	}
}

func TestAccRestic_WrongPassword(t *testing.T) {
	ctx := context.Background()
	repo := filepath.Join(t.TempDir(), "repo")
	if _, err := runner(t, repo).Init(ctx); err != nil {
		t.Fatal(err)
	}
	wrong := runner(t, repo)
	wrong.Password = "wrong-Pass-55e1b0a9"
	_, err := wrong.CatConfig(ctx)
	if !restic.IsWrongPassword(err) {
		t.Fatalf("CatConfig with a wrong password: %v; want exit code 12", err)
	}
	if strings.Contains(err.Error(), wrong.Password) || strings.Contains(err.Error(), password) {
		t.Fatal("the error message holds a password")
	}
	if !strings.Contains(err.Error(), "password does not open it") {
		t.Fatalf("error %q does not explain the wrong password", err)
	}
}

func TestAccRestic_LockHeld(t *testing.T) {
	ctx := context.Background()
	repo := filepath.Join(t.TempDir(), "repo")
	r := runner(t, repo)
	if _, err := r.Init(ctx); err != nil {
		t.Fatal(err)
	}
	// A backup that reads from a slow command holds a shared lock;
	// prune needs an exclusive one.
	backup := restictest.Command(t, []string{"RESTIC_PASSWORD=" + password}, "--repo", repo, "--no-cache",
		"backup", "--stdin-from-command", "--stdin-filename", "slow", "--", "sleep", "5")
	if err := backup.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = backup.Wait() })
	waitForLock(t, repo)
	_, err := r.Run(ctx, "pruning", "prune")
	if !restic.IsLocked(err) || !strings.Contains(err.Error(), "restic unlock") {
		t.Fatalf("prune while locked: %v; want exit code 11", err)
	}
	// Reading the config takes no lock, so it still works.
	if _, err := r.CatConfig(ctx); err != nil {
		t.Fatalf("CatConfig during a backup: %v", err)
	}
}

func waitForLock(t *testing.T, repo string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if entries, _ := os.ReadDir(filepath.Join(repo, "locks")); len(entries) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the backup took no lock within 20s")
}

func TestAccRestic_CancellationInterruptsAndUnlocks(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	r := runner(t, repo)
	if _, err := r.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitForLock(t, repo)
		cancel()
	}()
	start := time.Now()
	_, err := r.Run(ctx, "backing up", "backup", "--stdin-from-command", "--stdin-filename", "slow", "--", "sleep", "60")
	if elapsed := time.Since(start); elapsed > 15*time.Second {
		t.Fatalf("cancellation took %s", elapsed)
	}
	var re *restic.Error
	if !errors.As(err, &re) || re.Code != restic.ExitInterrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v; want an interrupted error wrapping context.Canceled", err)
	}
	// SIGINT lets restic remove its lock; SIGKILL would leave it behind.
	if entries, _ := os.ReadDir(filepath.Join(repo, "locks")); len(entries) != 0 {
		t.Fatalf("%d lock(s) left after cancellation", len(entries))
	}
}

func TestEnvironmentIsAllowListed(t *testing.T) {
	t.Setenv("RESTIC_PASSWORD_FILE", "/etc/shell-password")
	t.Setenv("RESTIC_REPOSITORY", "/somewhere/else")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "host-Credential-1")
	t.Setenv("HTTPS_PROXY", "http://proxy.lan:3128")
	r := &restic.Runner{Binary: "restic", Password: password, Env: map[string]string{
		"B2_ACCOUNT_KEY":  "b2-Key-4f0e",
		"RESTIC_PASSWORD": "must-not-override",
	}}
	env := strings.Join(r.Environ(), "\n") + "\n"
	for _, want := range []string{"RESTIC_PASSWORD=" + password + "\n", "B2_ACCOUNT_KEY=b2-Key-4f0e\n", "HTTPS_PROXY=http://proxy.lan:3128\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("child environment lacks %s", strings.SplitN(want, "=", 2)[0])
		}
	}
	for _, not := range []string{"RESTIC_PASSWORD_FILE", "RESTIC_REPOSITORY", "AWS_SECRET_ACCESS_KEY", "must-not-override"} {
		if strings.Contains(env, not) {
			t.Errorf("child environment holds %s", not)
		}
	}
	if !restic.ReservedEnv("RESTIC_PASSWORD_COMMAND") || restic.ReservedEnv("B2_ACCOUNT_ID") {
		t.Error("ReservedEnv is wrong")
	}
}

// TestSecretsOnlyInEnvironment runs a stand-in restic that records its
// arguments and environment, and checks the logs of a run.
func TestSecretsOnlyInEnvironment(t *testing.T) {
	dir := t.TempDir()
	bin := fakeRestic(t, `echo "$@" > `+dir+`/argv; env > `+dir+`/env
echo '{"message_type":"exit_error","code":12,"message":"Fatal: key for `+password+` and b2-Key-4f0e rejected"}' >&2
exit 12`)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	r := &restic.Runner{Binary: bin, Repository: "/srv/restic", Password: password, Env: map[string]string{"B2_ACCOUNT_KEY": "b2-Key-4f0e"}}
	_, err := r.CatConfig(ctx)
	if !restic.IsWrongPassword(err) {
		t.Fatalf("err = %v", err)
	}
	argv, _ := os.ReadFile(filepath.Join(dir, "argv"))
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	if string(argv) != "--repo /srv/restic --no-cache cat config --json --no-lock\n" {
		t.Errorf("argv = %q", argv)
	}
	if !strings.Contains(string(env), "RESTIC_PASSWORD="+password) || !strings.Contains(string(env), "B2_ACCOUNT_KEY=b2-Key-4f0e") {
		t.Error("the password or the credential did not reach the child's environment")
	}
	if !strings.Contains(logs.String(), "running restic") || !strings.Contains(logs.String(), "B2_ACCOUNT_KEY") {
		t.Fatalf("the log has no command line with variable names: %s", logs.String())
	}
	for name, s := range map[string]string{"error": err.Error(), "log": logs.String()} {
		if strings.Contains(s, password) || strings.Contains(s, "b2-Key-4f0e") {
			t.Errorf("the %s holds a secret: %s", name, s)
		}
	}
	if !strings.Contains(err.Error(), "<redacted>") {
		t.Errorf("error %q: restic's message was not kept with the secrets redacted", err)
	}
}

func TestAccRestic_NoPasswordNeverInitializes(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	r := runner(t, repo)
	r.Password = ""
	if _, err := r.Init(context.Background()); err == nil {
		t.Fatal("Init without a password succeeded")
	}
	if _, err := os.Stat(repo); !os.IsNotExist(err) {
		t.Fatalf("Init without a password touched %s", repo)
	}
}
