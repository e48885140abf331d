package backupplan

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Spec is a backup plan with its inputs already known and cleaned: what
// the rendering functions turn into commands and Backrest JSON. It never
// holds a secret; EnvNames are the names of the backend variables only.
type Spec struct {
	Name       string
	Repository string
	Binary     string
	Paths      []string
	Excludes   []string
	Tags       []string
	Host       string
	Schedule   string
	Retention  *Retention
	EnvNames   []string
}

// Retention is restic's --keep-* policy; zero means "not set".
type Retention struct {
	Last, Hourly, Daily, Weekly, Monthly, Yearly int64
}

// Empty reports a policy that keeps nothing, which restic would treat as
// "remove no snapshots" and Backrest rejects.
func (r Retention) Empty() bool { return r == Retention{} }

// namePattern is Backrest's id syntax (internal/config/validationutil).
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,50}$`)

// ValidateName checks a plan name, which is also the Backrest plan and
// repo id.
func ValidateName(name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%q must be 1 to 50 letters, digits, '_', '-' or '.' (it becomes the Backrest plan and repo id)", name)
	}
	if len(name) > 1 && strings.HasPrefix(name, "_") && strings.HasSuffix(name, "_") {
		return fmt.Errorf("%q: names starting and ending with '_' are reserved by Backrest", name)
	}
	return nil
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// CleanPath checks and cleans one backup path: absolute, lexically
// cleaned ("/var/lib//x/" becomes "/var/lib/x").
func CleanPath(p string) (string, error) {
	switch {
	case strings.TrimSpace(p) == "":
		return "", fmt.Errorf("a path is empty")
	case hasControl(p):
		return "", fmt.Errorf("path %q holds a control character", p)
	case strings.TrimSpace(p) != p:
		return "", fmt.Errorf("path %q has whitespace at its start or end", p)
	case !strings.HasPrefix(p, "/"):
		return "", fmt.Errorf("path %q is relative; backup paths must be absolute, e.g. /var/lib/%s", p, strings.TrimPrefix(path.Clean(p), "./"))
	}
	return path.Clean(p), nil
}

// CleanPaths cleans every path, then sorts and de-duplicates them.
func CleanPaths(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, p := range in {
		c, err := CleanPath(p)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return sortedUnique(out), nil
}

// CleanExclude checks one exclude pattern. restic matches patterns as
// written, so only a plain absolute path (no glob characters) is cleaned.
// Patterns that an exclude file would read differently from an --exclude
// flag are refused: restic trims whitespace around and skips "#" lines in
// files.
func CleanExclude(p string) (string, error) {
	switch {
	case strings.TrimSpace(p) == "":
		return "", fmt.Errorf("an exclude pattern is empty")
	case hasControl(p):
		return "", fmt.Errorf("exclude pattern %q holds a control character", p)
	case strings.TrimSpace(p) != p:
		return "", fmt.Errorf("exclude pattern %q has whitespace at its start or end", p)
	case strings.HasPrefix(p, "#"):
		return "", fmt.Errorf("exclude pattern %q starts with '#', which an exclude file reads as a comment; write [#]%s", p, p[1:])
	}
	if strings.HasPrefix(p, "/") && !strings.ContainsAny(p, `*?[\`) {
		return path.Clean(p), nil
	}
	return p, nil
}

// CleanExcludes cleans, sorts and de-duplicates exclude patterns.
func CleanExcludes(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, p := range in {
		c, err := CleanExclude(p)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return sortedUnique(out), nil
}

// ValidateTag checks one snapshot tag: restic separates tags with commas.
func ValidateTag(tag string) error {
	switch {
	case strings.TrimSpace(tag) == "":
		return fmt.Errorf("a tag is empty")
	case strings.Contains(tag, ","):
		return fmt.Errorf("tag %q contains a comma, which restic reads as a separator", tag)
	case hasControl(tag) || strings.TrimSpace(tag) != tag:
		return fmt.Errorf("tag %q has whitespace at its start or end or a control character", tag)
	}
	return nil
}

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidateEnvName checks the name of a backend variable.
func ValidateEnvName(name string) error {
	if !envNamePattern.MatchString(name) {
		return fmt.Errorf("%q is not an environment variable name (letters, digits and '_', not starting with a digit)", name)
	}
	return nil
}

// credentialsInURL finds "scheme://user:password@" in a repository string.
var credentialsInURL = regexp.MustCompile(`://[^/@\s]*:[^/@\s]*@`)

// ValidateRepository checks a repository string. Credentials in it would
// land in state and in the rendered commands, so they are refused.
func ValidateRepository(repo string) error {
	switch {
	case strings.TrimSpace(repo) == "":
		return fmt.Errorf("the repository is empty")
	case strings.TrimSpace(repo) != repo || hasControl(repo):
		return fmt.Errorf("repository %q has whitespace at its start or end or a control character", repo)
	case credentialsInURL.MatchString(repo):
		return fmt.Errorf("the repository string holds a user name and password; they would be stored in state and shown in commands. " +
			"Leave them out of the URL and pass them in environment_wo or environment_references (for a REST server: RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD)")
	}
	return nil
}

func sortedUnique(in []string) []string {
	out := append([]string{}, in...)
	sort.Strings(out)
	j := 0
	for i, s := range out {
		if i == 0 || s != out[j-1] {
			out[j] = s
			j++
		}
	}
	return out[:j]
}

func (s Spec) globalArgs() []string {
	return []string{s.Binary, "--repo", s.Repository}
}

// BackupCommand is the argv of `restic backup` for the plan. The password
// and backend credentials are not in it: run it with RESTIC_PASSWORD (or
// RESTIC_PASSWORD_FILE / _COMMAND) and the backend variables set. Excludes
// are --exclude flags, the same patterns as ExcludeFile, so the command
// needs no file.
func (s Spec) BackupCommand() []string {
	argv := append(s.globalArgs(), "backup")
	if s.Host != "" {
		argv = append(argv, "--host", s.Host)
	}
	for _, t := range s.Tags {
		argv = append(argv, "--tag", t)
	}
	for _, e := range s.Excludes {
		argv = append(argv, "--exclude", e)
	}
	return append(argv, s.Paths...)
}

// retentionFlags are the --keep-* flags of a policy, in restic's order.
func (r Retention) flags() []string {
	var out []string
	for _, kv := range []struct {
		flag string
		n    int64
	}{{"--keep-last", r.Last}, {"--keep-hourly", r.Hourly}, {"--keep-daily", r.Daily}, {"--keep-weekly", r.Weekly}, {"--keep-monthly", r.Monthly}, {"--keep-yearly", r.Yearly}} {
		if kv.n != 0 {
			out = append(out, kv.flag, strconv.FormatInt(kv.n, 10))
		}
	}
	return out
}

// ForgetCommand is the argv of `restic forget` applying the retention to
// this plan's snapshots only: those of its host (when set) carrying all of
// its tags. It removes snapshots, not data: `restic prune` (or Backrest's
// prune policy) frees the space. Nil without a retention.
func (s Spec) ForgetCommand() []string {
	if s.Retention == nil {
		return nil
	}
	argv := append(s.globalArgs(), "forget")
	argv = append(argv, s.Retention.flags()...)
	if s.Host != "" {
		argv = append(argv, "--host", s.Host)
	}
	if len(s.Tags) > 0 {
		argv = append(argv, "--tag", strings.Join(s.Tags, ","))
	}
	return argv
}

// ExcludeFile is the content of an exclude file for `restic backup
// --exclude-file`: one pattern a line. restic expands $VARIABLES in such
// files, so a literal "$" is written "$$".
func (s Spec) ExcludeFile() string {
	var b strings.Builder
	for _, e := range s.Excludes {
		b.WriteString(strings.ReplaceAll(e, "$", "$$"))
		b.WriteByte('\n')
	}
	return b.String()
}

// Backrest's configuration objects (garethgeorge/backrest
// proto/v1/config.proto, in protojson's field names), limited to what a
// plan sets.
type backrestSchedule struct {
	Disabled bool   `json:"disabled,omitempty"`
	Cron     string `json:"cron,omitempty"`
	Clock    string `json:"clock,omitempty"`
}

type backrestBuckets struct {
	Hourly    int64 `json:"hourly,omitempty"`
	Daily     int64 `json:"daily,omitempty"`
	Weekly    int64 `json:"weekly,omitempty"`
	Monthly   int64 `json:"monthly,omitempty"`
	Yearly    int64 `json:"yearly,omitempty"`
	KeepLastN int64 `json:"keepLastN,omitempty"`
}

type backrestRetention struct {
	PolicyKeepLastN    int64            `json:"policyKeepLastN,omitempty"`
	PolicyTimeBucketed *backrestBuckets `json:"policyTimeBucketed,omitempty"`
	PolicyKeepAll      bool             `json:"policyKeepAll,omitempty"`
}

type backrestPlan struct {
	ID          string            `json:"id"`
	Repo        string            `json:"repo"`
	Paths       []string          `json:"paths"`
	Excludes    []string          `json:"excludes,omitempty"`
	Schedule    backrestSchedule  `json:"schedule"`
	Retention   backrestRetention `json:"retention"`
	BackupFlags []string          `json:"backup_flags,omitempty"`
}

type backrestPrunePolicy struct {
	Schedule         backrestSchedule `json:"schedule"`
	MaxUnusedPercent float64          `json:"maxUnusedPercent,omitempty"`
}

type backrestCheckPolicy struct {
	Schedule backrestSchedule `json:"schedule"`
}

type backrestRepo struct {
	ID             string              `json:"id"`
	URI            string              `json:"uri"`
	GUID           string              `json:"guid,omitempty"`
	Env            []string            `json:"env,omitempty"`
	PrunePolicy    backrestPrunePolicy `json:"prunePolicy"`
	CheckPolicy    backrestCheckPolicy `json:"checkPolicy"`
	AutoInitialize bool                `json:"autoInitialize,omitempty"`
}

// shellQuote quotes a backup flag's value for Backrest, which splits
// backup_flags with shlex.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.:/@=+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// BackrestPlan is the plan as an entry of Backrest's `plans` list. Backrest
// adds its own plan and instance tags; host and tags go in backup_flags.
func (s Spec) BackrestPlan() string {
	p := backrestPlan{ID: s.Name, Repo: s.Name, Paths: s.Paths, Excludes: s.Excludes}
	if p.Paths == nil {
		p.Paths = []string{}
	}
	if s.Schedule != "" {
		p.Schedule = backrestSchedule{Cron: strings.Join(strings.Fields(s.Schedule), " "), Clock: "CLOCK_LOCAL"}
	} else {
		p.Schedule = backrestSchedule{Disabled: true}
	}
	switch r := s.Retention; {
	case r == nil:
		p.Retention = backrestRetention{PolicyKeepAll: true}
	case *r == Retention{Last: r.Last}:
		p.Retention = backrestRetention{PolicyKeepLastN: r.Last}
	default:
		p.Retention = backrestRetention{PolicyTimeBucketed: &backrestBuckets{
			Hourly: r.Hourly, Daily: r.Daily, Weekly: r.Weekly, Monthly: r.Monthly, Yearly: r.Yearly, KeepLastN: r.Last,
		}}
	}
	if s.Host != "" {
		p.BackupFlags = append(p.BackupFlags, "--host "+shellQuote(s.Host))
	}
	for _, t := range s.Tags {
		p.BackupFlags = append(p.BackupFlags, "--tag "+shellQuote(t))
	}
	return mustJSON(p)
}

// BackrestRepo is the repository as an entry of Backrest's `repos` list.
// It holds no secret: the password and every backend variable are
// "${NAME}" placeholders that Backrest fills from its own environment.
// guid is restic's repository id (empty while unknown, then Backrest
// would need autoInitialize); prune and check run monthly, Backrest's
// defaults for a new repository.
func (s Spec) BackrestRepo(repositoryID string) string {
	monthly := backrestSchedule{Cron: "0 0 1 * *", Clock: "CLOCK_LAST_RUN_TIME"}
	r := backrestRepo{
		ID: s.Name, URI: s.Repository, GUID: repositoryID,
		PrunePolicy: backrestPrunePolicy{Schedule: monthly, MaxUnusedPercent: 10},
		CheckPolicy: backrestCheckPolicy{Schedule: monthly},
	}
	names := append(append([]string(nil), s.EnvNames...), "RESTIC_PASSWORD")
	for _, n := range sortedUnique(names) {
		r.Env = append(r.Env, n+"=${"+n+"}")
	}
	return mustJSON(r)
}

func mustJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only plain structs of strings and numbers are marshalled
	}
	return string(b)
}
