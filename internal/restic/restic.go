// Package restic is the one place the provider runs the restic CLI.
//
// Secrets (the repository password and the backend credentials) reach the
// child process only through its environment: never through argv, never in
// a log line or an error message. The child starts from a small allow-list
// of the provider's own environment (PATH, HOME, TMPDIR, proxy and TLS
// settings, the SSH agent), not from all of it: variables such as
// RESTIC_PASSWORD_FILE or RESTIC_REPOSITORY in the shell that runs
// Terraform would otherwise override what the configuration says, and
// unrelated credentials would reach a program that has no use for them.
//
// Errors are *Error values classified from restic's exit codes (10: no
// repository, 11: locked, 12: wrong password; restic >= 0.17.1) and its
// --json exit_error message, with every secret value redacted.
package restic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// MinVersion is the oldest restic this package accepts: 0.17.0 brought exit
// codes 10 and 11, --insecure-no-password and JSON exit errors, 0.17.1 exit
// code 12 for a wrong password. Older releases fold all three into exit
// code 1, and a missing repository could not be told from a wrong password.
var MinVersion = Version{0, 17, 1}

// Exit codes of restic >= 0.17.1 (`restic --help`, "Exit status").
const (
	ExitFatal        = 1
	ExitNoRepository = 10
	ExitLocked       = 11
	ExitWrongPasswd  = 12
	ExitInterrupted  = 130
)

// Variables that the child never takes from the provider's environment
// with AllowedHostEnv, and that Env may not set either: the password and
// the repository have attributes of their own.
var reservedEnv = map[string]bool{
	"RESTIC_PASSWORD":         true,
	"RESTIC_PASSWORD_FILE":    true,
	"RESTIC_PASSWORD_COMMAND": true,
	"RESTIC_REPOSITORY":       true,
	"RESTIC_REPOSITORY_FILE":  true,
}

// ReservedEnv reports whether name is set by this package itself (or must
// stay unset) and therefore cannot come from a user's environment map.
func ReservedEnv(name string) bool { return reservedEnv[name] }

// AllowedHostEnv are the provider-process variables a child inherits: what
// restic needs to find helper programs (ssh, rclone) and their
// configuration, temporary files, proxies and CA certificates.
var AllowedHostEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ",
	"SSH_AUTH_SOCK",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
}

// Runner runs restic against one repository.
type Runner struct {
	// Binary is the restic executable: a path, or a name looked up in PATH.
	Binary string
	// Repository is the repository string (`-r`); not a secret.
	Repository string
	// Password is the repository password, passed as RESTIC_PASSWORD.
	// Empty means "no password": commands that need one then run with
	// --insecure-no-password, which only opens a repository that has an
	// empty password and otherwise fails with ExitWrongPasswd.
	Password string
	// Env is extra environment (backend credentials). Values are secrets.
	Env map[string]string
	// Timeout bounds one command; zero means 10 minutes.
	Timeout time.Duration
}

// Version is a restic release number.
type Version struct{ Major, Minor, Patch int }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	if v.Minor != w.Minor {
		return v.Minor < w.Minor
	}
	return v.Patch < w.Patch
}

// Error is a failed restic command.
type Error struct {
	// Op is what was being done, e.g. "opening the repository".
	Op string
	// Code is restic's exit code, or -1 when restic did not run.
	Code int
	// Message is restic's own message, secrets redacted.
	Message string
	// Err is the underlying error (exec failures, context errors).
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	switch e.Code {
	case ExitNoRepository:
		b.WriteString("the repository does not exist")
	case ExitLocked:
		b.WriteString("the repository is locked by another restic process (if none is running, `restic unlock` removes a stale lock)")
	case ExitWrongPasswd:
		b.WriteString("the repository exists, but the password does not open it (wrong password, or no key for it)")
	case ExitInterrupted:
		b.WriteString("interrupted")
	case -1:
		b.WriteString("restic could not be run")
	default:
		fmt.Fprintf(&b, "restic failed with exit code %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil && e.Code == -1 {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func codeOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// IsNotExist reports a repository that does not exist (exit code 10).
func IsNotExist(err error) bool { return codeOf(err) == ExitNoRepository }

// IsLocked reports a repository locked by another process (exit code 11).
func IsLocked(err error) bool { return codeOf(err) == ExitLocked }

// IsWrongPassword reports a password that opens no key (exit code 12).
func IsWrongPassword(err error) bool { return codeOf(err) == ExitWrongPasswd }

// Config is the part of a repository's config file this provider uses.
type Config struct {
	Version int    `json:"version"`
	ID      string `json:"id"`
}

// Snapshot is one entry of `restic snapshots --json`.
type Snapshot struct {
	ID       string    `json:"id"`
	ShortID  string    `json:"short_id"`
	Time     time.Time `json:"time"`
	Paths    []string  `json:"paths"`
	Hostname string    `json:"hostname"`
	Tags     []string  `json:"tags"`
}

var versionPattern = regexp.MustCompile(`^restic (\d+)\.(\d+)\.(\d+)`)

// Version runs `restic version` and parses its first line ("restic 0.19.1
// compiled with go1.26.8 on linux/amd64"). The plain form is used rather
// than --json (0.17.0 and later) so that an older restic gets a clear
// "too old" error instead of a parse failure.
func (r *Runner) Version(ctx context.Context) (Version, error) {
	out, err := r.run(ctx, "checking the restic version", false, "version")
	if err != nil {
		return Version{}, err
	}
	return ParseVersion(string(out))
}

// ParseVersion reads the output of `restic version`.
func ParseVersion(out string) (Version, error) {
	m := versionPattern.FindStringSubmatch(strings.TrimSpace(out))
	if m == nil {
		first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
		return Version{}, fmt.Errorf("cannot read the restic version from %q", first)
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.Patch, _ = strconv.Atoi(m[3])
	return v, nil
}

// CheckVersion fails when the binary is missing or older than MinVersion.
func (r *Runner) CheckVersion(ctx context.Context) (Version, error) {
	v, err := r.Version(ctx)
	if err != nil {
		return v, err
	}
	if v.Less(MinVersion) {
		return v, fmt.Errorf("%s is restic %s; this provider needs restic %s or newer (for its exit codes 10, 11 and 12 and --insecure-no-password); install a current restic or point restic_binary at one", r.Binary, v, MinVersion)
	}
	return v, nil
}

// Init creates the repository and returns its id.
func (r *Runner) Init(ctx context.Context) (string, error) {
	if r.Password == "" {
		return "", &Error{Op: "initializing the repository", Code: -1, Err: errors.New("no password: a repository is never created without one")}
	}
	out, err := r.run(ctx, "initializing the repository", true, "init", "--json")
	if err != nil {
		return "", err
	}
	for _, line := range bytes.Split(out, []byte("\n")) {
		var msg struct {
			MessageType string `json:"message_type"`
			ID          string `json:"id"`
		}
		if json.Unmarshal(line, &msg) == nil && msg.MessageType == "initialized" && msg.ID != "" {
			return msg.ID, nil
		}
	}
	return "", &Error{Op: "initializing the repository", Code: 0, Message: "restic printed no repository id"}
}

// CatConfig opens the repository with the password and returns its
// config. It takes no lock (reading the config needs none), so it works
// while a backup or prune is running.
func (r *Runner) CatConfig(ctx context.Context) (Config, error) {
	var c Config
	out, err := r.run(ctx, "opening the repository", true, "cat", "config", "--json", "--no-lock")
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(out, &c); err != nil || c.ID == "" {
		return c, &Error{Op: "opening the repository", Code: 0, Message: "cannot read the repository id from `restic cat config --json`"}
	}
	return c, nil
}

// Existence is what Probe learns about a repository without a password.
type Existence int

// Possible results of Probe.
const (
	Unknown Existence = iota
	Exists
	Missing
)

// Probe finds out whether the repository exists without using the
// password: it runs `cat config` with --insecure-no-password, which
// restic answers with exit code 10 when there is no repository and 12
// when there is one whose keys need a password. (A repository that has an
// empty password opens, and its config is returned.) Any other failure,
// for example missing backend credentials, gives Unknown and the error.
func (r *Runner) Probe(ctx context.Context) (Existence, Config, error) {
	probe := *r
	probe.Password = ""
	c, err := probe.CatConfig(ctx)
	switch {
	case err == nil:
		return Exists, c, nil
	case IsWrongPassword(err):
		return Exists, Config{}, nil
	case IsNotExist(err):
		return Missing, Config{}, nil
	}
	return Unknown, Config{}, err
}

// Snapshots lists the snapshots, with extra arguments such as
// "--tag", "x".
func (r *Runner) Snapshots(ctx context.Context, args ...string) ([]Snapshot, error) {
	out, err := r.run(ctx, "listing snapshots", true, append([]string{"snapshots", "--json", "--no-lock"}, args...)...)
	if err != nil {
		return nil, err
	}
	var s []Snapshot
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, &Error{Op: "listing snapshots", Message: "cannot parse `restic snapshots --json`: " + err.Error()}
	}
	return s, nil
}

// Run runs any restic subcommand against the repository and returns its
// standard output. Arguments must not hold secrets: they are logged.
func (r *Runner) Run(ctx context.Context, op string, args ...string) ([]byte, error) {
	return r.run(ctx, op, true, args...)
}

// Environ is the child environment: the allowed part of the provider's
// environment, then Env, then RESTIC_PASSWORD. Callers outside this
// package use it only to run rendered commands in tests.
func (r *Runner) Environ() []string {
	env := map[string]string{}
	for _, name := range AllowedHostEnv {
		if v, ok := os.LookupEnv(name); ok {
			env[name] = v
		}
	}
	for k, v := range r.Env {
		if !reservedEnv[k] {
			env[k] = v
		}
	}
	if r.Password != "" {
		env["RESTIC_PASSWORD"] = r.Password
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// envNames lists the names (never the values) of the child's variables
// for the log.
func (r *Runner) envNames() []string {
	var names []string
	for _, kv := range r.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	return names
}

// secretValues are the strings redacted from messages.
func (r *Runner) secretValues() []string {
	var out []string
	if r.Password != "" {
		out = append(out, r.Password)
	}
	for _, v := range r.Env {
		if len(v) >= 3 { // shorter values would redact ordinary words
			out = append(out, v)
		}
	}
	// Longest first, so that a secret containing another is redacted whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Redact replaces every secret value in s.
func (r *Runner) Redact(s string) string {
	for _, v := range r.secretValues() {
		s = strings.ReplaceAll(s, v, "<redacted>")
	}
	return s
}

func (r *Runner) run(ctx context.Context, op string, withRepo bool, args ...string) ([]byte, error) {
	if r.Binary == "" {
		return nil, &Error{Op: op, Code: -1, Err: errors.New("no restic binary configured")}
	}
	argv := []string{}
	if withRepo {
		argv = append(argv, "--repo", r.Repository, "--no-cache")
		if r.Password == "" {
			argv = append(argv, "--insecure-no-password")
		}
	}
	argv = append(argv, args...)
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, r.Binary, argv...)
	cmd.Env = r.Environ()
	cmd.Stdin = nil
	// On cancellation restic gets SIGINT first, so that it removes its
	// locks; it is killed only if it is still running 10 seconds later.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	fields := map[string]any{"binary": r.Binary, "args": argv, "env_names": r.envNames()}
	tflog.Debug(ctx, "running restic", fields)
	start := time.Now()
	err := cmd.Run()
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err == nil {
		tflog.Debug(ctx, "restic finished", fields)
		return stdout.Bytes(), nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		tflog.Debug(ctx, "restic cancelled", fields)
		return nil, &Error{Op: op, Code: ExitInterrupted, Message: ctxErr.Error(), Err: ctxErr}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		tflog.Debug(ctx, "restic could not be started", fields)
		return nil, &Error{Op: op, Code: -1, Err: errors.New(r.Redact(err.Error()))}
	}
	e := &Error{Op: op, Code: exitErr.ExitCode(), Message: r.Redact(exitMessage(stderr.Bytes()))}
	fields["exit_code"] = e.Code
	fields["message"] = e.Message
	tflog.Debug(ctx, "restic failed", fields)
	return nil, e
}

// exitMessage extracts restic's message: the exit_error object of --json
// runs, else the last non-empty lines of standard error.
func exitMessage(stderr []byte) string {
	var lines []string
	for _, line := range bytes.Split(stderr, []byte("\n")) {
		var msg struct {
			MessageType string `json:"message_type"`
			Message     string `json:"message"`
		}
		if json.Unmarshal(line, &msg) == nil && msg.MessageType == "exit_error" {
			return cleanMessage(msg.Message)
		}
		if s := strings.TrimSpace(string(line)); s != "" {
			lines = append(lines, s)
		}
	}
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return cleanMessage(strings.Join(lines, "\n"))
}

func cleanMessage(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, "Fatal: ") {
		s = strings.TrimPrefix(s, "Fatal: ")
	}
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 600 {
		s = s[:600] + "..."
	}
	return s
}
