package proxy

// PolicyName exposes the shared policy's name to the acceptance tests,
// which recreate what an interrupted apply leaves behind.
func PolicyName(emails []string, sessionDuration string) string {
	return policyName(accessSettings{Enabled: true, Emails: emails, SessionDuration: sessionDuration})
}
