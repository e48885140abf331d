package service

import (
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		check func(string) error
		ok    []string
		bad   []string
	}{
		{"chart version", checkChartVersion,
			[]string{"1.7.2", "v1.7.2", "1.7.2-rc.1+build.5", ">=1.7.0 <2.0.0", ">= 1.7.0, < 2.0.0", "~1.7", "^1.7.2", "1.7.*", "1.x", "*", "1.2.3 - 1.4.5", ">=1.0 || ^2.1", "~> 1.2"},
			[]string{"", "latest", "1.7.2.4", "=>>1", "1..2", "a.b.c", ">=1.0 <<2", "1.7.2 ||"}},
		{"sync option", checkSyncOption,
			[]string{"CreateNamespace=true", "PrunePropagationPolicy=foreground", "ServerSideApply=true"},
			[]string{"CreateNamespace", "CreateNamespace = true", "=true", "Create Namespace=true", "A=b=c"}},
		{"name", checkName, []string{"infisical", "argocd-apps", "a.b"}, []string{"Infisical", "in_fisical", "-a", strings.Repeat("a", 64)}},
		{"namespace", checkDNSLabel, []string{"argocd", "a-1"}, []string{"Argo", "a.b", ""}},
		{"label value", checkLabelValue, []string{"secrets", "Home_Lab.1", ""}, []string{"-x", strings.Repeat("a", 64), "a b"}},
		{"json pointer", checkJSONPointer, []string{"/data", "/spec/replicas"}, []string{"data", ""}},
		{"repo URL", checkRepoURL, []string{"https://github.com/me/h.git", "git@github.com:me/h.git", "registry-1.docker.io/bitnamicharts"}, []string{"", "a b"}},
		{"repo path", checkRepoPath, []string{"k8s/apps", ".", "a/b/c"}, []string{"", "/abs", "../up", "a/../../b"}},
		{"abs path", checkAbsPath, []string{"/var/lib/x"}, []string{"var/lib", ""}},
	}
	for _, tt := range tests {
		for _, v := range tt.ok {
			if p := tt.check(v); p != nil {
				t.Errorf("%s: %q rejected: %s", tt.name, v, p)
			}
		}
		for _, v := range tt.bad {
			if p := tt.check(v); p == nil {
				t.Errorf("%s: %q accepted", tt.name, v)
			}
		}
	}
}

func TestValuesCheckNeverQuotesTheValue(t *testing.T) {
	t.Parallel()
	p := checkValues(true)("password: [Sup3r-Secret")
	if p == nil || strings.Contains(p.Error(), "Sup3r") {
		t.Errorf("check = %q", p)
	}
}
